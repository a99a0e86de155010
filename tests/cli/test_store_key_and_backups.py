"""A store and the master key that seals its secrets belong together: backups carry both,
and a key that does not open the store stops the server (docs/operations.md#the-master-key,
docs/operations.md#backups). Real stores, real `isales` processes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from isales.client import IsalesClient
from isales.config import Settings
from isales.secret_box import SecretBox
from isales.services import Services
from tests.support.processes import clean_env, isales, ok, one_line_failure, start_serve

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture
def store_url(backend, templates) -> str:
    return templates.url(backend)


def without_master_key(**extra: str) -> dict[str, str]:
    env = clean_env(**extra)
    env.pop("ISALES_MASTER_KEY", None)
    return env


def with_master_key(key: str) -> dict[str, str]:
    return clean_env(ISALES_MASTER_KEY=key)


def create_key(url: str, cwd: Path, env: dict[str, str]) -> dict:
    created = isales("keys", "create", "--vdn", "12", "--db", url, "--json", cwd=cwd, env=env)
    return json.loads(ok(created).stdout)


def seal_a_key_under(url: str, master_key: str) -> None:
    """A key sealed under ``master_key`` written straight through the services (no CLI
    command would write it under a key that does not open the store)."""
    services = Services.build(Settings(db=url, master_key=master_key))
    try:
        services.access.create_key([12])
    finally:
        services.close()


#: every command that opens an existing store, with arguments that would otherwise work
STORE_COMMANDS = (
    ("keys", "create", "--vdn", "12"),
    ("keys", "list"),
    ("keys", "revoke", "AKQ3F7K2M9X1B4N8P6RT"),
    ("history", "--vdn", "12"),
    ("hold", "set", "--vdn", "12", "--campaign", "1", "--reason", "case 1"),
    ("hold", "release", "--vdn", "12", "--campaign", "1"),
    ("hold", "list"),
    ("erase", "--vdn", "12", "--called", "8613800000000"),
    ("audit", "list"),
    ("audit", "verify"),
    ("users", "create", "--name", "alice", "--vdn", "12", "--role", "operator"),
    ("users", "list"),
    ("users", "disable", "alice"),
)


def test_every_store_command_refuses_another_master_key(store_url, tmp_path):
    sealing, other = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    create_key(store_url, tmp_path, with_master_key(sealing))
    for command in STORE_COMMANDS:
        result = isales(
            *command, "--db", store_url, cwd=tmp_path, env=with_master_key(other), stdin="pw\n"
        )
        line = one_line_failure(result, 2)
        assert "sealed secrets do not open with ISALES_MASTER_KEY" in line, (command, line)
    listed = isales(
        "keys", "list", "--json", "--db", store_url, cwd=tmp_path, env=with_master_key(sealing)
    )
    assert len(ok(listed).stdout.splitlines()) == 1  # nothing written under the wrong key
    assert (
        "audit log intact: 1 entries"
        in ok(
            isales("audit", "verify", "--db", store_url, cwd=tmp_path, env=with_master_key(sealing))
        ).stdout
    )


def test_serve_and_db_upgrade_refuse_another_master_key(store_url, tmp_path):
    sealing, other = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    create_key(store_url, tmp_path, with_master_key(sealing))
    for command in (("serve", "--port", "1"), ("db", "upgrade")):
        line = one_line_failure(
            isales(*command, "--db", store_url, cwd=tmp_path, env=with_master_key(other)), 2
        )
        assert "sealed secrets do not open with ISALES_MASTER_KEY" in line, line
    ok(isales("db", "upgrade", "--db", store_url, cwd=tmp_path, env=with_master_key(sealing)))


def test_readyz_is_503_once_the_key_no_longer_opens_the_store(store_url, tmp_path):
    server = start_serve(store_url, tmp_path, env=with_master_key(Fernet.generate_key().decode()))
    try:
        assert httpx.get(f"{server.url}/readyz").status_code == 200
        # a key sealed under another master key appears beneath the running server
        seal_a_key_under(store_url, Fernet.generate_key().decode())
        answer = httpx.get(f"{server.url}/readyz")
        assert answer.status_code == 503
        assert "sealed secrets do not open with ISALES_MASTER_KEY" in answer.json()["reason"]
    finally:
        server.stop()


def test_a_postgresql_store_needs_the_master_key(backend, store_url, tmp_path):
    upgrade = isales("db", "upgrade", "--db", store_url, cwd=tmp_path, env=without_master_key())
    if backend == "sqlite":  # the key file beside the store, made on first use
        ok(upgrade)
        assert Path(f"{store_url.removeprefix('sqlite:///')}.key").is_file()
        return
    assert "isales keys master-key" in one_line_failure(upgrade, 2)
    serve = isales(
        "serve", "--port", "1", "--db", store_url, cwd=tmp_path, env=without_master_key()
    )
    line = one_line_failure(serve, 2)  # exit 2: the unit does not restart it in a loop
    assert "ISALES_MASTER_KEY" in line and "isales keys master-key" in line


def test_master_key_command_prints_a_new_usable_key(tmp_path):
    first = ok(isales("keys", "master-key", cwd=tmp_path)).stdout.strip()
    second = ok(isales("keys", "master-key", cwd=tmp_path)).stdout.strip()
    assert first != second
    box = SecretBox(first)
    assert box.open(box.seal("secret", "AK1"), "AK1") == "secret"


def sqlite_store(tmp_path: Path) -> tuple[str, Path]:
    store = tmp_path / "var" / "isales.db"
    store.parent.mkdir()
    url = f"sqlite:///{store}"
    ok(isales("db", "upgrade", "--db", url, cwd=tmp_path, env=without_master_key()))
    return url, store


def test_sqlite_backup_and_restore_carry_the_key_file(backend, store_url, tmp_path):
    if backend == "postgresql":  # pg_dump's, said in one line
        line = one_line_failure(
            isales("db", "backup", str(tmp_path / "b.db"), "--db", store_url, cwd=tmp_path), 2
        )
        assert "pg_dump" in line and "ISALES_MASTER_KEY" in line
        return
    url, store = sqlite_store(tmp_path)
    env = without_master_key()
    key = create_key(url, tmp_path, env)
    (tmp_path / "backup").mkdir()
    backup = tmp_path / "backup" / "isales.db"
    ok(isales("db", "backup", str(backup), "--db", url, cwd=tmp_path, env=env))
    assert Path(f"{backup}.key").read_bytes() == Path(f"{store}.key").read_bytes()
    assert os.stat(f"{backup}.key").st_mode & 0o077 == 0

    for path in store.parent.iterdir():  # the host is lost
        path.unlink()
    restored = ok(isales("db", "restore", str(backup), "--db", url, cwd=tmp_path, env=env))
    assert str(store) in restored.stdout
    server = start_serve(url, tmp_path, env=env)
    try:
        assert httpx.get(f"{server.url}/readyz").status_code == 200
        client = IsalesClient(server.url, key["accessKey"], key["secretKey"])
        answer = client.get(
            "/rest/isales/v1/openapi/campaigns/12",
            params={"status": 0, "deviceType": 0, "curPage": 1, "rowsPerPage": 10},
        )
        assert answer.json()["resultCode"] == "0200000", answer.text
    finally:
        server.stop()


def test_a_sqlite_store_without_its_key_file_is_refused(backend, tmp_path):
    url, store = sqlite_store(tmp_path)
    env = without_master_key()
    create_key(url, tmp_path, env)
    (tmp_path / "backup").mkdir()
    backup = tmp_path / "backup" / "isales.db"
    ok(isales("db", "backup", str(backup), "--db", url, cwd=tmp_path, env=env))

    Path(f"{store}.key").unlink()  # the store restored by hand, without its key
    line = one_line_failure(isales("serve", "--port", "1", "--db", url, cwd=tmp_path, env=env), 2)
    assert f"the key file {store}.key is missing" in line
    assert not Path(f"{store}.key").exists()  # no new key made over the lost one
    for command in (("keys", "list"), ("audit", "verify")):
        line = one_line_failure(isales(*command, "--db", url, cwd=tmp_path, env=env), 2)
        assert f"the key file {store}.key is missing" in line, line
        assert not Path(f"{store}.key").exists()

    Path(f"{backup}.key").unlink()
    line = one_line_failure(
        isales("db", "restore", str(backup), "--force", "--db", url, cwd=tmp_path, env=env), 2
    )
    assert f"no key file {backup}.key" in line
