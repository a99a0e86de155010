"""Secrets at rest: sealed with AES-256-GCM under a master key, each bound to its owner.

Access-key secrets are bound to their access key; file-server passwords to their VDN.

The master key is ``ISALES_MASTER_KEY`` (32 bytes, URL-safe base64: a Fernet key, as
``Fernet.generate_key()`` prints) or, for a SQLite store
without it, a key file created with mode 0600 beside the database (``<db file>.key``), so a
copy of the database alone reveals no secret. A PostgreSQL store has no "beside": without
``ISALES_MASTER_KEY`` it is refused.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import make_url

from .config import Settings
from .errors import MasterKeyInvalid, MasterKeyMissing

#: marks a sealed secret: ``gcm1.`` + URL-safe base64 of nonce, ciphertext and tag (99
#: characters for a generated 43-character secret)
SEALED_PREFIX = "gcm1."
_NONCE_BYTES = 12
#: longest secret that fits the store's column once sealed
MAX_SECRET_CHARS = 64


def key_file(db_url: str) -> Path | None:
    """The key file beside a SQLite store; None for other stores and in-memory SQLite."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(f"{url.database}.key")


def new_master_key() -> str:
    """A fresh master key (``isales keys master-key``)."""
    return Fernet.generate_key().decode()


def key_source(db_url: str, master_key: str | None) -> str:
    """Where the master key of this store comes from, as an operator would look for it."""
    path = key_file(db_url)
    if master_key or path is None:
        return "ISALES_MASTER_KEY"
    return f"the key file {path}"


def _read_or_create(path: Path) -> bytes:
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
            raw = base64.urlsafe_b64decode(key)
            self._aead = AESGCM(raw)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise MasterKeyInvalid() from exc
        if len(raw) != 32:
            raise MasterKeyInvalid()

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

    @classmethod
    def for_settings(cls, settings: Settings) -> SecretBox:
        master = settings.master_key.get_secret_value() if settings.master_key else None
        return cls.for_store(settings.db, master)

    def seal(self, secret: str, access_key: str, max_chars: int = MAX_SECRET_CHARS) -> str:
        """``secret`` sealed; it opens only as the secret of ``access_key`` (its owner)."""
        if len(secret) > max_chars:
            raise ValueError(f"a secret has at most {max_chars} characters")
        nonce = os.urandom(_NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, secret.encode(), access_key.encode())
        return SEALED_PREFIX + base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def open(self, sealed: str, access_key: str) -> str:
        try:
            packed = sealed.removeprefix(SEALED_PREFIX)
            raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
            plain = self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], access_key.encode())
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise MasterKeyInvalid() from exc
        return plain.decode()
