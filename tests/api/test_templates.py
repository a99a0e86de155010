"""Campaign templates (docs/api.md#campaign-templates): create, copy, list, query."""

from __future__ import annotations

import pytest

from tests.support.api import (
    SUCCESS,
    assert_code,
    campaign_body,
    campaigns_path,
    count,
    create_campaign,
    ok_json,
)

pytestmark = pytest.mark.usefixtures("backend")

SCHEDULE = {"workdayBeginTime1": "09:00", "workdayEndTime1": "18:00"}


def path(vdn: int = 12) -> str:
    return campaigns_path(vdn) + "/template"


def template_body(**overrides) -> dict:  # type: ignore[no-untyped-def]
    body = {
        "name": "spring",
        "description": "a template",
        "deviceType": 2,
        "callerNo": [{"accessCode": "10086", "priority": 1}],
        "maxAlertingTime": 30,
        "priority": 2,
        "scheduleParam": SCHEDULE,
        "skillParam": {"skillId": 7},
        "retryPolicy": {"policyType": 0, "policyJson": "[]"},
        "callBackUrl": "https://example.invalid/results",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def create(client, vdn: int = 12, **overrides) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(path(vdn), json=template_body(**overrides)))


def copy(client, vdn: int = 12, **body) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(path(vdn) + "/copy", json=body))


def listed(client, vdn: int = 12, **params) -> dict:  # type: ignore[no-untyped-def]
    params = {"status": 9, "offset": 0, "limit": 100, **params}
    return ok_json(client.get(path(vdn), params=params))


def one(client, template_id, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.get(f"{path(vdn)}/{template_id}"))


def test_create_and_query_one(client):
    answer = create(client, name="create-1")
    assert_code(answer, SUCCESS)
    template_id = answer["returnObject"]["id"]
    assert isinstance(template_id, int)
    detail = one(client, template_id)
    assert_code(detail, SUCCESS)
    assert detail["returnObject"] == {
        "id": str(template_id),
        "name": "create-1",
        "description": "a template",
        "status": 9,
        "deviceType": 2,
        "callerNo": [{"accessCode": "10086", "priority": 1}],
        "maxAlertingTime": 30,
        "priority": 2,
        "scheduleParam": SCHEDULE,
        "ivrParam": None,
        "skillParam": {"skillId": 7},
        "retryPolicy": {"policyType": 0, "policyJson": "[]"},
        "callPolicy": None,
        "callBackUrl": "https://example.invalid/results",
    }
    paused = create(client, name="create-2", initStatus=1)
    assert one(client, paused["returnObject"]["id"])["returnObject"]["status"] == 3
    assert_code(one(client, template_id, vdn=13), "0200007")
    assert_code(one(client, 987654), "0200007")


def test_names_are_unique_per_vdn(client, server):
    assert_code(create(client, name="unique"), SUCCESS)
    assert_code(create(client, name="unique"), "0200005")
    assert_code(create(client, vdn=13, name="unique"), SUCCESS)
    assert count(server.services, "campaign_templates", vdn_id=12, name="unique") == 1


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": ...}, "02000001"),
        ({"name": "n" * 101}, "02000003"),
        ({"description": "a<b"}, "02000002"),
        ({"deviceType": 4}, "02000007"),
        ({"callerNo": "10086"}, "02000006"),
        ({"maxAlertingTime": 61}, "02000007"),
        ({"deviceType": 5, "maxAlertingTime": 8}, "02000007"),
        ({"maxAlertingTime": 121}, "02000007"),
        ({"scheduleParam": {"workdayBeginTime1": "09:00"}}, "02000009"),
        ({"skillParam": ...}, "02000001"),
        ({"deviceType": 3, "skillParam": ...}, "02000001"),
        ({"initStatus": 2}, "02000007"),
        ({"strBeginTime": "2031-01-01 00:00:00"}, "0200001"),
        ({"retryPolicy": {"policyType": 5, "policyJson": "[]"}}, "02000007"),
    ],
)
def test_create_refusals(client, server, overrides, code):
    before = count(server.services, "campaign_templates")
    assert_code(create(client, **{"name": "refused", **overrides}), code)
    assert count(server.services, "campaign_templates") == before


def test_a_preview_template_may_ring_up_to_120_seconds(client):
    assert_code(create(client, name="preview", deviceType=5, maxAlertingTime=120), SUCCESS)


def test_copy_from_a_campaign_and_from_a_template(client):
    body = campaign_body(
        version=2,
        name="source-campaign",
        maxAlertingTime=40,
        scheduleParam=SCHEDULE,
        callBackUrl="https://example.invalid/cb",
    )
    answer = ok_json(client.post(campaigns_path(12, version=2), json=body))
    assert_code(answer, SUCCESS)
    campaign_id = answer["returnObject"]["id"]
    copied = copy(
        client, name="from-campaign", description="copied", **{"from": campaign_id}, initStatus=1
    )
    assert_code(copied, SUCCESS)
    template = one(client, copied["returnObject"]["id"])["returnObject"]
    assert (template["name"], template["description"], template["status"]) == (
        "from-campaign",
        "copied",
        3,
    )
    assert (template["deviceType"], template["maxAlertingTime"], template["callBackUrl"]) == (
        2,
        40,
        "https://example.invalid/cb",
    )
    assert template["callerNo"] == body["callerNo"]
    assert template["scheduleParam"] == SCHEDULE
    again = copy(client, name="from-template", **{"from": int(template["id"])})
    assert_code(again, SUCCESS)
    second = one(client, again["returnObject"]["id"])["returnObject"]
    assert second["status"] == 9 and second["maxAlertingTime"] == 40


def test_template_ids_never_collide_with_campaign_ids(client):
    campaign_id = create_campaign(client, name="id-space-campaign")
    template_id = create(client, name="id-space-template")["returnObject"]["id"]
    assert template_id > 1_000_000_000 > campaign_id
    assert_code(one(client, campaign_id), "0200007")  # a campaign id is no template id


def test_copy_source_rules(client):
    campaign_id = create_campaign(client, name="copy-source")
    assert_code(copy(client, name="missing", **{"from": 987654}), "0200007")
    assert_code(copy(client, name="missing-template", **{"from": 1_000_987_654}), "0200007")
    assert_code(copy(client, vdn=13, name="other-vdn", **{"from": campaign_id}), "0200007")
    assert_code(create(client, name="taken"), SUCCESS)
    assert_code(copy(client, name="taken", **{"from": campaign_id}), "0200005")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"from": 1}, "02000001"),
        ({"name": "n"}, "02000001"),
        ({"name": "n", "from": "x"}, "02000006"),
        ({"name": "n", "from": 0}, "02000007"),
        ({"name": "n", "from": 1, "initStatus": 3}, "02000007"),
        ({"name": "n", "from": 2_147_483_648}, "02000007"),
        ({"name": "n", "from": 1, "deviceType": 2}, "0200001"),
    ],
)
def test_copy_refusals(client, body, code):
    assert_code(copy(client, **body), code)


def test_list(server):
    with server.client((14,)) as client:
        ids = [create(client, vdn=14, name=f"list-{n}")["returnObject"]["id"] for n in range(3)]
        paused = create(client, vdn=14, name="list-paused", initStatus=1)["returnObject"]["id"]
        ivr = create(
            client, vdn=14, name="other", deviceType=3, skillParam=..., ivrParam={"flowId": 1}
        )["returnObject"]["id"]
        answer = listed(client, vdn=14)
        assert_code(answer, SUCCESS)
        assert answer["totalSize"] == 4 and (answer["offset"], answer["limit"]) == (0, 100)
        assert answer["data"][0] == {"id": ids[0], "name": "list-0", "status": 9, "taskType": 2}
        assert [t["id"] for t in answer["data"]] == [*ids, ivr]
        assert [t["id"] for t in listed(client, vdn=14, status=3)["data"]] == [paused]
        assert [t["id"] for t in listed(client, vdn=14, name="list-")["data"]] == ids
        assert [t["id"] for t in listed(client, vdn=14, taskType=3)["data"]] == [ivr]
        page = listed(client, vdn=14, offset=1, limit=2)
        assert page["totalSize"] == 4 and [t["id"] for t in page["data"]] == ids[1:3]
        assert listed(client, vdn=14, status=1)["data"] == []


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"status": ""}, "02000001"),
        ({"status": 2}, "02000007"),
        ({"offset": -1}, "02000007"),
        ({"limit": 101}, "02000007"),
        ({"limit": ""}, "02000001"),
        ({"taskType": 4}, "02000007"),
        ({"name": "n" * 31}, "02000003"),
        ({"page": 1}, "0200001"),
    ],
)
def test_list_refusals(client, params, code):
    assert_code(listed(client, **params), code)


@pytest.mark.parametrize(("template_id", "code"), [("x", "02000006"), ("0", "02000007")])
def test_template_id_is_a_positive_integer(client, template_id, code):
    assert_code(one(client, template_id), code)


def update(client, template_id, vdn: int = 12, **overrides) -> dict:  # type: ignore[no-untyped-def]
    path_ = f"{path(vdn)}/{template_id}/update"
    return ok_json(client.put(path_, json=template_body(**overrides)))


def test_update_replaces_the_settings_but_not_device_or_status(client):
    template_id = create(client, name="to-update", initStatus=1)["returnObject"]["id"]
    answer = update(client, template_id, name="updated", maxAlertingTime=45, priority=...)
    assert_code(answer, SUCCESS)
    template = one(client, template_id)["returnObject"]
    assert (template["name"], template["maxAlertingTime"], template["priority"]) == (
        "updated",
        45,
        None,
    )
    assert template["status"] == 3  # initStatus is ignored on update
    assert_code(update(client, template_id, name="updated", deviceType=5), "02000007")
    assert_code(create(client, name="other-name"), SUCCESS)
    assert_code(update(client, template_id, name="other-name"), "0200005")
    assert_code(update(client, template_id, vdn=13, name="x"), "0200007")
    assert_code(update(client, 1_000_987_654, name="x"), "0200007")
    assert_code(update(client, template_id, name="n" * 101), "02000003")
    assert one(client, template_id)["returnObject"]["name"] == "updated"
