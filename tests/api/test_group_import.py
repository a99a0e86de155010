"""Task-group import (`…/groupcalldata?campaignGroupId=`, docs/api.md, "Task-group import")
on SQLite and PostgreSQL: v2 records go to the campaign the group id names."""

from __future__ import annotations

import pytest

from tests.support.api import (
    SUCCESS,
    assert_code,
    create_campaign,
    ok_json,
    rows,
)

pytestmark = pytest.mark.usefixtures("backend")


GROUP_PATH = "/rest/isales/v1/openapi/campaigns/12/groupcalldata"


def group_post(client, group: str | None, body: dict) -> dict:  # type: ignore[no-untyped-def]
    params = {} if group is None else {"campaignGroupId": group}
    return ok_json(client.post(GROUP_PATH, params=params, json=body))


def record(called: str, **fields) -> dict:  # type: ignore[no-untyped-def]
    return {"called": [{"calledNo": called}], **fields}


def test_group_import_adds_v2_records_with_priority(client, server):
    campaign_id = create_campaign(client)
    body = {"callDataList": [record("13900000001", priority="1"), record("13900000002")]}
    answer = group_post(client, str(campaign_id), body)
    assert_code(answer, SUCCESS)
    listed = answer["returnObject"]["dataIdList"]
    assert [item["called"] for item in listed] == ["13900000001", "13900000002"]
    stored = {
        r["called"]: r["priority"]
        for r in rows(server.services, "numbers", campaign_id=campaign_id)
    }
    assert stored == {"13900000001": 1, "13900000002": 3}


@pytest.mark.parametrize(
    ("group", "body", "code"),
    [
        ("999999", {"callDataList": [record("1")]}, "0200007"),
        ("x", {"callDataList": [record("1")]}, "02000002"),
        ("9999999999", {"callDataList": [record("1")]}, "02000007"),
        (None, {"callDataList": [record("1")]}, "02000001"),
        ("CAMPAIGN", {"callDataList": [record("1", priority=6)]}, "02000007"),
        ("CAMPAIGN", {"callDataList": [record(str(i)) for i in range(21)]}, "0200029"),
        ("CAMPAIGN", {"callDataList": [record("1"), record("1")]}, "0200018"),
        ("CAMPAIGN", {"callDataList": [{"called": "1"}]}, "02000006"),
        ("CAMPAIGN", {}, "02000001"),
    ],
)
def test_group_import_rules(client, server, group, body, code):
    campaign_id = create_campaign(client)
    group = str(campaign_id) if group == "CAMPAIGN" else group
    assert_code(group_post(client, group, body), code)
    assert rows(server.services, "numbers", campaign_id=campaign_id) == []
