"""Call batches (docs/api.md#call-batches): create, list, pause, resume, delete, and what
they change."""

from __future__ import annotations

import pytest

from tests.support.api import (
    SUCCESS,
    add_v2,
    assert_code,
    claim,
    count,
    create_campaign,
    delete,
    new_batch,
    ok_json,
    report,
    rows,
    set_status,
)
from tests.support.api import batch_path as path
from tests.support.api import create_batch as create

pytestmark = pytest.mark.usefixtures("backend")


def listed(client, campaign_id: int, vdn: int = 12, **body) -> dict:  # type: ignore[no-untyped-def]
    body = {"offset": 0, "limit": 100, **body}
    return ok_json(client.request("GET", path(campaign_id, "list", vdn), json=body))


def act(client, campaign_id: int, action: str, body, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(path(campaign_id, action, vdn), json=body))


def test_create_and_list(client):
    campaign_id = create_campaign(client)
    answer = create(client, campaign_id, name="spring A")
    assert_code(answer, SUCCESS)
    first = answer["returnObject"]["id"]
    assert isinstance(first, str) and first.isdigit()
    second = new_batch(client, campaign_id, "spring B", status=1)
    third = new_batch(client, campaign_id, "autumn", status=2)
    everything = listed(client, campaign_id)
    assert_code(everything, SUCCESS)
    assert everything["totalCount"] == 3
    assert everything["data"] == [
        {"id": first, "name": "spring A", "status": 2},  # paused unless asked otherwise
        {"id": second, "name": "spring B", "status": 1},
        {"id": third, "name": "autumn", "status": 2},
    ]
    assert [b["id"] for b in listed(client, campaign_id, name="spring")["data"]] == [first, second]
    assert listed(client, campaign_id, name="SPRING")["totalCount"] == 0
    assert [b["id"] for b in listed(client, campaign_id, status=2)["data"]] == [first, third]
    page = listed(client, campaign_id, offset=1, limit=1)
    assert page["totalCount"] == 3 and [b["id"] for b in page["data"]] == [second]
    assert listed(client, create_campaign(client))["data"] == []


def test_names_are_unique_per_campaign(client, server):
    campaign_id, other = create_campaign(client), create_campaign(client)
    new_batch(client, campaign_id, "b")
    # Huawei's add page: a batch name already taken answers 03000001
    assert_code(create(client, campaign_id, name="b"), "03000001")
    new_batch(client, other, "b")
    assert count(server.services, "call_batches", campaign_id=campaign_id) == 1


def test_a_campaign_holds_at_most_100_batches(client, server):
    campaign_id = create_campaign(client)
    for n in range(100):
        new_batch(client, campaign_id, f"b{n}")
    # Huawei's add page: the batch after the campaign's maximum answers 03000003
    assert_code(create(client, campaign_id, name="one more"), "03000003")
    assert count(server.services, "call_batches", campaign_id=campaign_id) == 100


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "02000001"),
        ({"status": 1}, "02000001"),
        ({"name": "x" * 256}, "02000003"),
        ({"name": "a/b"}, "02000002"),
        ({"name": "a;b"}, "02000002"),
        ({"name": "b", "status": 3}, "02000007"),
        ({"name": "b", "status": "one"}, "02000006"),
        ({"name": "b", "colour": "red"}, "0200001"),
    ],
)
def test_create_refusals(client, server, body, code):
    campaign_id = create_campaign(client)
    assert_code(create(client, campaign_id, **body), code)
    assert count(server.services, "call_batches", campaign_id=campaign_id) == 0


def test_batches_of_a_missing_campaign_or_another_vdn(client):
    campaign_id = create_campaign(client)
    batch_id = new_batch(client, campaign_id, "b")
    assert_code(create(client, 987654, name="b"), "0200007")
    assert_code(create(client, campaign_id, vdn=13, name="c"), "0200007")
    assert_code(listed(client, campaign_id, vdn=13), "0200007")
    assert_code(act(client, campaign_id, "pause", {"id": batch_id}, vdn=13), "0200007")
    assert_code(act(client, campaign_id, "delete", {"id": batch_id}, vdn=13), "0200007")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"limit": 10}, "02000001"),
        ({"offset": 0}, "02000001"),
        ({"offset": -1, "limit": 10}, "02000007"),
        ({"offset": 0, "limit": 0}, "02000007"),
        ({"offset": 0, "limit": 101}, "02000007"),
        ({"offset": 0, "limit": 10, "status": 3}, "02000007"),
        ({"offset": 0, "limit": 10, "page": 1}, "0200001"),
    ],
)
def test_list_refusals(client, body, code):
    campaign_id = create_campaign(client)
    answer = ok_json(client.request("GET", path(campaign_id, "list"), json=body))
    assert_code(answer, code)


def test_pause_and_resume(client):
    campaign_id = create_campaign(client, init_status=0)
    batch_id = new_batch(client, campaign_id, "b", status=1)
    assert_code(act(client, campaign_id, "pause", {"id": batch_id}), SUCCESS)
    assert listed(client, campaign_id)["data"][0]["status"] == 2
    assert_code(act(client, campaign_id, "pause", {"id": batch_id}), "03000006")
    assert_code(act(client, campaign_id, "resume", {"id": batch_id}), SUCCESS)
    assert listed(client, campaign_id)["data"][0]["status"] == 1
    assert_code(act(client, campaign_id, "resume", {"id": batch_id}), "0200011")
    assert_code(act(client, campaign_id, "pause", {"id": "404"}), "03000004")
    assert_code(act(client, campaign_id, "resume", {"id": "404"}), "03000004")
    assert_code(act(client, campaign_id, "pause", {}), "02000001")
    assert_code(act(client, campaign_id, "pause", {"id": batch_id, "x": 1}), "0200001")


def test_a_paused_campaign_refuses_batch_pause_but_resumes_batches(client):
    # Huawei's pause page allows draft, executing and completed campaigns; its resume page
    # adds paused (suspended) ones.
    campaign_id = create_campaign(client, init_status=1)
    batch_id = new_batch(client, campaign_id, "b", status=1)
    assert_code(act(client, campaign_id, "pause", {"id": batch_id}), "03000002")
    assert_code(act(client, campaign_id, "pause", {"id": "404"}), "03000002")  # campaign first
    assert listed(client, campaign_id)["data"][0]["status"] == 1
    paused = new_batch(client, campaign_id, "p", status=2)
    assert_code(act(client, campaign_id, "resume", {"id": paused}), SUCCESS)
    assert [b["status"] for b in listed(client, campaign_id)["data"]] == [1, 1]
    assert_code(act(client, campaign_id, "resume", {"id": paused}), "0200011")
    assert_code(act(client, campaign_id, "resume", {"id": "404"}), "03000004")


def test_v2_adds_take_a_batch_of_the_campaign(client, server):
    campaign_id, other = create_campaign(client), create_campaign(client)
    batch_id = new_batch(client, campaign_id, "b")
    assert_code(add_v2(client, campaign_id, ["1390000001"], batch_id), SUCCESS)
    assert [r["batch_id"] for r in rows(server.services, "numbers", campaign_id=campaign_id)] == [
        batch_id
    ]
    assert_code(add_v2(client, other, ["1390000002"], batch_id), "03000004")
    assert_code(add_v2(client, campaign_id, ["1390000003"], "404"), "03000004")
    assert count(server.services, "numbers", campaign_id=other) == 0
    assert count(server.services, "numbers", campaign_id=campaign_id) == 1


def test_numbers_of_a_paused_batch_are_not_claimed(client):
    campaign_id = create_campaign(client, init_status=0)
    paused = new_batch(client, campaign_id, "paused", status=2)
    started = new_batch(client, campaign_id, "started", status=1)
    assert_code(add_v2(client, campaign_id, ["1390000011", "1390000012"], paused), SUCCESS)
    assert_code(add_v2(client, campaign_id, ["1390000013"], started), SUCCESS)
    assert_code(add_v2(client, campaign_id, ["1390000014"], None), SUCCESS)
    got = [item["phoneNumber"] for item in claim(client, campaign_id, 10)]
    assert sorted(got) == [["1390000013"], ["1390000014"]]
    assert_code(act(client, campaign_id, "resume", {"id": paused}), SUCCESS)
    got = [item["phoneNumber"] for item in claim(client, campaign_id, 10)]
    assert sorted(got) == [["1390000011"], ["1390000012"]]


def test_delete_follows_the_seeds_rules(client, server):
    campaign_id = create_campaign(client, init_status=0)
    batch_id = new_batch(client, campaign_id, "b", status=1)
    numbers = ["1390000021", "1390000022", "1390000023"]
    assert_code(add_v2(client, campaign_id, numbers, batch_id), SUCCESS)
    assert_code(add_v2(client, campaign_id, ["1390000024"], None), SUCCESS)
    [attempted] = claim(client, campaign_id, 1)
    assert report(client, campaign_id, attempted["uniqueId"])["result"] == "0"

    executing = act(client, campaign_id, "delete", {"id": batch_id})
    assert_code(executing, "0200028")
    assert executing["successCount"] == 0
    assert count(server.services, "numbers", campaign_id=campaign_id) == 4

    assert_code(set_status(client, campaign_id, "pause"), SUCCESS)
    assert_code(act(client, campaign_id, "delete", {"id": "404"}), "03000004")
    answer = act(client, campaign_id, "delete", {"id": batch_id, "archiveHistory": 1})
    assert_code(answer, SUCCESS)
    assert answer["successCount"] == 2 and "1 matched numbers were kept" in answer["resultDesc"]
    history = rows(server.services, "number_history", campaign_id=campaign_id)
    assert sorted(r["called"] for r in history) == sorted(
        n for n in numbers if n != attempted["phoneNumber"][0]
    )
    assert {r["reason"] for r in history} == {"batch-delete"}
    left = rows(server.services, "numbers", campaign_id=campaign_id)
    assert sorted(r["called"] for r in left) == sorted([attempted["phoneNumber"][0], "1390000024"])
    # the batch keeps the number with call history, so it stays
    assert [b["id"] for b in listed(client, campaign_id)["data"]] == [batch_id]
    again = act(client, campaign_id, "delete", {"id": batch_id})
    assert_code(again, "0200028")
    assert again["successCount"] == 0


def test_deleting_a_batch_of_pending_numbers_removes_it(client, server):
    campaign_id = create_campaign(client, init_status=1)
    batch_id = new_batch(client, campaign_id, "b")
    empty = new_batch(client, campaign_id, "empty")
    assert_code(add_v2(client, campaign_id, ["1390000031", "1390000032"], batch_id), SUCCESS)
    answer = act(client, campaign_id, "delete", {"id": batch_id, "archiveHistory": 0})
    assert_code(answer, SUCCESS)
    assert answer["successCount"] == 2 and answer["resultDesc"] == ""
    assert count(server.services, "numbers", campaign_id=campaign_id) == 0
    assert count(server.services, "number_history", campaign_id=campaign_id) == 0
    assert_code(act(client, campaign_id, "delete", {"id": empty}), SUCCESS)
    assert listed(client, campaign_id)["totalCount"] == 0
    assert_code(act(client, campaign_id, "delete", {"id": batch_id}), "03000004")
    assert_code(act(client, campaign_id, "delete", {"id": empty, "archiveHistory": 2}), "02000007")
    # the batch delete is in the audit log (docs/api.md#audit-log); the empty one removed nothing
    mine = f'"campaignId":{campaign_id}'
    audited = [e for e in server.services.audit.entries(vdn_id=12) if mine in e["detail"]]
    assert [e["operation"] for e in audited] == ["batch-delete"]
    assert '"deleted":2' in audited[0]["detail"]


def test_the_seeds_delete_filters_by_batch(client, server):
    campaign_id = create_campaign(client, init_status=1)
    first, second = new_batch(client, campaign_id, "one"), new_batch(client, campaign_id, "two")
    assert_code(add_v2(client, campaign_id, ["1390000041", "1390000042"], first), SUCCESS)
    assert_code(add_v2(client, campaign_id, ["1390000041"], second), SUCCESS)
    answer = delete(client, campaign_id, {"batchId": first})
    assert_code(answer, SUCCESS)
    assert answer["successCount"] == 2
    assert [r["batch_id"] for r in rows(server.services, "numbers", campaign_id=campaign_id)] == [
        second
    ]
    narrowed = delete(client, campaign_id, {"batchId": second, "called": "1390000099"})
    assert narrowed["successCount"] == 0
    assert_code(delete(client, campaign_id, {"batchId": "x" * 65}), "02000003")


def test_deleting_a_campaign_deletes_its_batches(client, server):
    campaign_id = create_campaign(client)
    new_batch(client, campaign_id, "b")
    answer = ok_json(
        client.request("DELETE", f"/rest/isales/v1/openapi/campaigns/12/{campaign_id}", json={})
    )
    assert_code(answer, SUCCESS)
    assert count(server.services, "call_batches", campaign_id=campaign_id) == 0


def test_rename(client):
    campaign_id = create_campaign(client)
    first, second = new_batch(client, campaign_id, "first"), new_batch(client, campaign_id, "two")
    assert_code(act(client, campaign_id, "update", {"id": first, "name": "one"}), SUCCESS)
    assert [b["name"] for b in listed(client, campaign_id)["data"]] == ["one", "two"]
    assert_code(act(client, campaign_id, "update", {"id": first, "name": "one"}), SUCCESS)
    assert_code(act(client, campaign_id, "update", {"id": second, "name": "one"}), "0200005")
    assert_code(act(client, campaign_id, "update", {"id": "404", "name": "x"}), "03000004")
    assert_code(act(client, campaign_id, "update", {"id": first}), "02000001")
    assert_code(act(client, campaign_id, "update", {"id": first, "name": "a?b"}), "02000002")
    assert_code(act(client, campaign_id, "update", {"id": first, "name": "x"}, vdn=13), "0200007")
    assert [b["name"] for b in listed(client, campaign_id)["data"]] == ["one", "two"]


def test_a_number_restored_after_its_batch_was_deleted_comes_back_without_it(client, server):
    campaign_id = create_campaign(client, init_status=1)
    gone, kept = new_batch(client, campaign_id, "gone"), new_batch(client, campaign_id, "kept")
    assert_code(add_v2(client, campaign_id, ["1390000051", "1390000052"], gone), SUCCESS)
    assert_code(add_v2(client, campaign_id, ["1390000053"], kept), SUCCESS)
    archived = delete(client, campaign_id, {"batchId": kept, "archiveHistory": 1})
    assert_code(archived, SUCCESS)
    answer = act(client, campaign_id, "delete", {"id": gone, "archiveHistory": 1})
    assert_code(answer, SUCCESS)
    assert [b["id"] for b in listed(client, campaign_id)["data"]] == [kept]
    data_ids = [
        str(r["id"])
        for r in rows(server.services, "number_history")
        if r["campaign_id"] == campaign_id
    ]
    assert len(data_ids) == 3
    restore = f"/rest/isales/v1/openapi/campaigns/12/calldata/{campaign_id}/history/restore"
    restored = ok_json(client.post(restore, json={"dataIds": data_ids}))
    assert_code(restored, SUCCESS)
    batch_of = {
        r["called"]: r["batch_id"]
        for r in rows(server.services, "numbers")
        if r["campaign_id"] == campaign_id
    }
    assert batch_of == {"1390000051": None, "1390000052": None, "1390000053": kept}
