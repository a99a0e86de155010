"""Campaign interfaces (docs/api.md#campaigns), rule by rule, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from tests.support.api import (
    SUCCESS,
    TIME,
    add_numbers,
    assert_code,
    campaign_body,
    campaigns_path,
    claim,
    count,
    create_campaign,
    execute_sql,
    numbers,
    ok_json,
    report,
    rows,
    set_status,
    utc_now,
)

pytestmark = pytest.mark.usefixtures("backend")

MISSING = ...  # an override of MISSING drops the field from campaign_body
LIST_VDN = 77  # only the listing fixture creates campaigns here


def day(days: int = 0, seconds: int = 0) -> str:
    """Today 00:00 UTC moved by ``days`` and ``seconds``, in the wire format."""
    midnight = utc_now().replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight + timedelta(days=days, seconds=seconds)).strftime(TIME)


def one_path(campaign_id: int | str, vdn: int = 12, version: int = 1) -> str:
    return f"{campaigns_path(vdn, version)}/{campaign_id}"


def create(client, version: int = 1, vdn: int = 12, **overrides: Any) -> dict:  # type: ignore[no-untyped-def]
    body = campaign_body(version, **overrides)
    return ok_json(client.post(campaigns_path(vdn, version), json=body))


def modify(client, campaign_id, version: int = 1, vdn: int = 12, **overrides: Any) -> dict:  # type: ignore[no-untyped-def]
    body = campaign_body(version, **overrides)
    return ok_json(client.put(one_path(campaign_id, vdn, version), json=body))


def query(client, campaign_id, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.get(one_path(campaign_id, vdn)))


def status_of(client, campaign_id, vdn: int = 12) -> int:  # type: ignore[no-untyped-def]
    answer = query(client, campaign_id, vdn)
    assert_code(answer, SUCCESS)
    return answer["returnObject"]["status"]


def listing(client, vdn: int = LIST_VDN, **params: Any) -> dict:  # type: ignore[no-untyped-def]
    params = {"status": 0, "deviceType": 0, **params}
    return ok_json(
        client.get(campaigns_path(vdn), params={k: v for k, v in params.items() if v is not ...})
    )


def remove(client, campaign_id, body: Any = None, vdn: int = 12, raw: bytes | None = None) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.delete(one_path(campaign_id, vdn), json=body, content=raw))


def end_campaign(services: Any, campaign_id: int) -> None:
    execute_sql(
        services, f"UPDATE campaigns SET end_time = '2000-01-01 00:00:00' WHERE id = {campaign_id}"
    )


def named(services: Any, name: str) -> int:
    return count(services, "campaigns", name=name)


# --- create ---


@pytest.mark.parametrize("version", [1, 2])
def test_create_returns_the_new_id(client, server, version):
    body = campaign_body(version, initStatus=1)
    answer = ok_json(client.post(campaigns_path(version=version), json=body))
    assert_code(answer, SUCCESS)
    assert answer["resultDesc"] == "create campaign succeeded"
    new_id = answer["returnObject"]["id"]
    assert isinstance(new_id, int) and new_id > 0
    stored = rows(server.services, "campaigns", id=new_id)
    assert len(stored) == 1
    assert stored[0]["name"] == body["name"] and stored[0]["vdn_id"] == 12
    assert stored[0]["api_version"] == version


def test_ids_are_distinct(client):
    first = create(client)["returnObject"]["id"]
    second = create(client)["returnObject"]["id"]
    assert first != second


@pytest.mark.parametrize(
    ("init_status", "status"), [(0, 2), (1, 3), ("1", 3), (MISSING, 2), (None, 2)]
)
@pytest.mark.parametrize("version", [1, 2])
def test_init_status(client, version, init_status, status):
    answer = create(client, version, initStatus=init_status)
    assert_code(answer, SUCCESS)
    assert status_of(client, answer["returnObject"]["id"]) == status


def test_v1_fields_round_trip(client):
    body = campaign_body(
        1,
        description="first wave",
        strBeginTime=day(1),
        strEndTime=day(9, 3600),
        deviceType=5,
        callerNo="10086*#",
        maxAlertingTime=9,
        initStatus=1,
        callBackUrl="https://example.com/cb",
        scheduleParam={
            "workdayBeginTime1": "08:00",
            "workdayEndTime1": "12:00",
            "holidayBeginTime2": "13:30",
            "holidayEndTime2": "18:00",
            "workdayBeginTime3": "",
            "workdayEndTime3": None,
        },
        skillParam={"skillId": 7, "predictParam": {"predictMethod": 1}},
    )
    answer = ok_json(client.post(campaigns_path(), json=body))
    campaign_id = answer["returnObject"]["id"]
    got = query(client, campaign_id)
    assert_code(got, SUCCESS)
    assert got["resultDesc"] == "query campaign success"
    assert got["returnObject"] == {
        "id": campaign_id,
        "name": body["name"],
        "description": "first wave",
        "status": 3,
        "strBeginTime": day(1),
        "strEndTime": day(9, 3600),
        "deviceType": 5,
        "callerNo": "10086*#",
        "maxAlertingTime": 9,
        "priority": None,
        "scheduleParam": {
            "workdayBeginTime1": "08:00",
            "workdayEndTime1": "12:00",
            "holidayBeginTime2": "13:30",
            "holidayEndTime2": "18:00",
        },
        "ivrParam": None,
        "skillParam": {"skillId": 7, "predictParam": {"predictMethod": 1}},
        "retryPolicy": None,
        "callPolicy": None,
        "callBackUrl": "https://example.com/cb",
        # the dialing settings, not given: their defaults (tests/api/test_campaign_dialing.py)
        "abandonTarget": 2.5,
        "abandonCap": 3.0,
        "abandonWindow": "24h",
        "minAgentsPredictive": 8,
        "agentWaitSeconds": 1.0,
        "wrapUpSeconds": 10,
        "abandonRedialHours": 72,
    }


def test_v2_fields_round_trip(client):
    callers = [{"accessCode": "10086", "priority": 1}, {"accessCode": "10010", "priority": 5}]
    retry = {"policyType": 1, "policyJson": "[]"}
    call_policy = {"callType": 1, "chooseType": 0, "turns": [{"turnType": "SI"}]}
    body = campaign_body(
        2,
        deviceType=3,
        skillParam=MISSING,
        ivrParam={"flowAccessCode": "123"},
        callerNo=callers,
        maxAlertingTime=60,
        priority=2,
        retryPolicy=retry,
        callPolicy=call_policy,
        initStatus=0,
    )
    answer = ok_json(client.post(campaigns_path(version=2), json=body))
    assert_code(answer, SUCCESS)
    got = query(client, answer["returnObject"]["id"])["returnObject"]
    assert got["status"] == 2 and got["deviceType"] == 3
    assert got["callerNo"] == callers
    assert (got["maxAlertingTime"], got["priority"]) == (60, 2)
    assert got["ivrParam"] == {"flowAccessCode": "123"} and got["skillParam"] is None
    assert got["retryPolicy"] == retry and got["callPolicy"] == call_policy
    assert got["description"] == "" and got["callBackUrl"] == ""


def test_v2_caller_item_priority_is_optional(client):
    answer = create(
        client, 2, callerNo=[{"accessCode": "10086"}, {"accessCode": "95555", "priority": "3"}]
    )
    assert_code(answer, SUCCESS)
    callers = query(client, answer["returnObject"]["id"])["returnObject"]["callerNo"]
    assert [c["accessCode"] for c in callers] == ["10086", "95555"]
    assert callers[1]["priority"] == 3


# rules shared by v1 and v2: (overrides, code)
COMMON_RULES = [
    ({"bogus": 1}, "0200001"),
    ({"schedule_param": {}}, "0200001"),
    ({"name": MISSING}, "02000001"),
    ({"name": ""}, "02000001"),
    ({"name": None}, "02000001"),
    ({"name": "n" * 101}, "02000003"),
    ({"name": ["x"]}, "02000006"),
    ({"name": True}, "02000006"),
    ({"description": 'say "hi"'}, "02000002"),
    ({"description": "a[1]"}, "02000002"),
    ({"description": "a=b"}, "02000002"),
    ({"description": "a;b"}, "02000002"),
    ({"description": "<b>"}, "02000002"),
    ({"description": "d" * 201}, "02000003"),
    ({"strBeginTime": day(0, -1)}, "0200002"),
    ({"strBeginTime": day(-1)}, "0200002"),
    ({"strBeginTime": "2020-01-01 00:00:00", "strEndTime": "2020-02-01 00:00:00"}, "0200002"),
    ({"strBeginTime": MISSING}, "02000001"),
    ({"strEndTime": MISSING}, "02000001"),
    ({"strBeginTime": "2030-13-01 00:00:00"}, "0200030"),
    ({"strBeginTime": "2030-02-30 00:00:00"}, "0200030"),
    ({"strBeginTime": "2030-01-01"}, "0200030"),
    ({"strBeginTime": "2030/01/01 00:00:00"}, "0200030"),
    ({"strBeginTime": "2030-01-01T00:00:00"}, "0200030"),
    ({"strEndTime": "2030-01-01 24:00:00"}, "0200030"),
    ({"strEndTime": "tomorrow"}, "0200030"),
    ({"strBeginTime": day(2), "strEndTime": day(2)}, "02000009"),
    ({"strBeginTime": day(2), "strEndTime": day(1)}, "02000009"),
    ({"deviceType": 4}, "02000007"),
    ({"deviceType": 0}, "02000007"),
    ({"deviceType": 7}, "02000007"),
    ({"deviceType": "abc"}, "02000006"),
    ({"deviceType": 2.0}, "02000006"),
    ({"deviceType": MISSING}, "02000001"),
    ({"skillParam": MISSING}, "02000001"),
    ({"deviceType": 5, "skillParam": None}, "02000001"),
    ({"deviceType": 6, "skillParam": MISSING}, "02000001"),
    ({"deviceType": 3}, "02000001"),
    ({"deviceType": 1}, "02000001"),
    ({"deviceType": 3, "skillParam": MISSING}, "02000001"),
    ({"skillParam": [1]}, "02000006"),
    ({"skillParam": "skill-1"}, "02000006"),
    ({"deviceType": 3, "ivrParam": "flow"}, "02000006"),
    ({"maxAlertingTime": "abc"}, "02000006"),
    ({"maxAlertingTime": True}, "02000006"),
    ({"maxAlertingTime": 30.5}, "02000006"),
    ({"maxAlertingTime": [30]}, "02000006"),
    ({"maxAlertingTime": MISSING}, "02000001"),
    ({"maxAlertingTime": 4}, "02000007"),
    ({"maxAlertingTime": -30}, "02000007"),
    ({"maxAlertingTime": 10**30}, "02000007"),
    ({"deviceType": 5, "maxAlertingTime": 8}, "02000007"),
    ({"initStatus": 2}, "02000007"),
    ({"initStatus": -1}, "02000007"),
    ({"initStatus": "paused"}, "02000006"),
    ({"scheduleParam": MISSING}, "02000001"),
    ({"scheduleParam": ["08:00"]}, "02000006"),
    ({"scheduleParam": {"workdayBeginTime1": "8:00", "workdayEndTime1": "12:00"}}, "0200030"),
    ({"scheduleParam": {"workdayBeginTime1": "24:00", "workdayEndTime1": "23:00"}}, "0200030"),
    ({"scheduleParam": {"workdayBeginTime1": "08:00", "workdayEndTime1": "12:60"}}, "0200030"),
    ({"scheduleParam": {"workdayBeginTime1": "08:00:00", "workdayEndTime1": "12:00"}}, "0200030"),
    ({"scheduleParam": {"holidayBeginTime3": 800, "holidayEndTime3": "12:00"}}, "0200030"),
    ({"scheduleParam": {"workdayBeginTime1": "08:00"}}, "02000009"),
    ({"scheduleParam": {"workdayEndTime2": "08:00"}}, "02000009"),
    ({"scheduleParam": {"workdayBeginTime1": "12:00", "workdayEndTime1": "08:00"}}, "02000009"),
    ({"scheduleParam": {"workdayBeginTime1": "12:00", "workdayEndTime1": "12:00"}}, "02000009"),
    ({"scheduleParam": {"workdayBeginTime4": "08:00", "workdayEndTime4": "09:00"}}, "0200001"),
    ({"callBackUrl": "ftp://example.com/cb"}, "02000007"),
    ({"callBackUrl": "example.com"}, "02000007"),
    ({"callBackUrl": "https://e.com/" + "x" * 1011}, "02000003"),
]

V1_RULES = [
    ({"callerNo": MISSING}, "02000001"),
    ({"callerNo": "10086a"}, "02000002"),
    ({"callerNo": "+8610086"}, "02000002"),
    ({"callerNo": "1" * 25}, "02000003"),
    ({"callerNo": [{"accessCode": "10086"}]}, "02000006"),
    ({"maxAlertingTime": 121}, "02000007"),
    ({"retryPolicy": {"policyType": 1}}, "0200001"),
    ({"priority": 1}, "0200001"),
]

V2_RULES = [
    ({"callerNo": MISSING}, "02000001"),
    ({"callerNo": []}, "02000001"),
    ({"callerNo": "10086"}, "02000006"),
    ({"callerNo": ["10086"]}, "02000006"),
    ({"callerNo": [{"priority": 1}]}, "02000001"),
    ({"callerNo": [{"accessCode": ""}]}, "02000001"),
    ({"callerNo": [None]}, "02000001"),
    ({"callerNo": [{"accessCode": "10086*"}]}, "02000002"),
    ({"callerNo": [{"accessCode": "1" * 25}]}, "02000003"),
    ({"callerNo": [{"accessCode": "10086", "priority": 6}]}, "02000007"),
    ({"callerNo": [{"accessCode": "10086", "priority": 0}]}, "02000007"),
    ({"callerNo": [{"accessCode": "10086", "priority": "high"}]}, "02000006"),
    ({"callerNo": [{"accessCode": "10086", "weight": 1}]}, "0200001"),
    ({"callerNo": [{"accessCode": str(10000 + i)} for i in range(101)]}, "02000011"),
    ({"maxAlertingTime": 61}, "02000007"),
    ({"maxAlertingTime": 120}, "02000007"),
    ({"priority": 0}, "02000007"),
    ({"priority": 6}, "02000007"),
    ({"retryPolicy": "retry"}, "02000006"),
    ({"callPolicy": [1]}, "02000006"),
]

CREATE_RULES = (
    [
        pytest.param(v, o, c, id=f"v{v}-{i}-{c}")
        for v in (1, 2)
        for i, (o, c) in enumerate(COMMON_RULES)
    ]
    + [pytest.param(1, o, c, id=f"v1only-{i}-{c}") for i, (o, c) in enumerate(V1_RULES)]
    + [pytest.param(2, o, c, id=f"v2only-{i}-{c}") for i, (o, c) in enumerate(V2_RULES)]
)


@pytest.mark.parametrize(("version", "overrides", "code"), CREATE_RULES)
def test_create_rules(client, server, version, overrides, code):
    body = campaign_body(version, **overrides)
    answer = ok_json(client.post(campaigns_path(version=version), json=body))
    assert_code(answer, code)
    assert "returnObject" not in answer
    if isinstance(body.get("name"), str) and body["name"]:
        assert named(server.services, body["name"]) == 0


# values at the edge of each rule are accepted
CREATE_ACCEPTED = [
    (1, {"name": "n" * 100}),
    (1, {"description": "d" * 200}),
    (1, {"description": "plain text, with (parens) & 'quotes' / ok"}),
    (1, {"maxAlertingTime": 5}),
    (1, {"maxAlertingTime": 120}),
    (1, {"maxAlertingTime": "60"}),
    (1, {"deviceType": 5, "maxAlertingTime": 9}),
    (1, {"deviceType": "6"}),
    (1, {"deviceType": 1, "ivrParam": {"flowId": 1}, "skillParam": MISSING}),
    (1, {"deviceType": 3, "ivrParam": {}, "skillParam": None}),
    (1, {"callerNo": 10086}),
    (1, {"callerNo": "1" * 24}),
    (1, {"strBeginTime": day(1), "strEndTime": day(1, 1)}),
    (1, {"strBeginTime": day(400), "strEndTime": "9999-12-31 23:59:59"}),
    (1, {"scheduleParam": {}}),
    (1, {"scheduleParam": {"workdayBeginTime1": "", "workdayEndTime1": ""}}),
    (1, {"callBackUrl": "http://203.0.114.1:8080/cb"}),
    (1, {"callBackUrl": ""}),
    (2, {"maxAlertingTime": 5}),
    (2, {"maxAlertingTime": 60}),
    (2, {"priority": 5}),
    (2, {"callerNo": [{"accessCode": str(10000 + i)} for i in range(100)]}),
    (2, {"retryPolicy": {"policyType": 1, "policyJson": "[]"}, "callPolicy": {}}),
]


@pytest.mark.parametrize(("version", "overrides"), CREATE_ACCEPTED)
def test_create_accepts_edge_values(client, version, overrides):
    answer = create(client, version, **overrides)
    assert_code(answer, SUCCESS)
    assert (
        query(client, answer["returnObject"]["id"])["returnObject"]["id"]
        == answer["returnObject"]["id"]
    )


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=GBK"],
)
@pytest.mark.parametrize("version", [1, 2])
def test_create_needs_a_json_content_type(client, server, version, content_type):
    body = campaign_body(version)
    answer = ok_json(
        client.post(
            campaigns_path(version=version),
            content=json.dumps(body).encode(),
            content_type=content_type,
        )
    )
    assert_code(answer, "0200001")
    assert named(server.services, body["name"]) == 0


@pytest.mark.parametrize("version", [1, 2])
def test_duplicate_name_in_the_same_vdn(client, server, version):
    name = campaign_body()["name"]
    assert_code(create(client, version, name=name), SUCCESS)
    assert_code(create(client, version, name=name), "0200005")
    assert_code(create(client, 3 - version, name=name), "0200005")
    assert named(server.services, name) == 1


def test_same_name_in_another_vdn_is_allowed(client, server):
    name = campaign_body()["name"]
    assert_code(create(client, vdn=12, name=name), SUCCESS)
    assert_code(create(client, vdn=13, name=name), SUCCESS)
    assert named(server.services, name) == 2


def test_names_differing_in_case_are_distinct(client):
    name = "Case-" + campaign_body()["name"]
    assert_code(create(client, name=name), SUCCESS)
    assert_code(create(client, name=name.lower()), SUCCESS)


# --- modify ---


def test_modify_v1_changes_every_field(client):
    campaign_id = create_campaign(client)
    new = {
        "name": "renamed-" + campaign_body()["name"],
        "description": "second wave",
        "strBeginTime": day(2),
        "strEndTime": day(20),
        "callerNo": "95555",
        "maxAlertingTime": 45,
        "scheduleParam": {"holidayBeginTime1": "09:00", "holidayEndTime1": "17:00"},
        "skillParam": {"skillId": 9},
        "callBackUrl": "http://cb.example/x",
    }
    answer = modify(client, campaign_id, **new)
    assert_code(answer, SUCCESS)
    assert answer["resultDesc"] == "modify campaign succeeded"
    got = query(client, campaign_id)["returnObject"]
    assert got["name"] == new["name"] and got["description"] == "second wave"
    assert (got["strBeginTime"], got["strEndTime"]) == (day(2), day(20))
    assert (got["callerNo"], got["maxAlertingTime"]) == ("95555", 45)
    assert got["scheduleParam"] == {"holidayBeginTime1": "09:00", "holidayEndTime1": "17:00"}
    assert got["skillParam"] == {"skillId": 9} and got["callBackUrl"] == "http://cb.example/x"
    assert got["status"] == 3  # a modify does not change the status


def test_modify_v2_changes_v2_fields(client):
    campaign_id = create(client, 2, initStatus=0)["returnObject"]["id"]
    callers = [{"accessCode": "95555", "priority": 2}]
    answer = modify(
        client,
        campaign_id,
        version=2,
        callerNo=callers,
        priority=4,
        maxAlertingTime=60,
        retryPolicy={"policyType": 0, "policyJson": "[]"},
        initStatus=1,
    )
    assert_code(answer, SUCCESS)
    got = query(client, campaign_id)["returnObject"]
    assert got["callerNo"] == callers and got["priority"] == 4 and got["maxAlertingTime"] == 60
    assert got["retryPolicy"] == {"policyType": 0, "policyJson": "[]"}
    assert got["status"] == 2


def test_modify_keeping_its_own_name(client):
    body = campaign_body(initStatus=1)
    campaign_id = ok_json(client.post(campaigns_path(), json=body))["returnObject"]["id"]
    assert_code(modify(client, campaign_id, name=body["name"], description="same name"), SUCCESS)
    assert query(client, campaign_id)["returnObject"]["description"] == "same name"


def test_modify_name_taken_by_another_campaign(client):
    taken = campaign_body()["name"]
    create_campaign(client, name=taken)
    campaign_id = create_campaign(client)
    before = query(client, campaign_id)["returnObject"]
    for version in (1, 2):
        assert_code(modify(client, campaign_id, version=version, name=taken), "0200005")
    assert query(client, campaign_id)["returnObject"] == before


def test_modify_may_take_a_name_used_in_another_vdn(client):
    elsewhere = campaign_body()["name"]
    create_campaign(client, vdn=13, name=elsewhere)
    campaign_id = create_campaign(client)
    assert_code(modify(client, campaign_id, name=elsewhere), SUCCESS)


@pytest.mark.parametrize("version", [1, 2])
def test_modify_unknown_campaign(client, version):
    assert_code(modify(client, 987654, version=version), "0200007")


def test_modify_campaign_of_another_vdn(client):
    other = create_campaign(client, vdn=13)
    assert_code(modify(client, other, vdn=12), "0200007")


@pytest.mark.parametrize("version", [1, 2])
def test_modify_ended_campaign(client, server, version):
    campaign_id = create(client, version)["returnObject"]["id"]
    end_campaign(server.services, campaign_id)
    assert_code(modify(client, campaign_id, version=version, description="too late"), "0200016")
    assert query(client, campaign_id)["returnObject"]["description"] == ""


@pytest.mark.parametrize(
    ("device", "extra"),
    [(5, {}), (6, {}), (3, {"ivrParam": {"flow": 1}}), (1, {"ivrParam": {"flow": 1}})],
)
def test_modify_cannot_change_the_device_type(client, device, extra):
    campaign_id = create_campaign(client)  # deviceType 2
    answer = modify(client, campaign_id, deviceType=device, **extra)
    assert_code(answer, "02000007")
    assert "deviceType" in answer["resultDesc"]
    assert query(client, campaign_id)["returnObject"]["deviceType"] == 2


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"strBeginTime": day(-1)}, "0200002"),
        ({"bogus": 1}, "0200001"),
        ({"name": "n" * 101}, "02000003"),
        ({"maxAlertingTime": 121}, "02000007"),
        ({"strEndTime": day(0)}, "02000009"),
        ({"scheduleParam": {"workdayBeginTime1": "7:00", "workdayEndTime1": "08:00"}}, "0200030"),
    ],
)
def test_modify_applies_the_create_rules(client, overrides, code):
    campaign_id = create_campaign(client)
    before = query(client, campaign_id)["returnObject"]
    assert_code(modify(client, campaign_id, **overrides), code)
    assert query(client, campaign_id)["returnObject"] == before


@pytest.mark.parametrize(
    ("campaign_id", "code"),
    [("abc", "02000006"), ("0", "02000007"), ("-1", "02000007"), ("2147483648", "02000007")],
)
def test_modify_path_campaign_id(client, campaign_id, code):
    assert_code(modify(client, campaign_id), code)


def test_modify_ended_is_checked_before_device_type(client, server):
    campaign_id = create_campaign(client)
    end_campaign(server.services, campaign_id)
    assert_code(modify(client, campaign_id, deviceType=5), "0200016")


# --- query one ---


def test_query_unknown_campaign(client):
    assert_code(query(client, 987654), "0200007")


def test_query_campaign_of_another_vdn(client):
    other = create_campaign(client, vdn=13)
    assert_code(query(client, other, vdn=12), "0200007")
    assert_code(query(client, other, vdn=13), SUCCESS)


@pytest.mark.parametrize("init_status", [0, 1])
def test_status_4_once_the_end_time_passed(client, server, init_status):
    campaign_id = create_campaign(client, init_status=init_status)
    end_campaign(server.services, campaign_id)
    answer = query(client, campaign_id)
    assert answer["returnObject"]["status"] == 4
    assert answer["returnObject"]["strEndTime"] == "2000-01-01 00:00:00"


@pytest.mark.parametrize(
    ("campaign_id", "code"),
    [("x", "02000006"), ("1.5", "02000006"), ("0", "02000007"), ("99999999999", "02000007")],
)
def test_query_path_campaign_id(client, campaign_id, code):
    assert_code(query(client, campaign_id), code)


def test_query_takes_no_body_and_no_query_parameters(client):
    campaign_id = create_campaign(client)
    assert_code(ok_json(client.get(one_path(campaign_id), json={"id": 1})), "0200001")
    assert_code(ok_json(client.get(one_path(campaign_id), params={"verbose": 1})), "0200001")
    assert_code(ok_json(client.get(one_path(campaign_id), json={})), SUCCESS)


# --- list ---

# key: (name, deviceType, initStatus, begin day, end day); "e" is ended after creation
LISTED = {
    "a": ("alpha-one", 2, 1, 0, 30),
    "b": ("alpha-two", 2, 0, 1, 10),
    "c": ("beta_100%", 3, 0, 2, 20),
    "d": ("beta-1000", 5, 1, 0, 40),
    "e": ("gamma\\x", 6, 0, 0, 50),
    "f": ("Alpha-Upper", 1, 1, 3, 60),
}


@pytest.fixture(scope="module")
def listed(server):
    """Six campaigns in a VDN no other test uses; returns (client, key -> id)."""
    with server.client((LIST_VDN,)) as signed:
        ids = {}
        for key, (name, device, init, begin, end) in LISTED.items():
            body = campaign_body(
                name=name,
                deviceType=device,
                initStatus=init,
                strBeginTime=day(begin),
                strEndTime=day(end),
                ivrParam={"flow": 1},
                skillParam={"skillId": 1},
            )
            answer = ok_json(signed.post(campaigns_path(LIST_VDN), json=body))
            assert_code(answer, SUCCESS)
            ids[key] = answer["returnObject"]["id"]
        end_campaign(server.services, ids["e"])
        yield signed, ids


def keys_of(answer: dict, ids: dict[str, int]) -> list[str]:
    assert_code(answer, SUCCESS)
    by_id = {v: k for k, v in ids.items()}
    return [by_id[item["id"]] for item in answer["data"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "abcdef"),
        ({"status": 2}, "bc"),
        ({"status": 3}, "adf"),
        ({"status": 4}, "e"),
        ({"status": "3"}, "adf"),
        ({"deviceType": 2}, "ab"),
        ({"deviceType": 3}, "c"),
        ({"deviceType": 5}, "d"),
        ({"deviceType": 6}, "e"),
        ({"deviceType": 1}, "f"),
        ({"status": 2, "deviceType": 2}, "b"),
        ({"status": 4, "deviceType": 2}, ""),
        ({"name": "alpha"}, "ab"),
        ({"name": "Alpha"}, "f"),
        ({"name": "-t"}, "b"),
        ({"name": "beta"}, "cd"),
        ({"name": "_"}, "c"),
        ({"name": "%"}, "c"),
        ({"name": "a_1"}, "c"),
        ({"name": "a-1"}, "d"),
        ({"name": "\\"}, "e"),
        ({"name": "zzz"}, ""),
        ({"name": ""}, "abcdef"),
        ({"name": "beta", "status": 3}, "d"),
        ({"beginTime": day(1)}, "bcf"),
        ({"beginTime": day(2)}, "cf"),
        ({"beginTime": day(2, 1)}, "f"),
        ({"endTime": day(20)}, "bce"),
        ({"endTime": day(20, -1)}, "be"),
        ({"beginTime": day(1), "endTime": day(20)}, "bc"),
        ({"statusV2": "x", "ccId": "1"}, "abcdef"),
    ],
)
def test_list_filters(listed, params, expected):
    signed, ids = listed
    answer = listing(signed, **params)
    assert keys_of(answer, ids) == list(expected)
    assert answer["totalSize"] == len(expected)
    assert answer["resultDesc"] == "query campaigns success"


def test_list_items_carry_the_summary_fields(listed):
    signed, ids = listed
    answer = listing(signed, name="alpha-two")
    assert answer["data"] == [
        {
            "id": ids["b"],
            "name": "alpha-two",
            "status": 2,
            "strBeginTime": day(1),
            "strEndTime": day(10),
            "deviceType": 2,
            "callerNo": "10086",
        }
    ]


@pytest.mark.parametrize(
    ("page", "per_page", "expected", "reported_page"),
    [
        (1, 2, "ab", 1),
        (2, 2, "cd", 2),
        (3, 2, "ef", 3),
        (4, 2, "", 4),
        (0, 2, "ab", 1),
        (-3, 2, "ab", 1),
        (2, 4, "ef", 2),
        (1, 100, "abcdef", 1),
        (2, 5, "f", 2),
        (..., 3, "abc", 1),
        (2, ..., "", 2),
        (..., ..., "abcdef", 1),
        ("", "", "abcdef", 1),
    ],
)
def test_list_paging(listed, page, per_page, expected, reported_page):
    signed, ids = listed
    answer = listing(signed, curPage=page, rowsPerPage=per_page)
    assert keys_of(answer, ids) == list(expected)
    assert answer["totalSize"] == 6
    assert answer["curPage"] == reported_page
    assert answer["rowsPerPage"] == (10 if per_page in (..., "") else per_page)


@pytest.mark.parametrize(
    "params", [{}, {"status": 4}, {"deviceType": 3, "name": "zzz"}, {"curPage": 9}]
)
def test_list_counts_live_campaigns_by_kind(listed, params):
    signed, _ = listed
    answer = listing(signed, **params)
    # skill-queue kinds 2, 5, 6: a, b, d (e has ended); IVR kinds 1, 3: c, f
    assert (answer["curSkillQueueCount"], answer["curIvrCount"]) == (3, 2)


def test_list_only_shows_its_own_vdn(client, listed):
    _, ids = listed
    answer = listing(client, vdn=12, rowsPerPage=100)
    assert_code(answer, SUCCESS)
    assert not set(ids.values()) & {item["id"] for item in answer["data"]}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"status": ...}, "02000001"),
        ({"status": ""}, "02000001"),
        ({"deviceType": ...}, "02000001"),
        ({"status": 1}, "02000007"),
        ({"status": 5}, "02000007"),
        ({"status": "executing"}, "02000006"),
        ({"deviceType": 4}, "02000007"),
        ({"deviceType": "x"}, "02000006"),
        ({"rowsPerPage": 101}, "02000007"),
        ({"rowsPerPage": 0}, "02000007"),
        ({"rowsPerPage": -1}, "02000007"),
        ({"rowsPerPage": "ten"}, "02000006"),
        ({"curPage": "first"}, "02000006"),
        ({"curPage": "1.5"}, "02000006"),
        ({"curPage": 10**29}, "02000007"),
        ({"curPage": 2**62}, "02000007"),
        ({"name": "n" * 31}, "02000003"),
        ({"beginTime": "2030-01-01"}, "0200030"),
        ({"endTime": "2030-02-30 00:00:00"}, "0200030"),
        ({"page": 1}, "0200001"),
        ({"Status": 0}, "0200001"),
    ],
)
def test_list_rules(listed, params, code):
    signed, _ = listed
    answer = listing(signed, **params)
    assert_code(answer, code)
    assert "data" not in answer


def test_list_name_of_30_characters_is_accepted(listed):
    signed, _ = listed
    answer = listing(signed, name="n" * 30)
    assert_code(answer, SUCCESS)
    assert answer["totalSize"] == 0 and answer["data"] == []


def test_list_on_a_fresh_store(make_server):
    fresh = make_server()
    with fresh.client() as signed:
        empty = listing(signed, vdn=12)
        assert_code(empty, SUCCESS)
        assert (empty["totalSize"], empty["data"], empty["curPage"], empty["rowsPerPage"]) == (
            0,
            [],
            1,
            10,
        )
        assert (empty["curSkillQueueCount"], empty["curIvrCount"]) == (0, 0)
        made = [create_campaign(signed, init_status=i % 2) for i in range(12)]
        first = listing(signed, vdn=12)
        assert first["totalSize"] == 12
        assert [item["id"] for item in first["data"]] == made[:10]
        second = listing(signed, vdn=12, curPage=2)
        assert [item["id"] for item in second["data"]] == made[10:]
        assert listing(signed, vdn=12, status=2)["totalSize"] == 6
        assert first["curSkillQueueCount"] == 12 and first["curIvrCount"] == 0


# --- pause and resume ---

EMPTY_SUCCESS = {"resultCode": SUCCESS, "resultDesc": "", "returnCode": SUCCESS, "returnDesc": ""}


def test_pause_and_resume_move_between_2_and_3(client):
    campaign_id = create_campaign(client, init_status=1)
    assert status_of(client, campaign_id) == 3
    assert set_status(client, campaign_id, "resume") == EMPTY_SUCCESS
    assert status_of(client, campaign_id) == 2
    assert set_status(client, campaign_id, "pause") == EMPTY_SUCCESS
    assert status_of(client, campaign_id) == 3
    assert set_status(client, campaign_id, "resume") == EMPTY_SUCCESS
    assert status_of(client, campaign_id) == 2


@pytest.mark.parametrize(("init_status", "action", "status"), [(1, "pause", 3), (0, "resume", 2)])
def test_transition_from_the_wrong_state(client, init_status, action, status):
    campaign_id = create_campaign(client, init_status=init_status)
    answer = set_status(client, campaign_id, action)
    assert_code(answer, "0200011")
    assert status_of(client, campaign_id) == status


@pytest.mark.parametrize("init_status", [0, 1])
@pytest.mark.parametrize("action", ["pause", "resume"])
def test_no_transition_once_ended(client, server, init_status, action):
    campaign_id = create_campaign(client, init_status=init_status)
    end_campaign(server.services, campaign_id)
    assert_code(set_status(client, campaign_id, action), "0200011")
    assert status_of(client, campaign_id) == 4
    assert rows(server.services, "campaigns", id=campaign_id)[0]["status"] == (
        2 if init_status == 0 else 3
    )


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_transition_of_unknown_campaign(client, action):
    assert_code(set_status(client, 987654, action), "0200007")


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_transition_of_campaign_of_another_vdn(client, action):
    other = create_campaign(client, vdn=13, init_status=0 if action == "pause" else 1)
    assert_code(set_status(client, other, action, vdn=12), "0200007")
    assert_code(set_status(client, other, action, vdn=13), SUCCESS)


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_transition_takes_no_body(client, action):
    campaign_id = create_campaign(client, init_status=0 if action == "pause" else 1)
    path = f"{one_path(campaign_id)}/{action}"
    assert_code(ok_json(client.put(path, json={"force": True})), "0200001")
    assert_code(ok_json(client.put(path, content=b"x", content_type="text/plain")), "0200001")
    assert status_of(client, campaign_id) == (2 if action == "pause" else 3)


@pytest.mark.parametrize(("campaign_id", "code"), [("abc", "02000006"), ("0", "02000007")])
def test_transition_path_campaign_id(client, campaign_id, code):
    assert_code(set_status(client, campaign_id, "pause"), code)


# --- delete ---


def _with_numbers(client, how_many: int = 3, init_status: int = 1) -> int:  # type: ignore[no-untyped-def]
    campaign_id = create_campaign(client, init_status=init_status)
    add_numbers(client, campaign_id, numbers(how_many, customField="del"))
    return campaign_id


@pytest.mark.parametrize(
    ("body", "raw"),
    [
        (None, None),
        ({}, None),
        ({"archiveHistory": 0}, None),
        ({"archiveHistory": None}, None),
        (None, b"  "),
    ],
)
def test_delete_paused_campaign(client, server, body, raw):
    campaign_id = _with_numbers(client)
    answer = remove(client, campaign_id, body, raw=raw)
    assert answer == EMPTY_SUCCESS
    assert_code(query(client, campaign_id), "0200007")
    assert count(server.services, "campaigns", id=campaign_id) == 0
    assert count(server.services, "numbers", campaign_id=campaign_id) == 0
    assert count(server.services, "number_history", campaign_id=campaign_id) == 0


def test_delete_executing_campaign_is_refused(client, server):
    campaign_id = _with_numbers(client, init_status=0)
    assert_code(remove(client, campaign_id), "0200009")
    assert status_of(client, campaign_id) == 2
    assert count(server.services, "numbers", campaign_id=campaign_id) == 3


def test_delete_with_a_call_in_progress_is_refused(client, server):
    campaign_id = _with_numbers(client)
    assert set_status(client, campaign_id, "resume")["resultCode"] == SUCCESS
    assert len(claim(client, campaign_id, 1)) == 1
    assert set_status(client, campaign_id, "pause")["resultCode"] == SUCCESS
    answer = remove(client, campaign_id, {"archiveHistory": 1})
    assert_code(answer, "0200009")
    assert status_of(client, campaign_id) == 3
    assert count(server.services, "numbers", campaign_id=campaign_id) == 3
    assert count(server.services, "number_history", campaign_id=campaign_id) == 0


def test_delete_ended_campaign(client, server):
    campaign_id = _with_numbers(client, init_status=0)
    end_campaign(server.services, campaign_id)
    assert_code(remove(client, campaign_id), SUCCESS)
    assert_code(query(client, campaign_id), "0200007")


def test_delete_archives_numbers(client, server):
    campaign_id = _with_numbers(client, 4)
    before = {r["id"]: r for r in rows(server.services, "numbers", campaign_id=campaign_id)}
    response = client.delete(one_path(campaign_id), json={"archiveHistory": 1})
    assert ok_json(response) == EMPTY_SUCCESS
    archived = rows(server.services, "number_history", campaign_id=campaign_id)
    assert {r["id"] for r in archived} == set(before)
    for moved in archived:
        assert moved["reason"] == "campaign-delete"
        assert moved["archived_by"] == client.access_key
        assert moved["request_id"] == response.headers["x-request-id"]
        assert moved["called"] == before[moved["id"]]["called"]
        assert moved["custom_field"] == "del" and moved["vdn_id"] == 12
    assert count(server.services, "numbers", campaign_id=campaign_id) == 0


def test_delete_keeps_call_results_and_archives_completed_numbers(client, server):
    campaign_id = _with_numbers(client, 3)
    set_status(client, campaign_id, "resume")
    claimed = claim(client, campaign_id, 2)
    for item in claimed:
        assert report(client, campaign_id, item["uniqueId"])["result"] == "0"
    set_status(client, campaign_id, "pause")
    assert count(server.services, "call_results", campaign_id=campaign_id) == 2
    assert_code(remove(client, campaign_id, {"archiveHistory": 1}), SUCCESS)
    assert count(server.services, "call_results", campaign_id=campaign_id) == 2
    states = sorted(
        r["state"] for r in rows(server.services, "number_history", campaign_id=campaign_id)
    )
    assert states == ["completed", "completed", "pending"]


def test_delete_without_archive_keeps_call_results(client, server):
    campaign_id = _with_numbers(client, 2)
    set_status(client, campaign_id, "resume")
    (item,) = claim(client, campaign_id, 1)
    report(client, campaign_id, item["uniqueId"], status="5")
    set_status(client, campaign_id, "pause")
    assert_code(remove(client, campaign_id, {"archiveHistory": 0}), SUCCESS)
    assert count(server.services, "call_results", campaign_id=campaign_id) == 1
    assert count(server.services, "number_history", campaign_id=campaign_id) == 0
    assert count(server.services, "numbers", campaign_id=campaign_id) == 0


def test_deleted_name_can_be_used_again(client):
    name = campaign_body()["name"]
    campaign_id = create_campaign(client, name=name)
    assert_code(remove(client, campaign_id), SUCCESS)
    assert_code(create(client, name=name), SUCCESS)


@pytest.mark.parametrize(
    ("body", "raw", "code"),
    [
        ({"archiveHistory": 5}, None, "02000007"),
        ({"archiveHistory": 2}, None, "02000007"),
        ({"archiveHistory": -1}, None, "02000007"),
        ({"archiveHistory": "yes"}, None, "02000006"),
        ({"archiveHistory": True}, None, "02000006"),
        ({"archiveHistory": [1]}, None, "02000006"),
        ({"archive": 1}, None, "0200001"),
        (None, b"[]", "02000006"),
        (None, b"1", "02000006"),
        (None, b"{bad", "02000008"),
    ],
)
def test_delete_body_rules(client, server, body, raw, code):
    campaign_id = _with_numbers(client)
    assert_code(remove(client, campaign_id, body, raw=raw), code)
    assert status_of(client, campaign_id) == 3
    assert count(server.services, "numbers", campaign_id=campaign_id) == 3


def test_delete_needs_a_json_content_type(client):
    campaign_id = create_campaign(client)
    answer = ok_json(client.delete(one_path(campaign_id), content=b"{}", content_type="text/plain"))
    assert_code(answer, "0200001")
    assert status_of(client, campaign_id) == 3


def test_delete_unknown_campaign(client):
    assert_code(remove(client, 987654), "0200007")


def test_delete_twice(client):
    campaign_id = create_campaign(client)
    assert_code(remove(client, campaign_id), SUCCESS)
    assert_code(remove(client, campaign_id), "0200007")


def test_delete_campaign_of_another_vdn(client, server):
    other = create_campaign(client, vdn=13)
    assert_code(remove(client, other, vdn=12), "0200007")
    assert count(server.services, "campaigns", id=other) == 1


# --- garbage never breaks the server ---

GARBAGE_BODIES = [
    ("array", b"[]", "02000006"),
    ("array-of-objects", b'[{"name": "x"}]', "02000006"),
    ("string", b'"campaign"', "02000006"),
    ("null", b"null", "02000006"),
    ("true", b"true", "02000006"),
    ("empty", b"", "02000001"),
    ("unclosed", b"{", "02000008"),
    ("single-quotes", b"{'name': 'x'}", "02000008"),
    ("nan", b'{"name": NaN}', "02000008"),
    ("infinity", b'{"name": Infinity}', "02000008"),
    ("not-utf8", b"\xff\xfe{}", "02000008"),
    ("deep-arrays", b"[" * 100_000 + b"]" * 100_000, "02000008"),
    (
        "deep-param",
        b'{"skillParam": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}",
        "02000008",
    ),
    ("lone-surrogate", b'{"name": "\\ud800"}', "02000008"),
    ("surrogate-key", b'{"\\udfff": 1}', "02000008"),
    ("surrogate-in-param", b'{"skillParam": {"k": "\\udc00x"}}', "02000008"),
    ("5000-digits", b'{"maxAlertingTime": ' + b"9" * 5000 + b"}", "02000008"),
    ("nested-junk", b'{"name": {"a": [1, {"b": null}]}}', "02000006"),
    ("nested-lists", b'{"name": [[[]]]}', "02000006"),
    ("empty-key", b'{"": 1}', "0200001"),
]


@pytest.mark.parametrize(("raw", "code"), [pytest.param(r, c, id=i) for i, r, c in GARBAGE_BODIES])
@pytest.mark.parametrize("version", [1, 2])
def test_garbage_bodies(client, server, version, raw, code):
    assert_code(ok_json(client.post(campaigns_path(version=version), content=raw)), code)
    # the server still answers afterwards
    assert_code(create(client, version), SUCCESS)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"maxAlertingTime": 10**30}, "02000007"),
        ({"maxAlertingTime": -(10**30)}, "02000007"),
        ({"maxAlertingTime": 10**400}, "02000007"),
        ({"deviceType": 10**30}, "02000007"),
        ({"initStatus": 10**30}, "02000007"),
        ({"maxAlertingTime": 1e300}, "02000006"),
        ({"maxAlertingTime": {"value": 30}}, "02000006"),
        ({"maxAlertingTime": [[30]]}, "02000006"),
        ({"deviceType": None, "name": None, "callerNo": None}, "02000001"),
        ({"name": "a\u0000b"}, "02000002"),
        ({"description": "\u0000"}, "02000002"),
        ({"callBackUrl": "http://e.com/\u0000"}, "02000002"),
    ],
)
def test_garbage_values(client, server, overrides, code):
    before = count(server.services, "campaigns")
    assert_code(ok_json(client.post(campaigns_path(), json=campaign_body(**overrides))), code)
    assert count(server.services, "campaigns") == before


def test_deeply_nested_but_parseable_params_are_stored(client):
    nested: Any = {"leaf": "x"}
    for _ in range(100):
        nested = {"n": nested}
    answer = create(client, skillParam=nested)
    assert_code(answer, SUCCESS)
    assert query(client, answer["returnObject"]["id"])["returnObject"]["skillParam"] == nested


def test_unicode_names_round_trip(client):
    name = "外呼活动-ünïcode-🙂-" + campaign_body()["name"][-6:]
    answer = create(client, name=name)
    assert_code(answer, SUCCESS)
    assert query(client, answer["returnObject"]["id"])["returnObject"]["name"] == name
    assert listing(client, vdn=12, name="ünïcode-🙂")["totalSize"] >= 1


@pytest.mark.parametrize(
    "params",
    [
        {"curPage": "%00"},
        {"name": "\u0000"},
        {"status": "2\u0000"},
        {"beginTime": "\ud7ff"},
        {"name": "%" * 30},
        {"curPage": "9" * 40},
    ],
)
def test_garbage_query_parameters(listed, params):
    signed, _ = listed
    answer = listing(signed, **params)
    assert answer["resultCode"] != "0200006", answer
    assert answer["resultCode"] in {
        SUCCESS,
        "0200001",
        "0200030",
        "02000002",
        "02000003",
        "02000006",
        "02000007",
    }
