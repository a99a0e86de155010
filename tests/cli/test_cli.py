"""The ``isales`` console script, in real subprocesses (README.md, "Command line";
docs/fixed-surfaces.md)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import inspect

from isales.client import IsalesClient
from isales.store import schema
from isales.store.engine import make_engine
from isales.store.migrate import MIGRATIONS
from tests.support.api import SUCCESS, add_numbers, campaigns_path, create_campaign, delete, numbers
from tests.support.processes import run
from tests.support.servers import start_server
from tests.support.stores import empty_store

pytestmark = pytest.mark.usefixtures("backend")


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result


@pytest.fixture
def store_url(backend, templates) -> str:
    """A freshly migrated store."""
    return templates.url(backend)


@pytest.fixture
def empty_url(backend, tmp_path):
    with empty_store(backend, tmp_path) as url:
        yield url


def create_key(url: str, cwd: Path, *vdns: int) -> dict:
    args = ["keys", "create", *[a for v in vdns for a in ("--vdn", str(v))], "--db", url, "--json"]
    return json.loads(ok(run(*args, cwd=cwd)).stdout)


# --- keys create ----------------------------------------------------------------------------------


def test_keys_create_json_is_one_object(store_url, tmp_path):
    result = ok(
        run(
            "keys",
            "create",
            "--vdn",
            "12",
            "--vdn",
            "13",
            "--db",
            store_url,
            "--json",
            cwd=tmp_path,
        )
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    created = json.loads(result.stdout)
    assert set(created) == {"accessKey", "secretKey", "vdnIds"}
    assert created["vdnIds"] == [12, 13]
    assert isinstance(created["accessKey"], str) and created["accessKey"]
    assert isinstance(created["secretKey"], str) and len(created["secretKey"]) >= 16
    assert created["secretKey"] not in result.stderr


def test_keys_create_twice_gives_different_keys(store_url, tmp_path):
    first = create_key(store_url, tmp_path, 12)
    second = create_key(store_url, tmp_path, 12)
    assert first["accessKey"] != second["accessKey"]
    assert first["secretKey"] != second["secretKey"]


def test_keys_create_sorts_and_dedupes_vdns(store_url, tmp_path):
    assert create_key(store_url, tmp_path, 13, 12, 13)["vdnIds"] == [12, 13]


def test_keys_create_plain_shows_the_secret_once(store_url, tmp_path):
    result = ok(run("keys", "create", "--vdn", "12", "--db", store_url, cwd=tmp_path))
    assert "access key:" in result.stdout and "secret key:" in result.stdout
    listed = ok(run("keys", "list", "--db", store_url, cwd=tmp_path)).stdout
    access = next(
        line.split(":", 1)[1].strip()
        for line in result.stdout.splitlines()
        if line.startswith("access key:")
    )
    secret = next(
        line.split(":", 1)[1].strip()
        for line in result.stdout.splitlines()
        if line.startswith("secret key:")
    )
    assert access in listed and secret not in listed


@pytest.mark.parametrize("args", [[], ["--vdn", "0"], ["--vdn", "10000"], ["--vdn", "x"]])
def test_keys_create_refuses_bad_vdns(store_url, tmp_path, args):
    result = run("keys", "create", *args, "--db", store_url, "--json", cwd=tmp_path)
    assert result.returncode != 0
    assert result.stdout == ""


def test_created_key_signs_requests(store_url, tmp_path):
    created = create_key(store_url, tmp_path, 12)
    running = start_server(store_url)
    try:
        with IsalesClient(running.base_url, created["accessKey"], created["secretKey"]) as signed:
            answer = signed.get(campaigns_path(12), params={"status": 0, "deviceType": 0}).json()
            assert answer["resultCode"] == SUCCESS
            assert (
                signed.get(campaigns_path(13), params={"status": 0, "deviceType": 0}).status_code
                == 403
            )
    finally:
        running.stop()


# --- keys list / revoke ---------------------------------------------------------------------------


def test_keys_list_never_shows_secrets(store_url, tmp_path):
    first = create_key(store_url, tmp_path, 12, 13)
    second = create_key(store_url, tmp_path, 14)
    result = ok(run("keys", "list", "--db", store_url, cwd=tmp_path))
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "vdn=12,13" in lines[first["accessKey"]] and "active" in lines[first["accessKey"]]
    assert "vdn=14" in lines[second["accessKey"]]
    for created in (first, second):
        assert created["secretKey"] not in result.stdout + result.stderr
    as_json = ok(run("keys", "list", "--db", store_url, "--json", cwd=tmp_path)).stdout
    assert first["secretKey"] not in as_json and second["secretKey"] not in as_json
    listed = {row["accessKey"]: row for row in json.loads(as_json)}
    assert listed[first["accessKey"]]["vdnIds"] == [12, 13]
    assert listed[first["accessKey"]]["revokedAt"] is None
    assert all("secretKey" not in row for row in listed.values())


def test_keys_revoke(store_url, tmp_path):
    kept = create_key(store_url, tmp_path, 12)
    revoked = create_key(store_url, tmp_path, 12)
    result = ok(run("keys", "revoke", revoked["accessKey"], "--db", store_url, cwd=tmp_path))
    assert revoked["accessKey"] in result.stdout
    lines = {
        line.split()[0]: line
        for line in ok(run("keys", "list", "--db", store_url, cwd=tmp_path)).stdout.splitlines()
    }
    assert "revoked" in lines[revoked["accessKey"]]
    assert "active" not in lines[revoked["accessKey"]]
    assert "active" in lines[kept["accessKey"]]


def test_revoked_key_is_refused_by_a_running_server(store_url, tmp_path):
    created = create_key(store_url, tmp_path, 12)
    running = start_server(store_url)
    try:
        with IsalesClient(running.base_url, created["accessKey"], created["secretKey"]) as signed:
            params = {"status": 0, "deviceType": 0}
            assert signed.get(campaigns_path(12), params=params).status_code == 200
            ok(run("keys", "revoke", created["accessKey"], "--db", store_url, cwd=tmp_path))
            assert signed.get(campaigns_path(12), params=params).status_code == 401
    finally:
        running.stop()


def test_revoking_unknown_or_revoked_key_fails(store_url, tmp_path):
    result = run("keys", "revoke", "AKNOSUCHKEY", "--db", store_url, cwd=tmp_path)
    assert result.returncode != 0
    assert "AKNOSUCHKEY" in result.stderr
    created = create_key(store_url, tmp_path, 12)
    ok(run("keys", "revoke", created["accessKey"], "--db", store_url, cwd=tmp_path))
    again = run("keys", "revoke", created["accessKey"], "--db", store_url, cwd=tmp_path)
    assert again.returncode != 0


# --- db upgrade -----------------------------------------------------------------------------------


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def revision_and_tables(url: str) -> tuple[str | None, set[str]]:
    from alembic.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
        return revision, set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_db_upgrade_is_idempotent(empty_url, tmp_path):
    assert revision_and_tables(empty_url) == (None, set())
    first = ok(run("db", "upgrade", "--db", empty_url, cwd=tmp_path))
    assert "latest revision" in first.stdout
    expected = (head_revision(), set(schema.metadata.tables) | {"alembic_version"})
    assert revision_and_tables(empty_url) == expected
    ok(run("db", "upgrade", "--db", empty_url, cwd=tmp_path))
    assert revision_and_tables(empty_url) == expected


def test_db_upgrade_keeps_data(store_url, tmp_path):
    created = create_key(store_url, tmp_path, 12)
    ok(run("db", "upgrade", "--db", store_url, cwd=tmp_path))
    assert created["accessKey"] in ok(run("keys", "list", "--db", store_url, cwd=tmp_path)).stdout


def test_keys_create_refuses_a_store_without_schema(empty_url, tmp_path):
    result = run("keys", "create", "--vdn", "12", "--db", empty_url, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "isales db upgrade" in result.stderr
    assert revision_and_tables(empty_url) == (None, set())


# --- ISALES_DB ------------------------------------------------------------------------------------


def test_isales_db_environment_variable(store_url, tmp_path):
    env = {"ISALES_DB": store_url}
    created = json.loads(
        ok(run("keys", "create", "--vdn", "12", "--json", cwd=tmp_path, env=env)).stdout
    )
    assert not (tmp_path / "isales.db").exists()  # not the default store in the working folder
    listed = ok(run("keys", "list", "--db", store_url, cwd=tmp_path)).stdout
    assert created["accessKey"] in listed
    assert created["accessKey"] in ok(run("keys", "list", cwd=tmp_path, env=env)).stdout
    ok(run("keys", "revoke", created["accessKey"], cwd=tmp_path, env=env))
    ok(run("db", "upgrade", cwd=tmp_path, env=env))
    assert not (tmp_path / "isales.db").exists()
    assert "revoked" in ok(run("keys", "list", "--db", store_url, cwd=tmp_path)).stdout


def test_db_option_wins_over_environment(store_url, tmp_path):
    other = f"sqlite:///{tmp_path / 'other.db'}"
    ok(run("db", "upgrade", "--db", other, cwd=tmp_path))
    result = ok(
        run(
            "keys",
            "create",
            "--vdn",
            "12",
            "--db",
            store_url,
            "--json",
            cwd=tmp_path,
            env={"ISALES_DB": other},
        )
    )
    access = json.loads(result.stdout)["accessKey"]
    assert access in ok(run("keys", "list", "--db", store_url, cwd=tmp_path)).stdout
    assert access not in ok(run("keys", "list", "--db", other, cwd=tmp_path)).stdout


def test_default_store_is_a_sqlite_file_in_the_working_folder(tmp_path):
    refused = run("keys", "create", "--vdn", "12", "--json", cwd=tmp_path)
    assert refused.returncode == 2 and "no store at" in refused.stderr
    assert not (tmp_path / "isales.db").exists()  # never created by a command but upgrade/serve
    ok(run("db", "upgrade", cwd=tmp_path))
    created = json.loads(ok(run("keys", "create", "--vdn", "12", "--json", cwd=tmp_path)).stdout)
    assert (tmp_path / "isales.db").exists()
    assert created["accessKey"] in ok(run("keys", "list", cwd=tmp_path)).stdout


# --- history --------------------------------------------------------------------------------------


@pytest.fixture
def archived(store_url):
    """VDN 12: three numbers archived (b7), one removed unarchived (b8); VDN 13: one archived."""
    running = start_server(store_url)
    try:
        with running.client((12, 13)) as signed:
            campaign_id = create_campaign(signed)
            add_numbers(
                signed,
                campaign_id,
                [
                    {"called": "13800000001", "customField": "b7", "sessionId": "s1"},
                    {"called": "13800000002", "customField": "b7", "sessionId": "s2"},
                    {"called": "13800000003", "customField": "b7"},
                    {"called": "13800000004", "customField": "b8"},
                    {"called": "13800000005", "customField": "b9"},
                ],
            )
            assert (
                delete(signed, campaign_id, {"customField": "b7", "archiveHistory": 1})[
                    "successCount"
                ]
                == 3
            )
            assert delete(signed, campaign_id, {"customField": "b8"})["successCount"] == 1
            other_campaign = create_campaign(signed, vdn=13)
            add_numbers(signed, other_campaign, numbers(1, prefix="1390000"), vdn=13)
            assert (
                delete(
                    signed, other_campaign, {"called": "13900000000", "archiveHistory": 1}, vdn=13
                )["successCount"]
                == 1
            )
            return {"campaign_id": campaign_id, "access_key": signed.access_key}
    finally:
        running.stop()


def history(url: str, cwd: Path, *args: str) -> list[dict]:
    result = ok(run("history", *args, "--db", url, "--json", cwd=cwd))
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_history_json(store_url, archived, tmp_path):
    rows = history(store_url, tmp_path, "--vdn", "12")
    assert sorted(row["called"] for row in rows) == ["13800000001", "13800000002", "13800000003"]
    for row in rows:
        assert row["campaign_id"] == archived["campaign_id"]
        assert row["vdn_id"] == 12
        assert row["custom_field"] == "b7"
        assert row["archived_by"] == archived["access_key"]
        assert row["request_id"]
    assert len({row["request_id"] for row in rows}) == 1
    assert {row["session_id"] for row in rows} == {"s1", "s2", None}


def test_history_filters(store_url, archived, tmp_path):
    campaign = str(archived["campaign_id"])
    assert [
        r["called"] for r in history(store_url, tmp_path, "--vdn", "12", "--called", "13800000002")
    ] == ["13800000002"]
    assert [
        r["called"] for r in history(store_url, tmp_path, "--vdn", "12", "--session-id", "s1")
    ] == ["13800000001"]
    assert len(history(store_url, tmp_path, "--vdn", "12", "--campaign", campaign)) == 3
    assert (
        history(
            store_url, tmp_path, "--vdn", "12", "--campaign", str(archived["campaign_id"] + 999)
        )
        == []
    )
    assert history(store_url, tmp_path, "--vdn", "12", "--custom-field", "b8") == []  # not archived
    assert [r["called"] for r in history(store_url, tmp_path, "--vdn", "13")] == ["13900000000"]
    assert history(store_url, tmp_path, "--vdn", "14") == []


def test_history_pages(store_url, archived, tmp_path):
    first = history(store_url, tmp_path, "--vdn", "12", "--page-size", "2")
    second = history(store_url, tmp_path, "--vdn", "12", "--page-size", "2", "--page", "2")
    assert len(first) == 2 and len(second) == 1
    assert {r["called"] for r in first + second} == {"13800000001", "13800000002", "13800000003"}


def test_history_plain(store_url, archived, tmp_path):
    result = ok(run("history", "--vdn", "12", "--db", store_url, cwd=tmp_path))
    assert len(result.stdout.splitlines()) == 3
    assert "called=13800000001" in result.stdout
    assert "3 of 3 archived numbers" in result.stderr
