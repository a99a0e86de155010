"""The operator command line against a live `isales serve`, both stores
(docs/operations.md#the-operator-command-line)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from tests.support.api import (
    SUCCESS,
    add_numbers,
    campaign_body,
    claim,
    create_campaign,
    numbers,
    report,
    set_status,
)
from tests.support.processes import ISALES, clean_env, isales, ok, one_line_failure, start_serve

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture(scope="module")
def live(db_url, tmp_path_factory):
    server = start_serve(db_url, tmp_path_factory.mktemp("operator"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def key(live):
    return live.key(12)


@pytest.fixture
def run(live, key, tmp_path):
    """`isales ...` with the server and key in the environment, HOME in a fresh folder."""

    def run(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
        environment = live.operator_env(key, HOME=str(tmp_path), **env)
        return isales(*args, cwd=tmp_path, env=environment, stdin=stdin)

    return run


@pytest.fixture
def client(live, key):
    from isales.client import IsalesClient

    return IsalesClient(live.url, key["accessKey"], key["secretKey"])


# --- campaigns -------------------------------------------------------------------------------


def test_campaign_create_show_pause_resume_delete(run, tmp_path):
    body = campaign_body(initStatus=1)
    (tmp_path / "campaign.json").write_text(json.dumps(body))
    campaign_id = int(
        ok(run("campaigns", "create", "--vdn", "12", "--file", "campaign.json")).stdout
    )

    shown = json.loads(
        ok(run("campaigns", "show", "--vdn", "12", str(campaign_id), "--json")).stdout
    )
    assert shown["campaign"]["name"] == body["name"] and shown["campaign"]["status"] == 3
    assert shown["statistics"]["totalCount"] == 0
    plain = ok(run("campaigns", "show", "--vdn", "12", str(campaign_id))).stdout
    assert f"campaign {campaign_id}: {body['name']}" in plain and "status:   paused" in plain

    assert "resumed" in ok(run("campaigns", "resume", "--vdn", "12", str(campaign_id))).stdout
    refused = one_line_failure(
        run("campaigns", "delete", "--vdn", "12", str(campaign_id), "--yes"), 1
    )
    assert "0200009" in refused
    assert "paused" in ok(run("campaigns", "pause", "--vdn", "12", str(campaign_id))).stdout
    deleted = ok(run("campaigns", "delete", "--vdn", "12", str(campaign_id), "--archive", "--yes"))
    assert "moved to history" in deleted.stdout
    gone = one_line_failure(run("campaigns", "show", "--vdn", "12", str(campaign_id)), 1)
    assert "0200007" in gone


def test_campaign_delete_shows_what_goes_and_asks(run, client):
    campaign_id = create_campaign(client, init_status=1)
    add_numbers(client, campaign_id, numbers(3))
    command = ("campaigns", "delete", "--vdn", "12", str(campaign_id))

    declined = run(*command, stdin="n\n")
    assert declined.returncode == 1 and "nothing was deleted" in declined.stderr
    assert "its 3 numbers (3 pending" in declined.stderr
    assert "removed for good, not archived" in declined.stderr
    shown = ok(run("campaigns", "show", "--vdn", "12", str(campaign_id)))  # still there
    assert f"campaign {campaign_id}:" in shown.stdout

    archived = ok(run(*command, "--archive", stdin="y\n"))
    assert "will be moved to history" in archived.stderr
    assert f"delete campaign {campaign_id}?" in archived.stderr
    assert f"campaign {campaign_id} deleted; its numbers moved to history" in archived.stdout
    history = json.loads(
        ok(
            run(
                "campaigns",
                "delete",
                "--vdn",
                "12",
                str(create_campaign(client, init_status=1)),
                "--yes",
                "--json",
            )
        ).stdout
    )
    assert history["archived"] is False


def test_campaigns_list_counts_numbers_by_state(run, client):
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(4))
    taken = claim(client, campaign_id, 2)
    report(client, campaign_id, taken[0]["uniqueId"])
    listed = json.loads(ok(run("campaigns", "list", "--vdn", "12", "--json")).stdout)
    row = next(r for r in listed if r["id"] == campaign_id)
    assert row["numbers"] == {"pending": 2, "inProgress": 1, "completed": 1}
    long_name = create_campaign(client, init_status=0, name="x" * 100)
    table = ok(run("campaigns", "list", "--vdn", "12", COLUMNS="80")).stdout.splitlines()
    assert table[0].split() == [
        "id",
        "name",
        "status",
        "dates",
        "(UTC)",
        "pending",
        "calling",
        "done",
    ]
    assert all(len(line) <= 80 for line in table), table
    line = next(line for line in table if line.startswith(f"{campaign_id} "))
    assert line.split()[2] == "executing" and line.split()[-3:] == ["2", "1", "1"]
    cut = next(line for line in table if line.startswith(f"{long_name} ")).split()[1]
    assert cut.endswith("…") and cut.startswith("xxx")  # the name cut, the counts kept


def test_create_refused_prints_the_result_code(run, tmp_path):
    (tmp_path / "bad.json").write_text(
        json.dumps(campaign_body(strBeginTime="2001-01-01 00:00:00"))
    )
    line = one_line_failure(run("campaigns", "create", "--vdn", "12", "--file", "bad.json"), 1)
    assert "0200002" in line


# --- credentials -------------------------------------------------------------------------------


def test_profile_from_the_credentials_file(live, key, tmp_path):
    folder = tmp_path / ".config" / "isales"
    folder.mkdir(parents=True)
    (folder / "credentials.toml").write_text(
        f'[ops]\nserver = "{live.url}"\naccess_key = "{key["accessKey"]}"\n'
        f'secret_key = "{key["secretKey"]}"\n'
    )
    env = clean_env(HOME=str(tmp_path))
    listed = ok(
        isales(
            "campaigns", "list", "--vdn", "12", "--profile", "ops", "--json", cwd=tmp_path, env=env
        )
    )
    assert isinstance(json.loads(listed.stdout), list)
    missing = isales("campaigns", "list", "--vdn", "12", "--profile", "nope", cwd=tmp_path, env=env)
    assert "no profile 'nope'" in one_line_failure(missing, 1)
    none = isales("campaigns", "list", "--vdn", "12", cwd=tmp_path, env=env)
    assert "no credentials" in one_line_failure(none, 1)


def test_refused_credentials_are_one_line(run, live):
    line = one_line_failure(run("stats", "--vdn", "12", ISALES_SECRET_KEY="wrong"), 3)
    assert "refused" in line and "HTTP 401" in line
    line = one_line_failure(run("stats", "--vdn", "13"), 3)
    assert "HTTP 403" in line


def test_unreachable_server_is_one_line(run):
    from tests.support.servers import free_port

    line = one_line_failure(
        run("stats", "--vdn", "12", ISALES_SERVER=f"http://127.0.0.1:{free_port()}"), 1
    )
    assert "cannot reach the server" in line


# --- numbers import ------------------------------------------------------------------------------


def test_import_follows_the_task_and_reports_errors(run, client, tmp_path):
    campaign_id = create_campaign(client)
    file = tmp_path / "numbers.csv"
    file.write_text("called,customField\n8613800000001,a\nnot-a-number,b\n8613800000002,c\n")
    result = run(
        "numbers",
        "import",
        "--vdn",
        "12",
        "--campaign",
        str(campaign_id),
        "numbers.csv",
        COLUMNS="80",
    )
    assert result.returncode == 1, result.stderr
    # the progress bar's last state, whole, within 80 columns
    bar = [line for line in result.stderr.splitlines() if line.startswith("import task ")]
    assert bar and all(len(line) <= 80 for line in result.stderr.splitlines()), result.stderr
    assert " 3/3 rows " in bar[-1] and "rows/s" in bar[-1] and bar[-1].endswith(" left")
    assert "2 of 3 rows imported, 1 failed" in result.stdout
    with (tmp_path / "numbers.csv.errors.csv").open() as report_file:
        rows = list(csv.reader(report_file))
    assert rows[0] == ["row", "code", "description"] and len(rows) == 2 and rows[1][0] == "3"
    assert "3/3" in result.stderr  # the progress bar's last state: rows done of total


def test_import_without_errors_exits_zero(run, client, tmp_path):
    campaign_id = create_campaign(client)
    (tmp_path / "good.csv").write_text("called\n8613800000011\n8613800000012\n")
    result = ok(
        run(
            "numbers", "import", "--vdn", "12", "--campaign", str(campaign_id), "good.csv", "--json"
        )
    )
    assert json.loads(result.stdout) == {
        "taskId": json.loads(result.stdout)["taskId"],
        "status": "finished",
        "totalRows": 2,
        "successRows": 2,
        "failedRows": 0,
        "errorReport": None,
    }
    assert not (tmp_path / "good.csv.errors.csv").exists()


def test_importing_the_same_file_again_is_refused_in_words(run, client, tmp_path):
    campaign_id = create_campaign(client)
    (tmp_path / "same.csv").write_text("called\n8613800000021\n")
    args = ("numbers", "import", "--vdn", "12", "--campaign", str(campaign_id), "same.csv")
    first = ok(run(*args, "--json"))
    first_task = json.loads(first.stdout)["taskId"]
    again = run(*args)
    assert again.returncode == 1, again.stderr
    assert "already imported into campaign" in again.stderr
    assert f"import task {first_task}" in again.stderr
    assert "--allow-duplicate" in again.stderr
    forced = ok(run(*args, "--allow-duplicate", "--json"))
    assert json.loads(forced.stdout)["successRows"] == 1  # the duplicate row is reported
    assert json.loads(forced.stdout)["taskId"] != first_task


#: runs a command and prints its peak resident size (KiB) as its last stderr line
_MEASURED = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measured(live, key, tmp_path, *args: str) -> tuple[int, subprocess.CompletedProcess]:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-c", _MEASURED, *ISALES, *args],
        cwd=tmp_path,
        env=live.operator_env(key, HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    *rest, peak = result.stderr.splitlines()
    result.stderr = "\n".join(rest)
    return int(peak), result


@pytest.mark.timeout(1800)  # the server imports 500,000 rows; minutes on a busy machine
def test_import_of_500000_rows_keeps_client_memory_bounded(backend, templates, tmp_path):
    # a store of its own: the module's other server would pick the import task up too,
    # with the default cap of 200,000 uncompleted numbers
    env = clean_env(ISALES_MAX_UNCOMPLETED_PER_CAMPAIGN="500000")
    live = start_serve(templates.url(backend), tmp_path, env=env)
    try:
        key = live.key(12)
        client = live.client(12)
        big = tmp_path / "big.csv"
        with big.open("w") as out:
            out.write("called,customField\n")
            for i in range(500_000):
                out.write(f"86139{i:08d},batch-{i // 1000}\n")
        (tmp_path / "small.csv").write_text("called\n8613900000000\n")
        args = ("numbers", "import", "--vdn", "12", "--campaign")
        small_peak, small = measured(
            live, key, tmp_path, *args, str(create_campaign(client)), "small.csv"
        )
        ok(small)
        big_peak, result = measured(
            live,
            key,
            tmp_path,
            *args,
            str(create_campaign(client)),
            "big.csv",
            "--poll-seconds",
            "2",
        )
        ok(result)
    finally:
        live.stop()
    assert "500000 of 500000 rows imported, 0 failed" in result.stdout
    assert "500000/500000 rows" in result.stderr  # the progress bar's last state
    # holding the file (or its base64 text) in memory would add more than the file's size
    size_kib = big.stat().st_size // 1024
    assert big_peak - small_peak < size_kib, (big_peak, small_peak, size_kib)


# --- numbers delete ------------------------------------------------------------------------------


def test_delete_previews_confirms_and_sends_the_count(run, client):
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, numbers(6, customField="old") + numbers(2, prefix="1390000"))
    args = (
        "numbers",
        "delete",
        "--vdn",
        "12",
        "--campaign",
        str(campaign_id),
        "--custom-field",
        "old",
    )
    declined = run(*args, stdin="n\n")
    assert declined.returncode == 1 and "6 numbers match: 6 would be deleted" in declined.stdout
    assert "nothing was deleted" in declined.stderr
    deleted = ok(run(*args, stdin="y\n"))
    assert "6 numbers deleted" in deleted.stdout
    again = json.loads(ok(run(*args, "--yes", "--json")).stdout)
    assert again == {"preview": again["preview"], "deleted": 0}
    assert again["preview"]["matched"] == 0


def test_delete_keeps_what_is_dialled_and_archives(run, client):
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(5, customField="x"))
    claim(client, campaign_id, 2)
    assert set_status(client, campaign_id, "pause")["resultCode"] == SUCCESS
    args = (
        "numbers",
        "delete",
        "--vdn",
        "12",
        "--campaign",
        str(campaign_id),
        "--custom-field",
        "x",
    )
    result = json.loads(ok(run(*args, "--archive", "--yes", "--json")).stdout)
    assert result["deleted"] == 3
    assert result["preview"]["deletable"] == 3 and result["preview"]["kept"]["calling"] == 2


# --- exports -----------------------------------------------------------------------------------


def test_numbers_export_streams_csv(run, client):
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(25, customField="e"))
    taken = claim(client, campaign_id, 1)
    out = ok(run("numbers", "export", "--vdn", "12", "--campaign", str(campaign_id))).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 25 and {r["customField"] for r in rows} == {"e"}
    assert [int(r["dataId"]) for r in rows] == sorted(int(r["dataId"]) for r in rows)
    calling = ok(
        run(
            "numbers",
            "export",
            "--vdn",
            "12",
            "--campaign",
            str(campaign_id),
            "--state",
            "calling",
            "--json",
        )
    )
    lines = [json.loads(line) for line in calling.stdout.splitlines()]
    assert [line["dataId"] for line in lines] == [taken[0]["uniqueId"]]


def test_results_export_and_stats(run, client):
    from datetime import date, timedelta

    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(3))
    for item in claim(client, campaign_id, 3):
        report(client, campaign_id, item["uniqueId"], status="6")
    today = date.today()
    args = (
        "results",
        "export",
        "--vdn",
        "12",
        "--campaign",
        str(campaign_id),
        "--begin",
        (today - timedelta(days=45)).isoformat(),
        "--end",
        (today + timedelta(days=2)).isoformat(),
    )
    rows = list(csv.DictReader(io.StringIO(ok(run(*args)).stdout)))
    assert len(rows) == 3 and {r["callStatus"] for r in rows} == {"6"}
    assert {(r["failCode"], r["failCodeMeaning"]) for r in rows} == {("00000", "Connected")}
    stats = json.loads(
        ok(run("stats", "--vdn", "12", "--campaign", str(campaign_id), "--json")).stdout
    )
    assert stats[0]["dailyCallSucc"] == 3 and stats[0]["totalFinishCount"] == 3
    table = ok(run("stats", "--vdn", "12", "--campaign", str(campaign_id))).stdout.splitlines()
    assert table[0] == f"Campaign {campaign_id}"
    assert all(len(line) <= 100 for line in table), table
    lines = {line.split("  ")[1].strip(): line.split() for line in table[2:]}
    assert lines["Connected calls today"][-2:] == ["3", "dailyCallSucc"], table
    assert lines["Numbers completed"][-2:] == ["3", "totalFinishCount"], table
