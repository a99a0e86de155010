"""File import (docs/api.md#file-import): upload, the runner, the task query — on SQLite
and PostgreSQL.

The runner is called directly (``services.imports.run_pending`` / ``step``) so every test
is deterministic; servers made with ``import_sweep_seconds=3600`` never run it on their own.
"""

from __future__ import annotations

import base64
import hashlib
import io

import openpyxl
import pytest

from isales.errors import StoreFailure
from isales.services.imports import (
    CHUNK_ROWS,
    MAX_CHUNK_FAILURES,
    MAX_LISTED_ERRORS,
    ImportService,
)
from tests.support.api import (
    SUCCESS,
    MovableClock,
    add_numbers,
    assert_code,
    campaigns_path,
    count,
    create_campaign,
    execute_sql,
    ok_json,
    rows,
)

pytestmark = pytest.mark.usefixtures("backend")

#: the background job never runs during a test on these servers
QUIET = {"import_sweep_seconds": 3600}


def files_path(campaign_id: int, action: str = "upload", vdn: int = 12) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{vdn}/calldatafile/{action}/{campaign_id}"


def csv_bytes(*lines: str, header: str = "sessionId,called") -> bytes:
    return "\n".join([header, *lines, ""]).encode()


def xlsx_bytes(*rows: list) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, campaign_id: int, content: bytes, name: str = "numbers.csv", **kw) -> dict:
    body = {"fileName": name, "fileContent": base64.b64encode(content).decode()}
    return ok_json(client.post(files_path(campaign_id, **kw), json=body))


def started(client, campaign_id: int, content: bytes, name: str = "numbers.csv") -> int:
    answer = upload(client, campaign_id, content, name)
    assert_code(answer, SUCCESS)
    return answer["returnObject"]["taskId"]


def query(client, campaign_id: int, body: dict | None = None, vdn: int = 12) -> dict:
    path = files_path(campaign_id, "queryDataImportTask", vdn)
    return ok_json(client.post(path, json=body))


def task(client, campaign_id: int, task_id: int, **paging) -> dict:
    answer = query(client, campaign_id, {"taskId": task_id, **paging})
    assert_code(answer, SUCCESS)
    return answer["returnObject"]


def report(client, campaign_id: int, task_id: int) -> list[tuple[int, str]]:
    return [(e["row"], e["code"]) for e in task(client, campaign_id, task_id)["errors"]]


def called_in(services, campaign_id: int) -> list[str]:
    return sorted(r["called"] for r in rows(services, "numbers", campaign_id=campaign_id))


# --- the whole path ---


def test_csv_import_reports_each_broken_row_and_imports_the_rest(client, server):
    campaign_id = create_campaign(client)
    content = csv_bytes(
        "s1,13800000001",  # row 2
        "s2,13800000002a",  # row 3: 02000002
        "s3,\"[{'calledNo':13800000003},{'calledNo':13900000003,'delayTime':60}]\"",  # 4
        "s1,13800000001",  # row 5: same number, same session: 0200018
        "s9,13800000001",  # row 6: other session: allowed (the v2 rule)
        "",  # row 7: blank, skipped
        ",",  # row 8: blank, skipped
        "s5,",  # row 9: called missing 02000001
        "s6,\"[{'calledNo':1,'ring':2}]\"",  # row 10: unknown member 0200001
        "s7,\"[{'calledNo':13800000007}\"",  # row 11: broken list 02000008
        "s8,13800000008",  # row 12
    )
    answer = upload(client, campaign_id, content)
    assert_code(answer, SUCCESS)
    created = answer["returnObject"]
    assert created["status"] == "pending" and created["totalRows"] == 9
    assert created["fileName"] == "numbers.csv"

    server.services.imports.run_pending()

    done = task(client, campaign_id, created["taskId"])
    assert done["status"] == "finished" and done["finishTime"] != ""
    assert (done["totalRows"], done["successRows"], done["failedRows"]) == (9, 4, 5)
    assert done["errorCount"] == 5
    assert [(e["row"], e["code"]) for e in done["errors"]] == [
        (3, "02000002"),
        (5, "0200018"),
        (9, "02000001"),
        (10, "0200001"),
        (11, "02000008"),
    ]
    assert all(e["desc"] for e in done["errors"])
    assert called_in(server.services, campaign_id) == [
        "13800000001",
        "13800000001",
        "13800000003",
        "13800000008",
    ]
    (multi,) = rows(server.services, "numbers", campaign_id=campaign_id, session_id="s3")
    assert multi["called_nos"] == [
        {"calledNo": "13800000003"},
        {"calledNo": "13900000003", "delayTime": 60},
    ]
    assert multi["state"] == "pending"


def test_xlsx_import(client, server):
    campaign_id = create_campaign(client)
    content = xlsx_bytes(
        ["sessionId", "called", "caller", "callData", "customField", "recycleTime", "priority"],
        ["c1", 13800000101, 10086, '{"name":"A"}', "batch7", "2026-12-01 09:00:00", 1],
        [1002, "[{'calledNo':13800000102}]", None, None, "batch7", None, None],
        ["c3", "13800000103", None, None, "batch.7", None, None],  # v2 customField rule
    )
    task_id = started(client, campaign_id, content, name="numbers.xlsx")
    server.services.imports.run_pending()

    done = task(client, campaign_id, task_id)
    assert (done["status"], done["successRows"], done["failedRows"]) == ("finished", 2, 1)
    assert report(client, campaign_id, task_id) == [(4, "02000002")]
    first, second = sorted(
        rows(server.services, "numbers", campaign_id=campaign_id), key=lambda r: r["called"]
    )
    assert (first["session_id"], first["caller"], first["custom_field"]) == (
        "c1",
        "10086",
        "batch7",
    )
    assert first["call_data"] == '{"name":"A"}' and first["priority"] == 1
    assert first["recycle_time"].strftime("%Y-%m-%d %H:%M:%S") == "2026-12-01 09:00:00"
    assert (second["session_id"], second["called"]) == ("1002", "13800000102")


def test_the_huawei_file_server_url_takes_the_same_body(client, server):
    campaign_id = create_campaign(client)
    answer = upload(client, campaign_id, csv_bytes("s1,13800000201"), action="uploadFileServer")
    assert_code(answer, SUCCESS)
    server.services.imports.run_pending()
    assert task(client, campaign_id, answer["returnObject"]["taskId"])["successRows"] == 1
    assert called_in(server.services, campaign_id) == ["13800000201"]


def test_a_completed_campaign_refuses_every_row(client, server):
    campaign_id = create_campaign(client)
    execute_sql(server.services, f"UPDATE campaigns SET status = 4 WHERE id = {campaign_id}")
    # the upload does not judge the state; the runner refuses every row
    task_id = started(client, campaign_id, csv_bytes("s1,13800000301", "s2,bad", "s3,1"))
    server.services.imports.run_pending()
    done = task(client, campaign_id, task_id)
    assert (done["status"], done["successRows"], done["failedRows"]) == ("finished", 0, 3)
    assert report(client, campaign_id, task_id) == [(2, "0200019"), (3, "0200019"), (4, "0200019")]
    assert count(server.services, "numbers", campaign_id=campaign_id) == 0


def test_blacklisted_numbers_are_refused_like_in_an_add(client, server):
    for number, quota in (("13800000701", "NULL"), ("13800000702", "3")):
        execute_sql(
            server.services,
            "INSERT INTO blacklist (vdn_id, number, restrict_times, restrict_period, created_at) "
            f"VALUES (12, '{number}', {quota}, '1', '2020-01-01 00:00:00')",
        )
    campaign_id = create_campaign(client)
    content = csv_bytes(
        "s1,\"[{'calledNo':13800000700},{'calledNo':13800000701}]\"",
        "s2,13800000702",  # a call quota does not block adding
        "s3,13800000703",
    )
    task_id = started(client, campaign_id, content)
    server.services.imports.run_pending()
    assert report(client, campaign_id, task_id) == [(2, "0200024")]
    assert called_in(server.services, campaign_id) == ["13800000702", "13800000703"]


def test_rows_beyond_the_uncompleted_cap_are_refused(client, make_server):
    running = make_server(max_uncompleted_per_campaign=5, **QUIET)
    with running.client() as capped:
        campaign_id = create_campaign(capped)
        add_numbers(capped, campaign_id, [{"called": "13800000400"}, {"called": "13800000401"}])
        lines = [f"s{n},1380000041{n}" for n in range(6)]
        lines.insert(1, "sx,x")  # a broken row takes no room
        task_id = started(capped, campaign_id, csv_bytes(*lines))
        running.services.imports.run_pending()
        done = task(capped, campaign_id, task_id)
        assert (done["successRows"], done["failedRows"], done["totalRows"]) == (3, 4, 7)
        assert report(capped, campaign_id, task_id) == [
            (3, "02000002"),
            (6, "0200020"),
            (7, "0200020"),
            (8, "0200020"),
        ]
    assert count(running.services, "numbers", campaign_id=campaign_id) == 5


# --- upload refusals: nothing is recorded ---


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"fileName": "n.csv"}, "02000001"),
        ({"fileContent": "Y2FsbGVkCjEK"}, "02000001"),
        (
            {"fileName": "n.csv", "fileContent": "Y2FsbGVkCjEK", "filePath": "/sftp/n.csv"},
            "0200001",
        ),
        ({"fileName": "n.csv", "fileContent": "not base64!"}, "02000008"),
        ({"fileName": "n.txt", "fileContent": "Y2FsbGVkCjEK"}, "02000007"),
        ({"fileName": "n.xlsx", "fileContent": "Y2FsbGVkCjEK"}, "02000008"),
        ({"fileName": "n.csv", "fileContent": base64.b64encode(b"phone\n1\n").decode()}, "0200001"),
        (
            {"fileName": "n.csv", "fileContent": base64.b64encode(b"sessionId\n1\n").decode()},
            "02000001",
        ),
        ({"fileName": "n.csv", "fileContent": base64.b64encode(b"called\n").decode()}, "02000001"),
        (
            {"fileName": "n.csv", "fileContent": base64.b64encode(b"called\n\xff\n").decode()},
            "02000008",
        ),
    ],
)
def test_upload_refusals(client, server, body, code):
    campaign_id = create_campaign(client)
    answer = ok_json(client.post(files_path(campaign_id), json=body))
    assert_code(answer, code)
    assert count(server.services, "import_tasks", campaign_id=campaign_id) == 0


@pytest.mark.parametrize("vdn", [12, 13])
def test_upload_to_a_missing_campaign(client, server, vdn):
    other = create_campaign(client, vdn=12)
    target = other if vdn == 13 else other + 10_000  # another VDN's campaign is missing too
    answer = upload(client, target, csv_bytes("s1,1"), vdn=vdn)
    assert_code(answer, "0200007")
    assert count(server.services, "import_tasks", campaign_id=target) == 0


def test_a_file_over_the_row_limit_is_refused_whole(make_server):
    running = make_server(import_max_rows=3, **QUIET)
    with running.client() as limited:
        campaign_id = create_campaign(limited)
        answer = upload(limited, campaign_id, csv_bytes("a,1", "b,2", "c,3", "d,4"))
        assert_code(answer, "0200029")
        # a blank row counts (docs/api.md#limits-and-protections): four rows after the header
        assert_code(upload(limited, campaign_id, csv_bytes("a,1", "", "b,2", "c,3")), "0200029")
        assert_code(upload(limited, campaign_id, csv_bytes("a,1", "", "b,2")), SUCCESS)
    assert count(running.services, "import_tasks", campaign_id=campaign_id) == 1


def test_the_error_report_lists_the_first_failed_rows(client, server):
    campaign_id = create_campaign(client)
    broken = MAX_LISTED_ERRORS + 5
    task_id = started(client, campaign_id, csv_bytes(*(f"s{n},x" for n in range(broken))))
    server.services.imports.run_pending()
    done = task(client, campaign_id, task_id, pageNum=MAX_LISTED_ERRORS // 1000, pageSize=1000)
    assert (done["failedRows"], done["errorCount"]) == (broken, MAX_LISTED_ERRORS)
    assert done["errors"][-1]["row"] == MAX_LISTED_ERRORS + 1


def test_uploads_have_their_own_body_limit(make_server):
    # the general limit is below the file, the upload limit above it: accepted
    running = make_server(max_body_bytes=4096, import_max_body_bytes=8192, **QUIET)
    with running.client() as limited:
        campaign_id = create_campaign(limited)
        content = csv_bytes(*(f"s{n},{17000000000 + n}" for n in range(200)))
        assert 4096 < len(base64.b64encode(content)) < 8192
        body = {"fileName": "n.csv", "fileContent": base64.b64encode(content).decode()}
        assert limited.post(files_path(campaign_id), json=body).json()["resultCode"] == "0200000"
        bigger = csv_bytes(*(f"s{n},{17000000000 + n}" for n in range(400)))
        body = {"fileName": "n.csv", "fileContent": base64.b64encode(bigger).decode()}
        assert limited.post(files_path(campaign_id), json=body).status_code == 413
    assert count(running.services, "import_tasks") == 1


# --- the task query ---


def test_query_lists_the_campaign_tasks_newest_first(client, server):
    campaign_id = create_campaign(client)
    first = started(client, campaign_id, csv_bytes("s1,13800000501"), name="a.csv")
    second = started(client, campaign_id, csv_bytes("s1,13800000502", "s2,x"), name="b.csv")
    server.services.imports.run_pending()
    answer = query(client, campaign_id)
    assert_code(answer, SUCCESS)
    assert answer["totalCount"] == 2
    assert [(t["taskId"], t["fileName"]) for t in answer["data"]] == [
        (second, "b.csv"),
        (first, "a.csv"),
    ]
    assert answer["data"][0]["failedRows"] == 1 and "errors" not in answer["data"][0]
    paged = query(client, campaign_id, {"pageNum": 2, "pageSize": 1})
    assert [t["taskId"] for t in paged["data"]] == [first] and paged["totalCount"] == 2
    assert query(client, campaign_id + 10_000)["totalCount"] == 0


def test_query_pages_the_error_report(client, server):
    campaign_id = create_campaign(client)
    task_id = started(client, campaign_id, csv_bytes(*(f"s{n},bad{n}" for n in range(7))))
    server.services.imports.run_pending()
    page = task(client, campaign_id, task_id, pageNum=2, pageSize=3)
    assert page["errorCount"] == 7 and page["failedRows"] == 7
    assert [e["row"] for e in page["errors"]] == [5, 6, 7]
    assert task(client, campaign_id, task_id, pageNum=4, pageSize=3)["errors"] == []


def test_query_of_an_unknown_task(client, server):
    campaign_id = create_campaign(client)
    other = create_campaign(client)
    task_id = started(client, campaign_id, csv_bytes("s1,13800000601"))
    assert_code(query(client, other, {"taskId": task_id}), "0200033")
    assert_code(query(client, campaign_id, {"taskId": task_id + 1000}), "0200033")
    assert_code(query(client, campaign_id, {"taskId": task_id}, vdn=13), "0200033")
    assert_code(query(client, campaign_id, {"taskId": "x"}), "02000006")
    assert_code(query(client, campaign_id, {"taskId": 0}), "02000007")


# --- chunks, failures, restarts ---


def test_a_large_file_is_imported_in_chunks(make_server):
    running = make_server(**QUIET)
    total = 20_000
    lines = [f"s{n},{13000000000 + n}" for n in range(total)]
    lines += ["s1,13000000001", f"s{total - 1},{13000000000 + total - 1}"]  # duplicates
    with running.client() as signed:
        campaign_id = create_campaign(signed)
        task_id = started(signed, campaign_id, csv_bytes(*lines))
        assert task(signed, campaign_id, task_id)["status"] == "pending"

        assert running.services.imports.step() == CHUNK_ROWS
        partial = task(signed, campaign_id, task_id)
        assert (partial["status"], partial["successRows"], partial["failedRows"]) == (
            "running",
            CHUNK_ROWS,
            0,
        )
        assert count(running.services, "numbers", campaign_id=campaign_id) == CHUNK_ROWS

        assert running.services.imports.run_pending() == total + 2 - CHUNK_ROWS
        done = task(signed, campaign_id, task_id)
        assert (done["status"], done["totalRows"], done["successRows"], done["failedRows"]) == (
            "finished",
            total + 2,
            total,
            2,
        )
        assert report(signed, campaign_id, task_id) == [
            (total + 2, "0200018"),
            (total + 3, "0200018"),
        ]
    called = called_in(running.services, campaign_id)
    assert len(called) == len(set(called)) == total
    assert running.services.imports.run_pending() == 0


def test_a_store_failure_mid_import_resumes_where_it_stopped(make_server):
    running = make_server(**QUIET)
    lines = [f"s{n},{14000000000 + n}" for n in range(CHUNK_ROWS + 10)]
    lines.append("s3,14000000003")  # a duplicate of a row imported before the failure
    with running.client() as signed:
        campaign_id = create_campaign(signed)
        task_id = started(signed, campaign_id, csv_bytes(*lines))
        assert running.services.imports.step() == CHUNK_ROWS

        execute_sql(running.services, "ALTER TABLE numbers RENAME TO numbers_away")
        try:
            with pytest.raises(StoreFailure):
                running.services.imports.step()
        finally:
            execute_sql(running.services, "ALTER TABLE numbers_away RENAME TO numbers")
        assert task(signed, campaign_id, task_id)["successRows"] == CHUNK_ROWS

        running.services.imports.run_pending()
        done = task(signed, campaign_id, task_id)
        assert (done["status"], done["successRows"], done["failedRows"]) == (
            "finished",
            CHUNK_ROWS + 10,
            1,
        )
        assert report(signed, campaign_id, task_id) == [(CHUNK_ROWS + 12, "0200018")]
    called = called_in(running.services, campaign_id)
    assert len(called) == len(set(called)) == CHUNK_ROWS + 10


def test_an_import_that_fails_repeatedly_is_given_up_and_the_next_task_runs(make_server):
    """The tasks' one failure policy: three failed chunks in a row end the task *failed*
    (row 0: 0200006) instead of retrying it for ever ahead of every other task."""
    running = make_server(**QUIET)
    with running.client() as signed:
        campaign_id = create_campaign(signed)
        broken = started(signed, campaign_id, csv_bytes("s1,14500000001"))
        execute_sql(running.services, "ALTER TABLE numbers RENAME TO numbers_away")
        try:
            for attempt in range(MAX_CHUNK_FAILURES):
                with pytest.raises(StoreFailure):
                    running.services.imports.step()
                status = task(signed, campaign_id, broken)["status"]
                assert status == ("failed" if attempt == MAX_CHUNK_FAILURES - 1 else "pending")
        finally:
            execute_sql(running.services, "ALTER TABLE numbers_away RENAME TO numbers")
        assert report(signed, campaign_id, broken) == [(0, "0200006")]
        following = started(signed, campaign_id, csv_bytes("s1,14500000002"))
        assert running.services.imports.run_pending() == 1
        assert task(signed, campaign_id, following)["status"] == "finished"
    assert called_in(running.services, campaign_id) == ["14500000002"]


def test_a_stopped_servers_import_is_taken_over_by_another(make_server):
    clock = MovableClock()
    running = make_server(clock=clock, **QUIET)
    lease = running.services.imports.lease.total_seconds()
    with running.client() as signed:
        campaign_id = create_campaign(signed)
        lines = [f"s{n},{15000000000 + n}" for n in range(CHUNK_ROWS + 5)]
        lines.append("s3,15000000003")  # a duplicate of a row of the first chunk
        interrupted = started(signed, campaign_id, csv_bytes(*lines))
        assert running.services.imports.step() == CHUNK_ROWS
        never_started = started(signed, campaign_id, csv_bytes("s1,15100000001"))

        # another server (or this one restarted): the file is in the store, not in memory
        other = ImportService(running.services.store, running.settings, clock)
        clock.advance(lease - 1)  # the first server's lease still holds its task
        assert other.step() == 1  # ...so the other takes the task nobody holds
        assert task(signed, campaign_id, interrupted)["successRows"] == CHUNK_ROWS

        clock.advance(2)
        assert other.run_pending() == 6
        done = task(signed, campaign_id, interrupted)
        assert (done["status"], done["successRows"], done["failedRows"]) == (
            "finished",
            CHUNK_ROWS + 5,
            1,
        )
        assert report(signed, campaign_id, interrupted) == [(CHUNK_ROWS + 7, "0200018")]
        assert task(signed, campaign_id, never_started)["status"] == "finished"

        # the first server comes back: nothing is left for it, nothing is imported twice
        assert running.services.imports.run_pending() == 0
    called = called_in(running.services, campaign_id)
    assert len(called) == len(set(called)) == CHUNK_ROWS + 6
    assert [r["content"] for r in rows(running.services, "import_tasks")] == [None, None]


def test_a_deleted_campaign_fails_its_import(make_server):
    running = make_server(**QUIET)
    with running.client() as signed:
        campaign_id = create_campaign(signed)
        lines = [f"s{n},{16000000000 + n}" for n in range(CHUNK_ROWS + 5)]
        task_id = started(signed, campaign_id, csv_bytes(*lines))
        assert running.services.imports.step() == CHUNK_ROWS
        other_campaign = create_campaign(signed)
        other = started(signed, other_campaign, csv_bytes("s1,16100000001"))
        deleted = signed.request("DELETE", f"{campaigns_path()}/{campaign_id}").json()
        assert_code(deleted, SUCCESS)

        assert running.services.imports.run_pending() == 1  # and the next task goes on
        assert task(signed, other_campaign, other)["status"] == "finished"
        done = task(signed, campaign_id, task_id)
        assert (done["status"], done["successRows"], done["failedRows"]) == (
            "failed",
            CHUNK_ROWS,
            0,
        )
        assert [(e["row"], e["code"]) for e in done["errors"]] == [(0, "0200007")]
    assert count(running.services, "numbers", campaign_id=campaign_id) == 0


def test_the_runner_is_a_background_job(server):
    jobs = server.services.background_jobs()
    assert (server.settings.import_sweep_seconds, server.services.imports.run_pending) in jobs


# --- the same file twice ---


def test_the_same_file_again_in_a_campaign_is_refused_naming_the_earlier_task(client, server):
    campaign_id = create_campaign(client)
    content = csv_bytes("s1,13800090741", "s2,13800090742")
    first = started(client, campaign_id, content, name="monday.csv")
    refused = upload(client, campaign_id, content, name="renamed.csv")
    assert_code(refused, "0209006")
    assert f"import task {first}" in refused["resultDesc"]
    assert len(rows(server.services, "import_tasks", campaign_id=campaign_id)) == 1
    # the Huawei file-server URL takes the same body and the same rule
    assert_code(upload(client, campaign_id, content, action="uploadFileServer"), "0209006")
    # another campaign, or other bytes, are not duplicates
    started(client, create_campaign(client), content)
    started(client, campaign_id, csv_bytes("s3,13800090743"))
    # asked for, it is imported again: each of its numbers is then in the campaign twice
    body = {
        "fileName": "again.csv",
        "fileContent": base64.b64encode(content).decode(),
        "allowDuplicateFile": 1,
    }
    again = ok_json(client.post(files_path(campaign_id), json=body))
    assert_code(again, SUCCESS)
    server.services.imports.run_pending()
    assert task(client, campaign_id, again["returnObject"]["taskId"])["successRows"] == 2
    twice = ["13800090741", "13800090741", "13800090742", "13800090742", "13800090743"]
    assert called_in(server.services, campaign_id) == twice
    [stored] = rows(server.services, "import_tasks", id=first)
    assert stored["fingerprint"] == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("value", [2, "yes", True])
def test_allow_duplicate_file_is_0_or_1(client, value):
    content = base64.b64encode(csv_bytes("s1,13800090751")).decode()
    body = {"fileName": "a.csv", "fileContent": content, "allowDuplicateFile": value}
    answer = ok_json(client.post(files_path(create_campaign(client)), json=body))
    assert answer["resultCode"] in ("02000006", "02000007")


# --- the Huawei request and answer (cec_07_4039) ---


def test_huawei_paging_answers_the_data_import_task_list(client, server):
    campaign_id = create_campaign(client)
    first = started(client, campaign_id, csv_bytes("s1,13800090702"), name="a.csv")
    lines = ("s1,13800090703", "s1,13800090703", "s3,x", "s4,13800090704")
    second = started(client, campaign_id, csv_bytes(*lines), name="b.csv")
    server.services.imports.run_pending()
    answer = query(client, campaign_id, {"offset": 0, "limit": 1})
    assert_code(answer, SUCCESS)
    assert answer["count"] == 2
    (newest,) = answer["result"]
    assert newest["id"] == str(second) and newest["status"] == "2"
    assert (newest["succNum"], newest["repeatNum"], newest["failNum"], newest["blackNum"]) == (
        2,
        1,
        1,
        0,
    )
    assert newest["beginTime"] and newest["endTime"] and newest["fileName"] == "b.csv"
    assert "data" not in answer and "totalCount" not in answer
    older = query(client, campaign_id, {"offset": 1, "limit": 1})["result"]
    assert [t["id"] for t in older] == [str(first)]
    assert query(client, campaign_id, {"offset": 2, "limit": 1})["result"] == []


def test_huawei_example_body_with_import_task_ids_answers_only_those_tasks(client, server):
    # Huawei's example request body: {"limit": 10, "offset": 0, "importTaskIds": ["..."]}
    campaign_id = create_campaign(client)
    first = started(client, campaign_id, csv_bytes("s1,13800090731"), name="a.csv")
    started(client, campaign_id, csv_bytes("s1,13800090732"), name="b.csv")
    server.services.imports.run_pending()
    body = {"limit": 10, "offset": 0, "importTaskIds": [str(first)]}
    answer = query(client, campaign_id, body)
    assert_code(answer, SUCCESS)
    assert answer["count"] == 1
    assert [t["id"] for t in answer["result"]] == [str(first)]
    # ids of Huawei's length, or of no task of this campaign, match nothing
    other = create_campaign(client)
    assert query(client, other, body)["result"] == []
    huge = {"limit": 10, "offset": 0, "importTaskIds": ["164698362894300182038011895728"]}
    assert (
        query(client, campaign_id, huge)["count"],
        query(client, campaign_id, huge)["result"],
    ) == (0, [])


def test_huawei_status_before_the_import_runs(client):
    campaign_id = create_campaign(client)
    started(client, campaign_id, csv_bytes("s1,13800090711"))
    (task,) = query(client, campaign_id, {"offset": 0, "limit": 10})["result"]
    assert (task["status"], task["endTime"], task["succNum"]) == ("0", "", 0)


def test_blacklisted_rows_are_counted_in_black_num(client, server):
    blocked = "13800090721"
    answer = ok_json(
        client.post(f"{campaigns_path()}/blocklist/add", json={"blocklist": [blocked]})
    )
    assert_code(answer, SUCCESS)
    campaign_id = create_campaign(client)
    started(client, campaign_id, csv_bytes(f"s1,{blocked}", "s2,13800090722"))
    server.services.imports.run_pending()
    (task,) = query(client, campaign_id, {"offset": 0, "limit": 10})["result"]
    assert (task["succNum"], task["blackNum"], task["failNum"], task["repeatNum"]) == (1, 1, 0, 0)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"offset": 0}, "02000001"),
        ({"limit": 10}, "02000001"),
        ({"offset": -1, "limit": 10}, "02000007"),
        ({"offset": 0, "limit": 0}, "02000007"),
        ({"offset": 0, "limit": 101}, "02000007"),
        ({"offset": "a", "limit": 10}, "02000006"),
        ({"offset": 0, "limit": 10, "pageNum": 1}, "02000009"),
        ({"offset": 0, "limit": 10, "taskId": 1}, "02000009"),
        ({"offset": 0, "limit": 10, "page": 1}, "0200001"),
        ({"importTaskIds": ["1"]}, "02000001"),
        ({"offset": 0, "limit": 10, "importTaskIds": "1"}, "02000006"),
        ({"offset": 0, "limit": 10, "importTaskIds": ["x"]}, "02000002"),
        ({"offset": 0, "limit": 10, "importTaskIds": ["1"] * 101}, "02000011"),
    ],
)
def test_huawei_paging_refusals(client, body, code):
    campaign_id = create_campaign(client)
    assert_code(query(client, campaign_id, body), code)
