"""Secret keys at rest: sealed with Fernet (AES-128-CBC + HMAC-SHA256) under a master key.

The master key is ``ISALES_MASTER_KEY`` (``Fernet.generate_key()``) or, for a SQLite store
without it, a key file created with mode 0600 beside the database (``<db file>.key``), so a
copy of the database alone reveals no secret. A PostgreSQL store has no "beside": without
``ISALES_MASTER_KEY`` it is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.engine import make_url

from .errors import IsalesError


class MasterKeyMissing(IsalesError):
    """A PostgreSQL store needs ISALES_MASTER_KEY (a Fernet key) to seal secret keys."""


class MasterKeyInvalid(IsalesError):
    """The master key is not a Fernet key (URL-safe base64 of 32 bytes), or does not open
    the secret keys of this store."""


def key_file(db_url: str) -> Path | None:
    """The key file beside a SQLite store; None for other stores and in-memory SQLite."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(f"{url.database}.key")


def _read_or_create(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


class SecretBox:
    def __init__(self, key: bytes | str) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            raise MasterKeyInvalid() from exc

    @classmethod
    def for_store(cls, db_url: str, master_key: str | None) -> SecretBox:
        if master_key:
            return cls(master_key.strip())
        path = key_file(db_url)
        if path is not None:
            return cls(_read_or_create(path))
        if make_url(db_url).get_backend_name() == "sqlite":
            return cls(Fernet.generate_key())  # in-memory store: secrets live as long as it
        raise MasterKeyMissing()

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise MasterKeyInvalid() from exc
