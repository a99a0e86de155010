"""Sealing stored secrets (file-server passwords): the one place that encrypts them.

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) under the master key:
``ISALES_MASTER_KEY`` (a urlsafe-base64 32-byte key, as made by ``Fernet.generate_key()``)
or the first line of the file named by ``ISALES_MASTER_KEY_FILE``. Without a key nothing is
sealed: storing a secret is refused. The hardening work seals access-key secrets the same
way; at merge both use this module's two functions.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from .config import Settings
from .errors import ErrorCode, InvalidParameter, StoreFailure


def _fernet(settings: Settings) -> Fernet:
    key = settings.master_key
    if not key and settings.master_key_file:
        key = Path(settings.master_key_file).read_text().strip()
    if not key:
        raise InvalidParameter(
            ErrorCode.PARAMETER_ERROR,
            "secrets cannot be stored: set ISALES_MASTER_KEY or ISALES_MASTER_KEY_FILE",
        )
    return Fernet(key.encode())


def seal(settings: Settings, secret: str) -> str:
    return _fernet(settings).encrypt(secret.encode()).decode()


def unseal(settings: Settings, sealed: str) -> str:
    try:
        return _fernet(settings).decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise StoreFailure("a stored secret does not open with the master key") from exc
