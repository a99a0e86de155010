"""Use cases: SFTP file servers of a VDN (cec_07_4050-4053) and fetching a file from one.

Passwords are stored sealed (``secret_box``, like secret keys), never answered or logged.
A server's
``ip`` must be on ``ISALES_FILE_SERVER_TRUSTLIST`` (Huawei: "add the IP address of a file
server to the trustlist"), so a signed request cannot make isales connect anywhere else.
"""

from __future__ import annotations

from typing import Any

from ..clock import Clock
from ..config import Settings
from ..errors import (
    ErrorCode,
    FileFetchFailed,
    FileServerNotFound,
    FileServerTaken,
    InvalidParameter,
)
from ..secret_box import SecretBox
from ..store import Store
from ..store import file_servers as server_store
from ..wire.schemas.file_servers import remote_path

#: longest serverPwd the add interface accepts
PASSWORD_MAX = 80


def _owner(vdn_id: int) -> str:
    """What a sealed password is bound to: it opens only for its VDN's servers."""
    return f"file-server:{vdn_id}"


class FileServerService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        self._box = SecretBox.for_settings(settings)

    def _trusted(self, ip: str) -> None:
        trusted = {h.strip() for h in self.settings.file_server_trustlist.split(",") if h.strip()}
        if ip not in trusted:
            raise InvalidParameter(
                ErrorCode.WRONG_VALUE,
                f"serverInfo.ip: {ip} is not on the file-server trustlist "
                "(ISALES_FILE_SERVER_TRUSTLIST)",
            )

    def add(self, vdn_id: int, values: dict[str, Any]) -> int:
        self._trusted(values["ip"])
        now = self.clock()
        row = {
            **values,
            "password": self._box.seal(values["password"], _owner(vdn_id), max_chars=PASSWORD_MAX),
            "vdn_id": vdn_id,
            "created_at": now,
            "updated_at": now,
        }
        with self.store.write() as conn:
            server_id = server_store.create(conn, row)
        if server_id is None:
            raise FileServerTaken()
        return server_id

    def update(self, vdn_id: int, server_id: int, values: dict[str, Any]) -> None:
        """Change a server; a new ip or port needs the password and forgets the host key."""
        self._trusted(values["ip"])
        with self.store.write() as conn:
            current = server_store.get(conn, vdn_id, server_id)
            if current is None:
                raise FileServerNotFound()
            moved = (values["ip"], values["port"]) != (current["ip"], current["port"])
            if moved and values["password"] is None:
                raise InvalidParameter(
                    ErrorCode.EMPTY, "serverPwd: mandatory when the ip or port changes"
                )
            changes = {**values, "updated_at": self.clock()}
            if values["password"] is None:
                del changes["password"]
            else:
                changes["password"] = self._box.seal(
                    values["password"], _owner(vdn_id), max_chars=PASSWORD_MAX
                )
            if moved:
                changes["host_key"] = None
            outcome = server_store.change(conn, vdn_id, server_id, changes)
        if outcome is None:
            raise FileServerTaken()
        if not outcome:
            raise FileServerNotFound()

    def delete(self, vdn_id: int, server_id: int) -> None:
        with self.store.write() as conn:
            if server_store.delete(conn, vdn_id, server_id) == 0:
                raise FileServerNotFound()

    def page(
        self, vdn_id: int, ids: list[int] | None, offset: int, limit: int
    ) -> tuple[int, list[dict]]:
        with self.store.read() as conn:
            return server_store.page(conn, vdn_id, ids, offset, limit)

    def fetch(self, vdn_id: int, server_id: int, file_path: str | None, file_name: str) -> bytes:
        """The named file's bytes (at most ``ISALES_IMPORT_MAX_BODY_BYTES``)."""
        with self.store.read() as conn:
            server = server_store.get(conn, vdn_id, server_id)
        if server is None:
            raise FileServerNotFound()
        self._trusted(server["ip"])
        path = remote_path(server["path"], file_path, file_name)
        # asyncssh costs a tenth of a second to import: only a process that fetches pays it
        from .. import sftp

        try:
            fetched = sftp.fetch(
                server["ip"],
                server["port"],
                server["user_name"],
                self._box.open(server["password"], _owner(vdn_id)),
                path,
                server["host_key"],
                self.settings.import_max_body_bytes,
                self.settings.file_server_timeout_seconds,
            )
        except sftp.FetchError as exc:
            raise FileFetchFailed(f"file server {server_id}: {exc}") from exc
        if server["host_key"] is None:
            with self.store.write() as conn:
                server_store.pin_host_key(conn, server_id, fetched.host_key)
        return fetched.content
