"""Fetching one file from an SFTP file server (asyncssh), bounded in size and time.

Host keys: the server's key is pinned on the first successful login (trust on first use)
and every later connection must present the same key, checked before the password is sent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import cast

import asyncssh


class FetchError(Exception):
    """The file could not be fetched; the message says why (never the password)."""


@dataclass(frozen=True)
class Fetched:
    content: bytes
    host_key: str  # the server's public key, OpenSSH text


class _Client(asyncssh.SSHClient):
    def __init__(self, pinned: str | None) -> None:
        self.pinned = pinned
        self.seen: str | None = None

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        self.seen = key.export_public_key().decode().strip()
        return self.pinned is None or self.seen == self.pinned


async def _fetch(
    host: str, port: int, user: str, password: str, path: str, pinned: str | None, max_bytes: int
) -> Fetched:
    client = _Client(pinned)
    try:
        async with asyncssh.connect(
            host,
            port,
            username=user,
            password=password,
            known_hosts=([], [], []),  # every key goes through _Client.validate_host_public_key
            client_factory=lambda: client,
            client_keys=None,
            agent_path=None,
            config=[],
            preferred_auth="password,keyboard-interactive",
        ) as conn:
            async with conn.start_sftp_client() as sftp:
                size = (await sftp.stat(path)).size or 0
                if size > max_bytes:
                    raise FetchError(f"{path}: larger than {max_bytes} bytes")
                async with sftp.open(path, "rb") as remote:
                    content = await remote.read(max_bytes + 1)
    except asyncssh.HostKeyNotVerifiable as exc:
        raise FetchError("the server's host key differs from the one pinned earlier") from exc
    except asyncssh.PermissionDenied as exc:
        raise FetchError("the server refused the user name or password") from exc
    except asyncssh.SFTPError as exc:
        raise FetchError(f"{path}: {exc.reason}") from exc
    except (OSError, asyncssh.Error) as exc:
        raise FetchError(f"cannot reach {host}:{port}: {exc}") from exc
    if len(content) > max_bytes:
        raise FetchError(f"{path}: larger than {max_bytes} bytes")
    return Fetched(cast(bytes, content), client.seen or "")


def fetch(
    host: str,
    port: int,
    user: str,
    password: str,
    path: str,
    pinned: str | None,
    max_bytes: int,
    timeout: float,
) -> Fetched:
    """Read ``path`` (called from a worker thread: it runs its own event loop)."""
    try:
        return asyncio.run(
            asyncio.wait_for(_fetch(host, port, user, password, path, pinned, max_bytes), timeout)
        )
    except TimeoutError as exc:
        raise FetchError(f"{host}:{port} did not answer within {timeout:g} s") from exc
