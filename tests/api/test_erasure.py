"""Erasure of a person's number (docs/api.md, "Erasure") on both stores.

The decisive check reads EVERY table of ``schema.metadata`` and every text, JSON and
binary column (unzipping stored XLSX files), not a list kept by hand: a new table or
column that can hold a number makes this test fail until erasure covers it.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import JSON, LargeBinary, String, select

from isales.store import schema
from tests.support.api import (
    SUCCESS,
    add_numbers,
    assert_code,
    calldata_path,
    claim,
    count,
    create_campaign,
    delete,
    ok_json,
    report,
)

pytestmark = pytest.mark.usefixtures("backend")

NUMBER = "8613912345678"
TOMORROW = int((datetime.now(UTC) + timedelta(days=1)).timestamp() * 1000)


def _texts(value) -> list[str]:  # type: ignore[no-untyped-def]
    if isinstance(value, bytes):
        texts = [value.decode("latin-1")]
        if value[:2] == b"PK":  # a stored XLSX file: its sheets are compressed
            with zipfile.ZipFile(io.BytesIO(value)) as archive:
                texts += [archive.read(name).decode("latin-1") for name in archive.namelist()]
        return texts
    return [value if isinstance(value, str) else json.dumps(value)]


def rows_holding(services, number: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Rows of any table with any text, JSON or binary column that contains ``number``."""
    found: dict[str, int] = {}
    with services.store.read() as conn:
        for table in schema.metadata.sorted_tables:
            columns = [c for c in table.c if isinstance(c.type, String | JSON | LargeBinary)]
            if not columns:
                continue
            for row in conn.execute(select(*columns)).mappings():
                values = [row[c.name] for c in columns if row[c.name] is not None]
                if any(number in text for value in values for text in _texts(value)):
                    found[table.name] = found.get(table.name, 0) + 1
    return found


def upload(client, campaign_id: int, content: bytes) -> int:  # type: ignore[no-untyped-def]
    body = {"fileName": "n.csv", "fileContent": base64.b64encode(content).decode()}
    path = f"/rest/isales/v1/openapi/campaigns/12/calldatafile/upload/{campaign_id}"
    answer = ok_json(client.post(path, json=body))
    assert answer["resultCode"] == SUCCESS, answer
    return answer["returnObject"]["taskId"]


def erase(client, number: str = NUMBER, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(
        client.post(f"/rest/isales/v1/openapi/campaigns/{vdn}/erasure", json={"called": number})
    )


def add_v2(client, campaign_id: int, *called: str) -> dict:  # type: ignore[no-untyped-def]
    record = {"sessionId": "s2", "called": [{"calledNo": n} for n in called]}
    return client.post(
        calldata_path(campaign_id, version=2), json={"callDataList": [record]}
    ).json()


def test_erasure_leaves_no_row_anywhere_that_holds_the_number(make_server):
    running = make_server(
        import_sweep_seconds=3600, callback_sweep_seconds=3600, callback_allow_private=True
    )
    services = running.services
    with running.client((12, 13)) as client:
        live = create_campaign(client)
        added = client.post(
            calldata_path(live),
            json={"callDataList": [{"called": NUMBER, "callData": "x"}, {"called": "13700000009"}]},
            headers={"Idempotency-Key": "erasure-test-add"},
        ).json()
        assert added["resultCode"] == SUCCESS
        v2 = create_campaign(client)
        assert add_v2(client, v2, "13700000008", NUMBER)["resultCode"] == SUCCESS
        archived = create_campaign(client)
        add_numbers(client, archived, [{"called": NUMBER}])
        assert (
            delete(client, archived, {"called": NUMBER, "archiveHistory": 1})["successCount"] == 1
        )
        dialled = create_campaign(client, init_status=0, callBackUrl="http://127.0.0.1:9/cb")
        add_numbers(client, dialled, [{"called": NUMBER}])
        data_id = claim(client, dialled, 1)[0]["uniqueId"]
        assert report(client, dialled, data_id)["result"] == "0"
        imported = create_campaign(client)
        upload(client, imported, f"called\n{NUMBER}\n{NUMBER}\n13700000007\n".encode())
        services.imports.run_pending()  # the report names the duplicate row's number
        pending_file = upload(client, imported, f"called,callData\n13700000006,{NUMBER}\n".encode())
        blocked = client.post(
            "/rest/isales/v1/openapi/campaigns/12/blocklist/add", json={"blocklist": [NUMBER]}
        ).json()
        assert blocked["resultCode"] == SUCCESS
        reserved = client.post(
            "/rest/isales/v1/openapi/campaigns/12/appoint/create",
            json={"callType": 2, "calledNo": NUMBER, "taskId": str(live), "appointTime": TOMORROW},
        ).json()
        assert reserved["resultCode"] == SUCCESS, reserved
        black_file = f"Blacklisted Number\n{NUMBER}\n".encode()
        black_upload = client.post(
            "/rest/isales/v1/openapi/campaigns/12/blackfile/upload",
            json={"fileName": "black.csv", "fileContent": base64.b64encode(black_file).decode()},
        ).json()
        assert black_upload["resultCode"] == SUCCESS, black_upload
        other_vdn = create_campaign(client, vdn=13)
        add_numbers(client, other_vdn, [{"called": NUMBER}], vdn=13)

        before = rows_holding(services, NUMBER)
        for table in (
            "numbers",
            "number_history",
            "call_results",
            "callback_outbox",
            "import_tasks",
            "blacklist",
            "idempotency_keys",
            "reservations",
            "blacklist_imports",
        ):
            assert before.get(table), (table, before)

        answer = erase(client)
        assert_code(answer, SUCCESS)
        assert answer["removed"] == {
            "numbers": 4,  # live, the v2 record, dialled (completed), the imported one
            "history": 1,
            "results": 1,
            "callbacks": 1,
            "importFiles": 3,  # two number files (one with its report), a blacklist file
            "blacklist": 1,
            "reservations": 1,
        }
        assert len(answer["erasureId"]) == 32

        # only VDN 13's own number is left: erasure works per VDN
        assert rows_holding(services, NUMBER) == {"numbers": 1}
        assert count(services, "numbers", campaign_id=other_vdn) == 1
        assert count(services, "numbers", campaign_id=live) == 1  # the other number stays
        task = services.imports.get_task(12, imported, pending_file)
        assert task["status"] == "failed"
        assert "erasure" in task["errors"][-1]["desc"]

        # the suppression refuses the number from now on, however it comes
        again = client.post(calldata_path(live), json={"callDataList": [{"called": NUMBER}]})
        assert_code(again.json(), "0200024")
        assert add_v2(client, v2, "13700000005", NUMBER)["resultCode"] == "0200024"
        again_reserved = client.post(
            "/rest/isales/v1/openapi/campaigns/12/appoint/create",
            json={"callType": 2, "calledNo": NUMBER, "taskId": str(live), "appointTime": TOMORROW},
        ).json()
        assert again_reserved["resultCode"] == "0200024"
        refused = upload(client, imported, f"called\n{NUMBER}\n".encode())
        services.imports.run_pending()
        task = services.imports.get_task(12, imported, refused)
        assert [e["code"] for e in task["errors"]] == ["0200024"]
        assert rows_holding(services, NUMBER) == {"numbers": 1}
        assert count(services, "suppressions", vdn_id=12) == 1

    erasures = [e for e in services.audit.entries(vdn_id=12) if e["operation"] == "erasure"]
    assert len(erasures) == 1
    assert json.loads(erasures[0]["detail"])["removed"] == answer["removed"]
    assert services.audit.verify().intact


def test_a_number_being_called_is_not_erased(client, server):
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, [{"called": "8613900000001"}, {"called": "8613900000002"}])
    claimed = claim(client, campaign_id, 1)[0]
    answer = erase(client, claimed["phoneNumber"][0])
    assert_code(answer, "0209005")
    assert count(server.services, "numbers", campaign_id=campaign_id) == 2
    assert report(client, campaign_id, claimed["uniqueId"])["result"] == "0"
    assert_code(erase(client, claimed["phoneNumber"][0]), SUCCESS)
    assert count(server.services, "numbers", campaign_id=campaign_id) == 1


def test_a_held_campaign_blocks_erasure(client, server):
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, [{"called": "8613900000003"}])
    server.services.retention.set_hold(12, campaign_id, "audit", "tester")
    suppressed = count(server.services, "suppressions")
    assert_code(erase(client, "8613900000003"), "0209004")
    assert count(server.services, "numbers", campaign_id=campaign_id) == 1
    assert count(server.services, "suppressions") == suppressed
    server.services.retention.release_hold(12, campaign_id, "tester")
    assert_code(erase(client, "8613900000003"), SUCCESS)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "02000001"),
        ({"called": "12a"}, "02000002"),
        ({"called": "1" * 25}, "02000003"),
        ({"called": "1", "x": 1}, "0200001"),
    ],
)
def test_erasure_body_rules(client, body, code):
    answer = ok_json(client.post("/rest/isales/v1/openapi/campaigns/12/erasure", json=body))
    assert_code(answer, code)


def test_erasure_of_a_number_nowhere_is_a_receipt_of_zeros(client):
    answer = erase(client, "8613900000004")
    assert_code(answer, SUCCESS)
    assert set(answer["removed"].values()) == {0}


def test_an_erased_number_cannot_be_restored_from_history(client, server):
    campaign_id = create_campaign(client)
    ids = add_numbers(client, campaign_id, [{"called": "8613900000005"}, {"called": "139"}])
    delete(client, campaign_id, {"customField": None, "sessionId": None, "called": "139"})
    delete(client, campaign_id, {"called": "8613900000005", "archiveHistory": 1})
    assert_code(erase(client, "8613900000005"), SUCCESS)
    answer = ok_json(
        client.post(calldata_path(campaign_id) + "/history/restore", json={"dataIds": [ids[0]]})
    )
    assert_code(answer, "0209003")  # its history went with the erasure
