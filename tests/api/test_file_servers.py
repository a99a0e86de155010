"""File servers (cec_07_4050-4053) and imports from them over SFTP (cec_07_4038, cec_07_4028),
against a real SFTP server (asyncssh's) on 127.0.0.1 — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import threading
from datetime import timedelta
from pathlib import Path

import asyncssh
import pytest
from cryptography.fernet import Fernet

from isales.secret_box import MasterKeyInvalid, SecretBox
from tests.support.api import (
    SUCCESS,
    MovableClock,
    assert_code,
    create_campaign,
    execute_sql,
    ok_json,
    rows,
)
from tests.support.servers import free_port

pytestmark = pytest.mark.usefixtures("backend")

USER, PASSWORD = "isales", "s3cret-pass"
KEY = Fernet.generate_key().decode()
SETTINGS = {"import_sweep_seconds": 3600, "master_key": KEY, "file_server_trustlist": "127.0.0.1"}
FILE = "/rest/isales/v1/openapi/campaigns/12/file"


class _Auth(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return (username, password) == (USER, PASSWORD)


class SftpServer:
    """asyncssh's SFTP server on its own event loop thread, chrooted to ``root``."""

    def __init__(self, root: Path) -> None:
        self.root, self.port = root, free_port()
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.acceptor = asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(10)

    async def _listen(self):  # type: ignore[no-untyped-def]
        return await asyncssh.listen(
            "127.0.0.1",
            self.port,
            server_host_keys=[self.host_key],
            server_factory=_Auth,
            sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=str(self.root).encode()),
        )

    def public_key(self) -> str:
        return self.host_key.export_public_key().decode().strip()

    def stop(self) -> None:
        self.acceptor.close()
        asyncio.run_coroutine_threadsafe(self.acceptor.wait_closed(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def sftp_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("sftp")
    (root / "batches" / "day1").mkdir(parents=True)
    (root / "batches" / "day1" / "numbers.csv").write_text(
        "sessionId,called\ns1,13700000001\ns2,13700000002\n"
    )
    (root / "batches" / "black.csv").write_text("Number\n13600000001\n13600000002\n")
    server = SftpServer(root)
    yield server
    server.stop()


@pytest.fixture
def running(make_server):  # type: ignore[no-untyped-def]
    clock = MovableClock()
    server = make_server(clock=clock, **SETTINGS)
    with server.client() as client:
        yield server, client, clock


def add_server(client, sftp_server, **change) -> dict:  # type: ignore[no-untyped-def]
    body = {
        "serverInfo": {"ip": "127.0.0.1", "port": str(sftp_server.port), "filePath": "/batches"},
        "userName": USER,
        "serverPwd": PASSWORD,
        **change,
    }
    return ok_json(client.post(FILE + "/addServer", json=body))


def server_id_of(client, sftp_server) -> str:  # type: ignore[no-untyped-def]
    answer = add_server(client, sftp_server)
    assert_code(answer, SUCCESS)
    return answer["returnObject"]["serverId"]


def test_add_answers_the_server_id_at_the_top_level_and_in_the_return_object(running, sftp_server):
    # Huawei's response table puts serverId beside resultCode; earlier isales answered it
    # in returnObject only, and clients written either way must keep working.
    _, client, _ = running
    answer = add_server(client, sftp_server)
    assert_code(answer, SUCCESS)
    assert answer["serverId"] == answer["returnObject"]["serverId"]
    assert answer["serverId"].isdigit()


def test_password_is_sealed_and_never_answered(running, sftp_server):
    server, client, _ = running
    server_id = server_id_of(client, sftp_server)
    [row] = rows(server.services, "file_servers", id=int(server_id))
    assert PASSWORD not in row["password"]
    box = SecretBox.for_settings(server.settings)
    assert box.open(row["password"], "file-server:12") == PASSWORD
    response = client.post(FILE + "/queryServer", json={"offset": 0, "limit": 10})
    assert PASSWORD not in response.text and row["password"] not in response.text
    answer = ok_json(response)
    assert answer["count"] == 1
    assert answer["server"] == [
        {
            "serverId": server_id,
            "ip": "127.0.0.1",
            "port": str(sftp_server.port),
            "filePath": "/batches",
            "userName": USER,
        }
    ]
    only = {"offset": 0, "limit": 10, "serverIds": ["999"]}
    assert ok_json(client.post(FILE + "/queryServer", json=only))["count"] == 0
    # the same server twice in one VDN
    assert_code(add_server(client, sftp_server), "0200005")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"serverPwd": "short"}, "02000005"),
        ({"serverPwd": "x" * 81}, "02000005"),
        ({"serverPwd": None}, "02000001"),
        ({"userName": "bad.name"}, "02000002"),
        ({"userName": "u" * 31}, "02000003"),
        ({"serverInfo": None}, "02000001"),
        ({"serverInfo": {"ip": "10.0.0.1", "port": "22"}}, "02000007"),  # not trusted
        ({"serverInfo": {"ip": "127.0.0.1", "port": "70000"}}, "02000007"),
        ({"serverInfo": {"ip": "127.0.0.1 ", "port": "22"}}, "02000002"),
        ({"extra": 1}, "0200001"),
    ],
)
def test_add_rules(running, sftp_server, change, code):
    server, client, _ = running
    assert_code(add_server(client, sftp_server, **change), code)
    assert rows(server.services, "file_servers") == []


def test_a_sealed_password_opens_only_for_its_vdn(running, sftp_server):
    server, client, _ = running
    server_id = server_id_of(client, sftp_server)
    [row] = rows(server.services, "file_servers", id=int(server_id))
    with pytest.raises(MasterKeyInvalid):
        SecretBox.for_settings(server.settings).open(row["password"], "file-server:13")


def test_update_rules(running, sftp_server):
    server, client, _ = running
    server_id = server_id_of(client, sftp_server)
    same = {"serverInfo": {"ip": "127.0.0.1", "port": str(sftp_server.port)}, "userName": "other"}
    assert_code(ok_json(client.post(f"{FILE}/{server_id}/updateServer", json=same)), SUCCESS)
    [row] = rows(server.services, "file_servers", id=int(server_id))
    assert (row["user_name"], row["path"]) == ("other", None)
    moved = {"serverInfo": {"ip": "127.0.0.1", "port": "2222"}, "userName": USER}
    answer = ok_json(client.post(f"{FILE}/{server_id}/updateServer", json=moved))
    assert_code(answer, "02000001")  # a new port needs the password
    assert_code(ok_json(client.post(f"{FILE}/999999/updateServer", json=same)), "0200033")
    assert_code(ok_json(client.post(f"{FILE}/x/updateServer", json=same)), "02000006")

    assert_code(ok_json(client.post(f"{FILE}/{server_id}/deleteServer")), SUCCESS)
    assert rows(server.services, "file_servers") == []
    assert_code(ok_json(client.post(f"{FILE}/{server_id}/deleteServer")), "0200033")
    assert_code(ok_json(client.post(f"{FILE}/0/deleteServer")), "02000007")
    answer = ok_json(client.post(f"{FILE}/1/deleteServer", json={"x": 1}))
    assert_code(answer, "0200001")


def test_number_import_from_the_file_server(running, sftp_server):
    server, client, _ = running
    server_id = server_id_of(client, sftp_server)
    campaign_id = create_campaign(client)
    url = f"/rest/isales/v1/openapi/campaigns/12/calldatafile/uploadFileServer/{campaign_id}"
    body = {"serverId": server_id, "filePath": "/day1", "fileName": "numbers.csv"}
    answer = ok_json(client.post(url, json=body))
    assert_code(answer, SUCCESS)
    assert answer["returnObject"]["totalRows"] == 2
    server.services.imports.run_pending()
    called = sorted(r["called"] for r in rows(server.services, "numbers", campaign_id=campaign_id))
    assert called == ["13700000001", "13700000002"]
    # the host key was pinned on that first login
    [row] = rows(server.services, "file_servers", id=int(server_id))
    assert row["host_key"] == sftp_server.public_key()
    # the isales form (file in the body) still works on the Huawei URL
    content = base64.b64encode(b"called\n13700000009\n").decode()
    inline = ok_json(client.post(url, json={"fileName": "n.csv", "fileContent": content}))
    assert_code(inline, SUCCESS)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"filePath": "/day1", "fileName": "missing.csv"}, "0200001"),
        ({"filePath": "/../..", "fileName": "numbers.csv"}, "02000002"),
        ({"filePath": "/day1", "fileName": "../black.csv"}, "02000002"),
        ({"serverId": "999999", "fileName": "numbers.csv"}, "0200033"),
        ({"fileName": "numbers.csv", "fileContent": "eA=="}, "02000009"),
        ({"serverId": None, "fileName": "numbers.csv"}, "02000001"),
    ],
)
def test_number_import_refusals(running, sftp_server, body, code):
    server, client, _ = running
    server_id = server_id_of(client, sftp_server)
    campaign_id = create_campaign(client)
    url = f"/rest/isales/v1/openapi/campaigns/12/calldatafile/uploadFileServer/{campaign_id}"
    answer = ok_json(client.post(url, json={"serverId": server_id, **body}))
    assert_code(answer, code)
    assert rows(server.services, "import_tasks", campaign_id=campaign_id) == []


def test_a_wrong_password_or_another_host_key_is_refused(running, sftp_server):
    server, client, _ = running
    server_id = server_id_of(client, sftp_server)
    path = "/rest/isales/v1/openapi/campaigns/12/blackfile/uploadFileServer"
    body = {"serverId": server_id, "fileName": "black.csv"}
    pinned = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
    execute_sql(server.services, f"UPDATE file_servers SET host_key = '{pinned}'")
    answer = ok_json(client.post(path, json=body))
    assert_code(answer, "0200001")
    assert "host key" in answer["resultDesc"]
    execute_sql(server.services, "UPDATE file_servers SET host_key = NULL")
    wrong = {
        "serverInfo": {"ip": "127.0.0.1", "port": str(sftp_server.port), "filePath": "/batches"},
        "userName": USER,
        "serverPwd": "not-the-password",
    }
    changed = ok_json(client.post(f"{FILE}/{server_id}/updateServer", json=wrong))
    assert_code(changed, SUCCESS)
    answer = ok_json(client.post(path, json=body))
    assert_code(answer, "0200001")
    assert "not-the-password" not in answer["resultDesc"]
    assert rows(server.services, "blacklist_imports") == []


def test_blacklist_import_from_the_file_server_at_its_hour(running, sftp_server):
    server, client, clock = running
    server_id = server_id_of(client, sftp_server)
    path = "/rest/isales/v1/openapi/campaigns/12/blackfile/uploadFileServer"
    target = clock.now + timedelta(hours=2)
    body = {"serverId": server_id, "fileName": "black.csv", "hour": target.hour, "minute": 0}
    answer = ok_json(client.post(path, json=body))
    assert_code(answer, SUCCESS)
    assert answer["returnObject"]["totalRows"] == 2
    assert server.services.blacklist_imports.run_pending() == 0  # not its time yet
    clock.now = target.replace(minute=0, second=1)
    assert server.services.blacklist_imports.run_pending() == 1
    numbers = sorted(r["number"] for r in rows(server.services, "blacklist", vdn_id=12))
    assert numbers == ["13600000001", "13600000002"]
    [task] = rows(server.services, "blacklist_imports")
    assert task["server_id"] == int(server_id)
    minute_alone = {"serverId": server_id, "fileName": "black.csv", "minute": 5}
    assert_code(ok_json(client.post(path, json=minute_alone)), "02000010")
