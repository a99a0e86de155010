"""What every command checks before it does anything: the ISALES_* variables and the store
URL (docs/operations.md#the-store-url, docs/operations.md#configuration)."""

from __future__ import annotations

import json

import pytest

from tests.support.processes import clean_env, isales, ok, one_line_failure, start_serve


@pytest.mark.parametrize(
    "command",
    [
        ("campaigns", "list", "--vdn", "12"),  # a client of a server
        ("stats", "--vdn", "12"),
        ("keys", "list"),  # opens the store
        ("keys", "master-key"),
        ("serve", "--port", "1"),
    ],
)
def test_a_misspelt_variable_stops_every_command(command, tmp_path):
    env = clean_env(
        ISALES_SERVERR="http://127.0.0.1:1", ISALES_ACCESS_KEY="AK", ISALES_SECRET_KEY="SK"
    )
    line = one_line_failure(isales(*command, cwd=tmp_path, env=env), 2)
    assert "ISALES_SERVERR" in line


def test_a_store_url_that_is_not_one_says_what_one_looks_like(tmp_path):
    line = one_line_failure(isales("serve", "--db", "notaurl", cwd=tmp_path), 2)
    assert "--db" in line and "notaurl" in line
    assert "sqlite:////var/lib/isales/isales.db" in line and "postgresql://" in line
    line = one_line_failure(isales("keys", "list", "--db", "mysql://x@h/db", cwd=tmp_path), 2)
    assert "SQLite or PostgreSQL" in line


def test_a_sqlite_store_in_a_missing_folder_is_refused(tmp_path):
    for command in (("serve", "--port", "1"), ("db", "upgrade")):
        line = one_line_failure(isales(*command, "--db", "sqlite:///nodir/x.db", cwd=tmp_path), 2)
        assert f"the folder {tmp_path / 'nodir'} of the SQLite store does not exist" in line
    assert not (tmp_path / "nodir").exists()


def test_postgres_urls_are_postgresql(backend, templates, tmp_path):
    shown = json.loads(
        ok(
            isales(
                "config",
                "show",
                "--json",
                "--db",
                "postgres://u:pw@127.0.0.1:5432/isales",
                cwd=tmp_path,
            )
        ).stdout
    )
    assert shown["db"]["value"] == "postgresql+psycopg://u:***@127.0.0.1:5432/isales"
    url = templates.url(backend)
    if backend == "postgresql":  # the real store, reached through the short scheme
        url = "postgres://" + url.split("://", 1)[1]
    ok(isales("keys", "list", "--db", url, cwd=tmp_path))


def test_the_start_line_names_the_store(backend, templates, tmp_path):
    url = templates.url(backend)
    server = start_serve(url, tmp_path)
    server.stop()  # the start line is flushed by then
    (first,) = [line for line in server.log_lines() if line.startswith("isales serving")]
    if backend == "sqlite":
        assert first.startswith(f"isales serving SQLite store {url.removeprefix('sqlite:///')} on ")
    else:
        assert first.startswith("isales serving PostgreSQL store postgresql+psycopg://")
        assert first.split("@", 1)[1].startswith(url.split("@", 1)[1].split("/")[0])
