"""``isales users create|list|disable`` in real subprocesses, on both stores."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from argon2 import PasswordHasher

from isales.config import Settings
from isales.services import Services
from tests.support.api import rows

pytestmark = pytest.mark.usefixtures("backend")


def users(*args: str, db_url: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "isales", "users", *args, "--db", db_url],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def store(backend, templates):  # type: ignore[no-untyped-def]
    url = templates.url(backend)
    services = Services.build(Settings(db=url))
    yield url, services
    services.close()


def test_a_password_from_stdin_is_stored_only_as_an_argon2id_hash(store):
    url, services = store
    made = users(
        "create",
        "--name",
        "ann",
        "--vdn",
        "12",
        "--vdn",
        "14",
        "--role",
        "operator",
        db_url=url,
        stdin="a typed password\n",
    )
    assert made.returncode == 0, made.stderr
    assert "a typed password" not in made.stdout and "password:" not in made.stdout
    (row,) = rows(services, "console_users", name="ann")
    assert row["password_hash"].startswith("$argon2id$")
    assert PasswordHasher().verify(row["password_hash"], "a typed password")
    listed = json.loads(users("list", "--json", db_url=url).stdout)
    assert listed == [
        {
            "name": "ann",
            "role": "operator",
            "vdnIds": [12, 14],
            "createdAt": listed[0]["createdAt"],
            "disabledAt": None,
        }
    ]


def test_without_a_password_one_is_generated_and_shown_once(store):
    url, services = store
    made = users("create", "--name", "bo", "--vdn", "12", "--role", "viewer", db_url=url)
    assert made.returncode == 0, made.stderr
    password = next(
        line.split(": ", 1)[1] for line in made.stdout.splitlines() if line.startswith("password:")
    )
    (row,) = rows(services, "console_users", name="bo")
    assert PasswordHasher().verify(row["password_hash"], password)
    assert password not in users("list", db_url=url).stdout


def test_bad_users_are_refused_and_nothing_is_stored(store):
    url, services = store
    for args, stdin in (
        (("--name", "x y", "--vdn", "12", "--role", "admin"), "long enough pw\n"),
        (("--name", "short", "--vdn", "12", "--role", "admin"), "tiny\n"),
        (("--name", "cy", "--vdn", "12", "--role", "root"), "long enough pw\n"),
    ):
        refused = users("create", *args, db_url=url, stdin=stdin)
        assert refused.returncode != 0
        assert "Traceback" not in refused.stderr
    assert rows(services, "console_users") == []
    users(
        "create",
        "--name",
        "dup",
        "--vdn",
        "12",
        "--role",
        "admin",
        db_url=url,
        stdin="long enough pw\n",
    )
    again = users(
        "create",
        "--name",
        "dup",
        "--vdn",
        "13",
        "--role",
        "viewer",
        db_url=url,
        stdin="long enough pw\n",
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    assert [r["role"] for r in rows(services, "console_users")] == ["admin"]


def test_disable_ends_sessions_and_both_changes_are_audited(store):
    url, services = store
    users(
        "create",
        "--name",
        "dee",
        "--vdn",
        "12",
        "--role",
        "admin",
        db_url=url,
        stdin="long enough pw\n",
    )
    session = services.console_users.sign_in("dee", "long enough pw", "test")
    assert services.console_users.session(session.token) is not None
    assert users("disable", "dee", db_url=url).returncode == 0
    assert services.console_users.session(session.token) is None
    assert users("disable", "dee", db_url=url).returncode == 1
    audited = [
        (entry["operation"], json.loads(entry["detail"])["user"])
        for entry in services.audit.entries()
        if entry["operation"].startswith("user-")
    ]
    assert audited == [("user-create", "dee"), ("user-disable", "dee")]
