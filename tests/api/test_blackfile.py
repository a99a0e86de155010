"""Blacklist file import and its result query (cec_07_4028/4029) — on SQLite and PostgreSQL.

The runner is called directly (``services.blacklist_imports.run_pending``) so every test is
deterministic; the servers here never run it on their own.
"""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import openpyxl
import pytest

from isales.errors import StoreFailure
from isales.services.tasks import MAX_CONSECUTIVE_FAILURES
from tests.support.api import SUCCESS, MovableClock, assert_code, execute_sql, ok_json, rows

pytestmark = pytest.mark.usefixtures("backend")

QUIET = {"import_sweep_seconds": 3600}
HEADER = "Blacklisted Number,Expiration Time,Validity Period (Hour),Maximum Calls,Period"


def path(action: str, vdn: int = 12) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{vdn}/blackfile/{action}"


def csv_file(*lines: str) -> bytes:
    return "\n".join([HEADER, *lines, ""]).encode()


def upload(client, content: bytes, name: str = "black.csv", vdn: int = 12) -> dict:
    body = {"fileName": name, "fileContent": base64.b64encode(content).decode()}
    return ok_json(client.post(path("upload", vdn), json=body))


def tasks(client, body: dict | None = None, vdn: int = 12) -> dict:
    return ok_json(client.post(path("queryDataImportTask", vdn), json=body))


@pytest.fixture
def running(make_server):
    clock = MovableClock()
    server = make_server(clock=clock, **QUIET)
    with server.client((12, 13)) as client:
        yield server, client, clock


def test_a_file_becomes_entries_with_repeats_and_failures_counted(running):
    server, client, clock = running
    content = csv_file(
        "13100000001,,,,",
        "13100000002,2099-01-01 00:00:00,,,",
        "13100000003,,24,,",
        "13100000004,,,2,1",
        "13100000001,,,,",  # repeat inside the file
        "1310000x,,,,",  # 02000002
        "13100000005,,,2,",  # 02000009: restrictTimes without restrictPeriod
        "13100000006,2001-01-01 00:00:00,,,",  # 02000007: already expired
        "13100000007,,121,,",  # 02000007
        "13100000008,31-12-2099,,,",  # 0200030
    )
    answer = upload(client, content)
    assert_code(answer, SUCCESS)
    assert answer["returnObject"]["totalRows"] == 10
    assert answer["returnObject"]["status"] == "0"

    waiting = tasks(client, {"offset": 0, "limit": 10})
    assert waiting["count"] == 1 and waiting["result"][0]["status"] == "0"

    assert server.services.blacklist_imports.run_pending() == 1
    entries = {r["number"]: r for r in rows(server.services, "blacklist", vdn_id=12)}
    assert sorted(entries) == [f"1310000000{i}" for i in range(1, 5)]
    assert entries["13100000003"]["expires_at"] == clock.now + timedelta(hours=24)
    assert (
        entries["13100000004"]["restrict_times"],
        entries["13100000004"]["restrict_period"],
    ) == (
        2,
        "1",
    )

    answer = tasks(client, {"offset": 0, "limit": 10})
    assert_code(answer, SUCCESS)
    task = answer["result"][0]
    assert (task["status"], task["succNum"], task["repeatNum"], task["failNum"]) == ("2", 4, 1, 5)
    assert [(e["row"], e["code"]) for e in task["errors"]] == [
        (7, "02000002"),
        (8, "02000009"),
        (9, "02000007"),
        (10, "02000007"),
        (11, "0200030"),
    ]
    assert task["beginTime"] and task["endTime"]


def test_a_valid_entry_is_a_repeat_and_is_not_changed(running):
    server, client, _ = running
    add = client.post(
        "/rest/isales/v1/openapi/campaigns/12/blocklist/add",
        json={"blocklist": ["13100000009"], "restrictTimes": 1, "restrictPeriod": "0"},
    ).json()
    assert_code(add, SUCCESS)
    upload(client, csv_file("13100000009,,,,"))
    server.services.blacklist_imports.run_pending()
    [entry] = rows(server.services, "blacklist", number="13100000009")
    assert entry["restrict_times"] == 1
    task = tasks(client, {"offset": 0, "limit": 1})["result"][0]
    assert (task["succNum"], task["repeatNum"]) == (0, 1)


def test_xlsx_with_number_cells_and_the_vdn_of_the_path(running):
    server, client, _ = running
    book = openpyxl.Workbook()
    book.active.append(["号码", "到期时间", "有效时长", "限制次数", "限制周期"])
    book.active.append([13100000010, None, None, 3, 0])
    buffer = io.BytesIO()
    book.save(buffer)
    assert_code(upload(client, buffer.getvalue(), "black.xlsx", vdn=13), SUCCESS)
    server.services.blacklist_imports.run_pending()
    [entry] = rows(server.services, "blacklist", number="13100000010")
    assert (entry["vdn_id"], entry["restrict_times"], entry["restrict_period"]) == (13, 3, "0")
    assert tasks(client, {"offset": 0, "limit": 10}, vdn=12)["count"] == 0
    assert tasks(client, {"offset": 0, "limit": 10}, vdn=13)["count"] == 1


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (csv_file(), "black.csv", "02000001"),  # no data rows
        (b"\xff\xfe\x00garbage", "black.csv", "02000008"),
        (b"PK\x03\x04 not a zip", "black.xlsx", "02000008"),
        (csv_file("1"), "black.txt", "02000007"),
        (csv_file("1", "2", "3"), "black.csv", "0200029"),  # over import_max_rows
    ],
)
def test_unreadable_or_oversized_files_are_refused_and_record_nothing(
    make_server, content, name, code
):
    server = make_server(import_max_rows=2, **QUIET)
    with server.client() as client:
        assert_code(upload(client, content, name), code)
        assert tasks(client, {"offset": 0, "limit": 10})["count"] == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (None, "02000001"),
        ({"offset": 0}, "02000001"),
        ({"offset": -1, "limit": 10}, "02000007"),
        ({"offset": 0, "limit": 101}, "02000007"),
        ({"offset": 0, "limit": 10, "taskId": 1}, "0200001"),
        ({"offset": "x", "limit": 10}, "02000006"),
    ],
)
def test_query_rules(client, body, code):
    assert_code(tasks(client, body), code)


def test_a_task_whose_server_stopped_is_resumed_from_its_committed_counters(running):
    server, client, clock = running
    upload(client, csv_file("13100000021,,,,", "13100000022,,,,", "13100000023,,,,"))
    # another server imported the first row, then stopped: its lease ran out
    lapsed = (clock.now - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    execute_sql(
        server.services,
        "UPDATE blacklist_imports SET status = '1', success_rows = 1, "
        f"lease_owner = 'gone', leased_until = '{lapsed}'",
    )
    assert server.services.blacklist_imports.run_pending() == 1
    numbers = sorted(r["number"] for r in rows(server.services, "blacklist", vdn_id=12))
    assert numbers == ["13100000022", "13100000023"]  # the committed row is not redone
    task = tasks(client, {"offset": 0, "limit": 1})["result"][0]
    assert (task["status"], task["succNum"]) == ("2", 3)


def test_a_task_that_fails_repeatedly_is_given_up_and_the_next_one_runs(running):
    """The same failure policy as number imports: three failed runs in a row end the task
    *failed* (status "3", row 0: 0200006); before, it was retried for ever ahead of every
    task queued after it."""
    server, client, _ = running
    upload(client, csv_file("13100000031,,,,"))
    execute_sql(server.services, "ALTER TABLE blacklist RENAME TO blacklist_away")
    try:
        for attempt in range(MAX_CONSECUTIVE_FAILURES):
            with pytest.raises(StoreFailure):
                server.services.blacklist_imports.step()
            [task] = rows(server.services, "blacklist_imports")
            assert task["status"] == ("3" if attempt == MAX_CONSECUTIVE_FAILURES - 1 else "1")
    finally:
        execute_sql(server.services, "ALTER TABLE blacklist_away RENAME TO blacklist")
    assert [(e["row"], e["code"]) for e in task["errors"]] == [(0, "0200006")]
    assert task["content"] is None
    upload(client, csv_file("13100000032,,,,"))
    assert server.services.blacklist_imports.run_pending() == 1
    numbers = [r["number"] for r in rows(server.services, "blacklist", vdn_id=12)]
    assert numbers == ["13100000032"]


def test_a_file_past_the_json_body_limit_is_taken_up_to_the_upload_limit(make_server):
    # the blacklist upload is an upload: the route table gives it the upload limit, so a
    # file larger than a JSON interface's body limit (1 KiB here) is imported
    server = make_server(max_body_bytes=1024, **QUIET)
    content = csv_file(*(f"1310000{n:04d},,,," for n in range(100)))
    with server.client() as client:
        answer = client.post(
            path("upload"),
            json={"fileName": "black.csv", "fileContent": base64.b64encode(content).decode()},
        )
        assert answer.status_code == 200, answer.text[:200]
        assert answer.json()["resultCode"] == SUCCESS
        assert tasks(client, {"offset": 0, "limit": 10})["count"] == 1
        small = client.post(path("queryDataImportTask"), content=b"{" + b" " * 2048 + b"}")
        assert small.status_code == 413  # the JSON interfaces keep theirs
