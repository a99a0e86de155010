"""Special dates (holidays) of a campaign (docs/api.md#special-dates)."""

from __future__ import annotations

import pytest

from isales.store import special_dates as special_date_store
from tests.support.api import SUCCESS, assert_code, count, create_campaign, execute_sql, ok_json
from tests.support.stores import refuse

pytestmark = pytest.mark.usefixtures("backend")


def path(campaign_id: int, vdn: int = 12) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{vdn}/holiday/{campaign_id}"


def add(client, campaign_id: int, vdn: int = 12, **body) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(path(campaign_id, vdn), json=body))


def listed(client, campaign_id: int, vdn: int = 12) -> list[dict]:  # type: ignore[no-untyped-def]
    answer = ok_json(client.get(path(campaign_id, vdn)))
    assert_code(answer, SUCCESS)
    return answer["data"]


def remove(client, campaign_id: int, body, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.request("DELETE", path(campaign_id, vdn), json=body))


WEEKEND = {"name": "weekend", "type": 1, "week": "6,7"}
NATIONAL = {"name": "national", "type": 2, "beginTime": "2026-10-01", "endTime": "2026-10-07"}
NEW_YEAR = {"name": "new year", "type": 3, "beginTime": "01-01", "endTime": "01-01"}


def test_add_query_and_what_the_dialer_reads(client, server):
    campaign_id = create_campaign(client)
    ids = []
    for body in (WEEKEND, NATIONAL, NEW_YEAR):
        answer = add(client, campaign_id, **body)
        assert_code(answer, SUCCESS)
        ids.append(answer["returnObject"]["id"])
    assert listed(client, campaign_id) == [
        {"id": ids[0], "name": "weekend", "type": 1, "week": "6,7", "beginTime": "", "endTime": ""},
        {
            "id": ids[1],
            "name": "national",
            "type": 2,
            "week": "",
            "beginTime": "2026-10-01",
            "endTime": "2026-10-07",
        },
        {
            "id": ids[2],
            "name": "new year",
            "type": 3,
            "week": "",
            "beginTime": "01-01",
            "endTime": "01-01",
        },
    ]
    with server.services.store.read() as conn:
        stored = special_date_store.list_for_campaign(conn, campaign_id)
    assert [(r["id"], r["name"], r["type"], r["week"], r["begin"], r["end"]) for r in stored] == [
        (ids[0], "weekend", 1, "6,7", None, None),
        (ids[1], "national", 2, None, "2026-10-01", "2026-10-07"),
        (ids[2], "new year", 3, None, "01-01", "01-01"),
    ]
    assert listed(client, create_campaign(client)) == []


def test_names_are_unique_per_campaign(client):
    first, second = create_campaign(client), create_campaign(client)
    assert_code(add(client, first, **WEEKEND), SUCCESS)
    assert_code(add(client, first, **{**NATIONAL, "name": "weekend"}), "0200005")
    assert_code(add(client, second, **WEEKEND), SUCCESS)
    assert len(listed(client, first)) == 1


def test_fewer_than_twenty_per_campaign(client, server):
    campaign_id = create_campaign(client)
    for n in range(19):
        assert_code(add(client, campaign_id, **{**WEEKEND, "name": f"d{n}"}), SUCCESS)
    answer = add(client, campaign_id, **{**WEEKEND, "name": "d19"})
    assert_code(answer, "02000011")
    assert count(server.services, "special_dates", campaign_id=campaign_id) == 19
    assert_code(remove(client, campaign_id, {"name": "d0"}), SUCCESS)
    assert_code(add(client, campaign_id, **{**WEEKEND, "name": "d19"}), SUCCESS)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"type": 1, "week": "6"}, "02000001"),
        ({"name": "x" * 31, "type": 1, "week": "6"}, "02000003"),
        ({"name": "n"}, "02000001"),
        ({"name": "n", "type": 4, "week": "6"}, "02000007"),
        ({"name": "n", "type": "one", "week": "6"}, "02000006"),
        ({"name": "n", "type": 1}, "02000001"),
        ({"name": "n", "type": 1, "week": "8"}, "02000002"),
        ({"name": "n", "type": 1, "week": "6;7"}, "02000002"),
        ({"name": "n", "type": 1, "week": "67"}, "02000007"),
        ({"name": "n", "type": 1, "week": "6,,7"}, "02000007"),
        ({"name": "n", "type": 1, "week": "6,6"}, "02000007"),
        ({"name": "n", "type": 1, "week": "1,2,3,4,5,6,7,1"}, "02000003"),
        ({"name": "n", "type": 1, "week": "6", "beginTime": "01-01"}, "02000009"),
        ({"name": "n", "type": 2, "beginTime": "2026-10-01"}, "02000001"),
        ({"name": "n", "type": 2, "endTime": "2026-10-01"}, "02000001"),
        ({"name": "n", "type": 2, "week": "6", "beginTime": "2026-10-01"}, "02000009"),
        ({"name": "n", "type": 2, "beginTime": "2026-02-30", "endTime": "2026-03-01"}, "0200030"),
        ({"name": "n", "type": 2, "beginTime": "10-01", "endTime": "10-02"}, "0200030"),
        ({"name": "n", "type": 2, "beginTime": "2026-10-01", "endTime": "2026-10-01x"}, "02000003"),
        ({"name": "n", "type": 2, "beginTime": "2026-10-02", "endTime": "2026-10-01"}, "02000009"),
        ({"name": "n", "type": 3, "beginTime": "2026-10-01", "endTime": "2026-10-02"}, "0200030"),
        ({"name": "n", "type": 3, "beginTime": "13-01", "endTime": "13-02"}, "0200030"),
        ({"name": "n", "type": 3, "beginTime": "12-25", "endTime": "01-05"}, "02000009"),
        ({"name": "n", "type": 1, "week": "6", "color": "red"}, "0200001"),
    ],
)
def test_add_rules(client, server, body, code):
    campaign_id = create_campaign(client)
    assert_code(add(client, campaign_id, **body), code)
    assert count(server.services, "special_dates", campaign_id=campaign_id) == 0


def test_leap_day_repeats_yearly(client):
    campaign_id = create_campaign(client)
    body = {"name": "leap", "type": 3, "beginTime": "02-29", "endTime": "02-29"}
    assert_code(add(client, campaign_id, **body), SUCCESS)


def test_campaign_must_exist_in_the_vdn(client):
    other_vdn = create_campaign(client, vdn=13)
    for campaign_id in (other_vdn, 987654):
        assert_code(add(client, campaign_id, **WEEKEND), "0200007")
        assert_code(ok_json(client.get(path(campaign_id))), "0200007")
        assert_code(remove(client, campaign_id, {"name": "weekend"}), "0200007")


def test_delete_by_name_or_id(client):
    campaign_id = create_campaign(client)
    assert_code(add(client, campaign_id, **WEEKEND), SUCCESS)
    national = add(client, campaign_id, **NATIONAL)["returnObject"]["id"]
    assert_code(remove(client, campaign_id, {"name": "weekend"}), SUCCESS)
    assert [d["name"] for d in listed(client, campaign_id)] == ["national"]
    assert_code(remove(client, campaign_id, {"id": national}), SUCCESS)
    assert listed(client, campaign_id) == []
    assert_code(remove(client, campaign_id, {"name": "weekend"}), "0200033")
    assert_code(remove(client, campaign_id, {"id": national}), "0200033")


def test_delete_only_in_its_campaign(client):
    first, second = create_campaign(client), create_campaign(client)
    date_id = add(client, first, **WEEKEND)["returnObject"]["id"]
    assert_code(remove(client, second, {"id": date_id}), "0200033")
    assert_code(remove(client, second, {"name": "weekend"}), "0200033")
    assert len(listed(client, first)) == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "02000001"),
        ({"name": "weekend", "id": 1}, "02000009"),
        ({"name": "x" * 31}, "02000003"),
        ({"id": 0}, "02000007"),
        ({"id": "one"}, "02000006"),
        ({"names": ["weekend"]}, "0200001"),
    ],
)
def test_delete_rules(client, body, code):
    campaign_id = create_campaign(client)
    assert_code(add(client, campaign_id, **WEEKEND), SUCCESS)
    assert_code(remove(client, campaign_id, body), code)
    assert len(listed(client, campaign_id)) == 1


def test_query_takes_no_query_parameters(client):
    campaign_id = create_campaign(client)
    assert_code(ok_json(client.get(path(campaign_id), params={"name": "x"})), "0200001")


@pytest.mark.parametrize("operation", ["INSERT", "DELETE", "SELECT"])
def test_store_failures(make_server, backend, operation):
    server = make_server()
    with server.client() as client:
        campaign_id = create_campaign(client)
        assert_code(add(client, campaign_id, **WEEKEND), SUCCESS)
        if operation == "SELECT":
            execute_sql(server.services, "ALTER TABLE special_dates RENAME TO special_dates_away")
            assert_code(ok_json(client.get(path(campaign_id))), "0200006")
            return
        refuse(server, backend, "special_dates", operation)
        answer = (
            add(client, campaign_id, **NATIONAL)
            if operation == "INSERT"
            else remove(client, campaign_id, {"name": "weekend"})
        )
        assert_code(answer, "0200006")
    assert count(server.services, "special_dates", campaign_id=campaign_id) == 1


@pytest.mark.parametrize(("campaign", "code"), [("x", "02000006"), ("0", "02000007")])
def test_path_campaign_id(client, campaign, code):
    url = f"/rest/isales/v1/openapi/campaigns/12/holiday/{campaign}"
    assert_code(ok_json(client.post(url, json=WEEKEND)), code)
    assert_code(ok_json(client.get(url)), code)
    assert_code(ok_json(client.request("DELETE", url, json={"name": "weekend"})), code)


def test_deleting_a_campaign_removes_its_special_dates(client, server):
    campaign_id = create_campaign(client)
    assert (
        add(client, campaign_id, name="xmas", type=3, beginTime="12-25", endTime="12-25")[
            "resultCode"
        ]
        == SUCCESS
    )
    answer = client.delete(f"/rest/isales/v1/openapi/campaigns/12/{campaign_id}").json()
    assert_code(answer, SUCCESS)
    assert count(server.services, "special_dates", campaign_id=campaign_id) == 0
