"""Delete preview, the count guard and restore from history, over real HTTP on both stores
(docs/api.md#data-lifecycle-isales-extensions)."""

from __future__ import annotations

import base64
import threading

import pytest

from tests.support.api import (
    SUCCESS,
    add_numbers,
    assert_code,
    calldata_path,
    claim,
    count,
    create_campaign,
    delete,
    execute_sql,
    numbers,
    ok_json,
    report,
    rows,
    set_status,
)

pytestmark = pytest.mark.usefixtures("backend")


def preview(client, campaign_id: int, body: dict, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(calldata_path(campaign_id, vdn) + "/delete/preview", json=body))


def restore(client, campaign_id: int, body: dict, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(calldata_path(campaign_id, vdn) + "/history/restore", json=body))


def archive(client, campaign_id: int, body: dict) -> tuple[dict, str]:  # type: ignore[no-untyped-def]
    """Delete with archiveHistory 1; (answer, the request id that stamped the history)."""
    response = client.post(
        calldata_path(campaign_id) + "/delete", json={**body, "archiveHistory": 1}
    )
    return ok_json(response), response.headers["x-request-id"]


def campaign_in_every_state(client, server) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    """10 matching numbers: 2 calling, 1 awaiting retry, 1 completed, 6 pending; executing."""
    campaign_id = create_campaign(client, init_status=0)
    ids = add_numbers(client, campaign_id, numbers(10, "1391111", customField="batch"))
    add_numbers(client, campaign_id, numbers(3, "1392222", customField="other"))
    claimed = [item["uniqueId"] for item in claim(client, campaign_id, 4)]
    assert report(client, campaign_id, claimed[0])["result"] == "0"  # completed
    assert report(client, campaign_id, claimed[1])["result"] == "0"
    execute_sql(
        server.services,
        f"UPDATE numbers SET state = 'retry', attempts = 1 WHERE id = {claimed[1]}",
    )
    return campaign_id, ids


def test_preview_counts_numbers_in_every_state_and_changes_nothing(client, server):
    campaign_id, ids = campaign_in_every_state(client, server)
    before = rows(server.services, "numbers", campaign_id=campaign_id)
    answer = preview(client, campaign_id, {"customField": "batch"})
    assert_code(answer, SUCCESS)
    assert answer["matched"] == 10
    assert answer["deletable"] == 6
    assert answer["kept"] == {"calling": 2, "retrying": 1, "completed": 1}
    assert answer["matched"] == answer["deletable"] + sum(answer["kept"].values())
    pending = sorted(
        (r for r in before if r["state"] == "pending" and r["custom_field"] == "batch"),
        key=lambda r: r["id"],
    )
    assert answer["sample"] == [
        {
            "dataId": str(r["id"]),
            "called": r["called"],
            "sessionId": "",
            "customField": "batch",
            "state": "pending",
        }
        for r in pending
    ]
    # an executing campaign is previewed, not refused; nothing changed
    assert rows(server.services, "numbers", campaign_id=campaign_id) == before


def test_preview_sample_holds_at_most_20_in_data_id_order(client):
    campaign_id = create_campaign(client)
    ids = add_numbers(client, campaign_id, numbers(25, "1393333", sessionId="s"))
    answer = preview(client, campaign_id, {"sessionId": "s"})
    assert (answer["matched"], answer["deletable"]) == (25, 25)
    assert [item["dataId"] for item in answer["sample"]] == sorted(ids, key=int)[:20]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "02000001"),
        ({"archiveHistory": 1}, "02000001"),
        ({"called": "12a"}, "02000002"),
        ({"recycleType": "1"}, "02000009"),
        ({"called": "1", "colour": "red"}, "0200001"),
        ({"called": "1", "expectedCount": -1}, "02000007"),
    ],
)
def test_preview_applies_the_delete_body_rules(client, body, code):
    campaign_id = create_campaign(client)
    assert_code(preview(client, campaign_id, body), code)


def test_preview_of_an_unknown_campaign_is_0200007(client):
    assert_code(preview(client, 99999, {"called": "1"}), "0200007")


def test_expected_count_mismatch_deletes_nothing_and_tells_the_real_count(client, server):
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, numbers(5, "1394444", customField="g"))
    answer = delete(client, campaign_id, {"customField": "g", "expectedCount": 4})
    assert_code(answer, "0209001")
    assert (answer["successCount"], answer["deletable"]) == (0, 5)
    assert count(server.services, "numbers", campaign_id=campaign_id) == 5
    answer = delete(client, campaign_id, {"customField": "g", "expectedCount": 5})
    assert_code(answer, SUCCESS)
    assert answer["successCount"] == 5
    assert count(server.services, "numbers", campaign_id=campaign_id) == 0


def test_expected_count_zero_with_nothing_matched_is_success(client):
    campaign_id = create_campaign(client)
    answer = delete(client, campaign_id, {"called": "1", "expectedCount": 0})
    assert_code(answer, SUCCESS)
    assert answer["successCount"] == 0


def test_a_mismatched_expected_count_racing_a_claim_deletes_nothing(client, server):
    """The preview is taken while a dialer claims; the guarded delete sees the claims."""
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(40, "1395555", customField="race"))
    expected = preview(client, campaign_id, {"customField": "race"})["deletable"]
    assert expected == 40
    stop = threading.Event()
    claimed: list[str] = []

    def dialer() -> None:
        with server.client((12,)) as own:
            while not stop.is_set() and len(claimed) < 40:
                claimed.extend(item["uniqueId"] for item in claim(own, campaign_id, 1))

    thread = threading.Thread(target=dialer)
    thread.start()
    while not claimed:  # the race must have a claim in it
        pass
    assert set_status(client, campaign_id, "pause")["resultCode"] == SUCCESS
    stop.set()
    thread.join()
    pending = count(server.services, "numbers", campaign_id=campaign_id, state="pending")
    assert pending == 40 - len(claimed) < expected
    answer = delete(client, campaign_id, {"customField": "race", "expectedCount": expected})
    assert_code(answer, "0209001")
    assert (answer["successCount"], answer["deletable"]) == (0, pending)
    assert count(server.services, "numbers", campaign_id=campaign_id) == 40
    answer = delete(client, campaign_id, {"customField": "race", "expectedCount": pending})
    assert (answer["resultCode"], answer["successCount"]) == (SUCCESS, pending)


# --- restore --------------------------------------------------------------------------------


def test_restore_by_request_id_brings_numbers_back_as_they_were(client, server):
    campaign_id = create_campaign(client)
    ids = add_numbers(client, campaign_id, numbers(3, "1396666", customField="back", callData="d"))
    before = {r["id"]: r for r in rows(server.services, "numbers", campaign_id=campaign_id)}
    answer, request_id = archive(client, campaign_id, {"customField": "back"})
    assert answer["successCount"] == 3
    answer = restore(client, campaign_id, {"requestId": request_id})
    assert_code(answer, SUCCESS)
    assert answer["successCount"] == 3
    after = {r["id"]: r for r in rows(server.services, "numbers", campaign_id=campaign_id)}
    assert sorted(map(str, after)) == sorted(ids)
    for data_id, row in after.items():
        assert row["state"] == "pending" and row["attempts"] == 0
        for column in ("called", "custom_field", "call_data", "created_at", "session_id"):
            assert row[column] == before[data_id][column]
    assert count(server.services, "number_history", campaign_id=campaign_id) == 0
    # the history rows are gone: the same restore again is refused
    assert_code(restore(client, campaign_id, {"requestId": request_id}), "0209003")


def test_restore_by_data_ids_is_all_or_nothing(client, server):
    campaign_id = create_campaign(client)
    ids = add_numbers(client, campaign_id, numbers(2, "1397777", customField="aon"))
    archive(client, campaign_id, {"customField": "aon"})
    answer = restore(client, campaign_id, {"dataIds": [ids[0], "999999999"]})
    assert_code(answer, "0209003")
    assert answer["successCount"] == 0
    assert count(server.services, "number_history", campaign_id=campaign_id) == 2
    assert count(server.services, "numbers", campaign_id=campaign_id) == 0
    answer = restore(client, campaign_id, {"dataIds": [ids[0]]})
    assert (answer["resultCode"], answer["successCount"]) == (SUCCESS, 1)
    assert [r["id"] for r in rows(server.services, "numbers", campaign_id=campaign_id)] == [
        int(ids[0])
    ]


def test_restore_into_another_campaign_is_refused(client):
    source = create_campaign(client)
    target = create_campaign(client)
    ids = add_numbers(client, source, numbers(1, "1398888", customField="x"))
    archive(client, source, {"customField": "x"})
    assert_code(restore(client, target, {"dataIds": ids}), "0209003")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "02000001"),
        ({"dataIds": ["1"], "requestId": "abc"}, "0200001"),
        ({"dataIds": []}, "02000001"),
        ({"dataIds": ["x"]}, "02000006"),
        ({"dataIds": [str(i) for i in range(1, 1002)]}, "02000011"),
        ({"requestId": "r" * 65}, "02000003"),
        ({"dataIds": ["1"], "extra": 1}, "0200001"),
    ],
)
def test_restore_body_rules(client, body, code):
    campaign_id = create_campaign(client)
    assert_code(restore(client, campaign_id, body), code)


def test_restore_into_a_completed_campaign_is_0200019(client, server):
    campaign_id = create_campaign(client)
    ids = add_numbers(client, campaign_id, numbers(1, "1399999", customField="done"))
    archive(client, campaign_id, {"customField": "done"})
    execute_sql(
        server.services, f"UPDATE campaigns SET end_time = '2000-01-01' WHERE id = {campaign_id}"
    )
    assert_code(restore(client, campaign_id, {"dataIds": ids}), "0200019")


def test_restore_of_a_blacklisted_number_is_0200024(client, server):
    campaign_id = create_campaign(client)
    ids = add_numbers(client, campaign_id, numbers(1, "1390001", customField="bl"))
    archive(client, campaign_id, {"customField": "bl"})
    blocked = client.post(
        "/rest/isales/v1/openapi/campaigns/12/blocklist/add", json={"blocklist": ["13900010000"]}
    ).json()
    assert blocked["resultCode"] == SUCCESS, blocked
    assert_code(restore(client, campaign_id, {"dataIds": ids}), "0200024")
    assert count(server.services, "number_history", campaign_id=campaign_id) == 1


def test_restore_respects_the_uncompleted_limit(make_server):
    running = make_server(max_uncompleted_per_campaign=3)
    with running.client() as client:
        campaign_id = create_campaign(client)
        ids = add_numbers(client, campaign_id, numbers(2, "1390002", customField="cap"))
        archive(client, campaign_id, {"customField": "cap"})
        add_numbers(client, campaign_id, numbers(2, "1390003"))
        assert_code(restore(client, campaign_id, {"dataIds": ids}), "0200020")
        assert_code(restore(client, campaign_id, {"dataIds": ids[:1]}), SUCCESS)


def _race_restore_and_add(client, campaign_id: int, data_id: str, called: str) -> dict:  # type: ignore[no-untyped-def]
    answers: dict[str, dict] = {}
    barrier = threading.Barrier(2)

    def run_restore() -> None:
        barrier.wait()
        answers["restore"] = restore(client, campaign_id, {"dataIds": [data_id]})

    def run_add() -> None:
        barrier.wait()
        answers["add"] = client.post(
            calldata_path(campaign_id), json={"callDataList": [{"called": called}]}
        ).json()

    threads = [threading.Thread(target=run_restore), threading.Thread(target=run_add)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_restore_racing_a_re_add_of_the_same_number_keeps_the_limit(make_server):
    """Room for one more number: exactly one of the restore and the re-add gets it."""
    running = make_server(max_uncompleted_per_campaign=2)
    with running.client() as client:
        for attempt in range(5):
            called = f"1390004{attempt}"
            campaign_id = create_campaign(client)
            ids = add_numbers(client, campaign_id, [{"called": called}])
            add_numbers(client, campaign_id, [{"called": "1390005"}])
            archive(client, campaign_id, {"called": called})  # 1 of 2 left
            answers = _race_restore_and_add(client, campaign_id, ids[0], called)
            codes = sorted(answer["resultCode"] for answer in answers.values())
            assert codes == [SUCCESS, "0200020"], answers
            live = rows(running.services, "numbers", campaign_id=campaign_id)
            assert len(live) == 2
            restored = answers["restore"]["resultCode"] == SUCCESS
            assert (int(ids[0]) in {r["id"] for r in live}) == restored
            history = count(running.services, "number_history", campaign_id=campaign_id)
            assert history == (0 if restored else 1)


def test_deletes_and_restores_are_in_the_audit_log(client, server):
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, numbers(2, "1390007", customField="aud"))
    _, request_id = archive(client, campaign_id, {"called": "13900070000"})
    restore(client, campaign_id, {"requestId": request_id})
    mine = f'"campaignId":{campaign_id}'
    entries = [e for e in server.services.audit.entries(vdn_id=12) if mine in e["detail"]]
    assert [e["operation"] for e in entries] == ["number-delete", "restore"]
    assert entries[0]["request_id"] == request_id
    assert entries[0]["actor"] == client.access_key
    assert "13900070000" not in entries[0]["detail"]
    assert '"calledHash":' in entries[0]["detail"] and '"deleted":1' in entries[0]["detail"]
    assert server.services.audit.verify().intact


# --- import rollback ------------------------------------------------------------------------


def _upload(client, campaign_id: int, content: bytes) -> int:  # type: ignore[no-untyped-def]
    body = {"fileName": "n.csv", "fileContent": base64.b64encode(content).decode()}
    path = f"/rest/isales/v1/openapi/campaigns/12/calldatafile/upload/{campaign_id}"
    return ok_json(client.post(path, json=body))["returnObject"]["taskId"]


def rollback(client, campaign_id: int, body: dict) -> dict:  # type: ignore[no-untyped-def]
    path = f"/rest/isales/v1/openapi/campaigns/12/calldatafile/{campaign_id}/rollback"
    return ok_json(client.post(path, json=body))


def test_rollback_removes_what_the_import_added_and_keeps_what_was_called(make_server):
    running = make_server(import_sweep_seconds=3600)
    with running.client() as client:
        campaign_id = create_campaign(client, init_status=0)
        rows_csv = "called\n" + "".join(f"135000000{i}\n" for i in range(5))
        task_id = _upload(client, campaign_id, rows_csv.encode())
        assert_code(rollback(client, campaign_id, {"taskId": task_id}), "0200028")  # running
        running.services.imports.run_pending()
        add_numbers(client, campaign_id, numbers(2, "1351111"))  # not from the file
        claimed = claim(client, campaign_id, 1)[0]["uniqueId"]
        assert_code(rollback(client, campaign_id, {"taskId": task_id}), "0200028")  # executing
        assert set_status(client, campaign_id, "pause")["resultCode"] == SUCCESS
        answer = rollback(client, campaign_id, {"taskId": task_id, "archiveHistory": 1})
        assert_code(answer, SUCCESS)
        assert answer["successCount"] == 4
        assert answer["kept"] == {"calling": 1, "retrying": 0, "completed": 0}
        live = rows(running.services, "numbers", campaign_id=campaign_id)
        assert sorted(r["called"] for r in live) == sorted(
            ["13511110000", "13511110001", *[r["called"] for r in live if str(r["id"]) == claimed]]
        )
        history = rows(running.services, "number_history", campaign_id=campaign_id)
        assert {r["reason"] for r in history} == {"import-rollback"} and len(history) == 4
        assert_code(rollback(client, campaign_id, {"taskId": 987654}), "0200033")
        assert_code(rollback(client, campaign_id, {}), "02000001")
    operations = [e["operation"] for e in running.services.audit.entries(vdn_id=12)]
    assert operations.count("import-rollback") == 1
