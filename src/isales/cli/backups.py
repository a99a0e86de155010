"""Backups of a SQLite store: the database through SQLite's online backup API (a
consistent copy while the server writes) and the key file that seals its secrets, which
the copy is useless without (docs/operations.md#backups)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from ..config import Settings
from ..errors import CommandFailed, ConfigError
from ..secret_box import key_file
from .common import require_store_folder

PG_BACKUP = (
    "a PostgreSQL store is backed up with pg_dump and restored with pg_restore; keep "
    "ISALES_MASTER_KEY with the dump (docs/operations.md#backups)"
)


def _sqlite_file(settings: Settings) -> Path:
    url = make_url(settings.db)
    if url.get_backend_name() != "sqlite":
        raise ConfigError(PG_BACKUP)
    if url.database in (None, "", ":memory:"):
        raise ConfigError("an in-memory store has nothing to back up")
    return Path(url.database)


def key_copy(path: Path) -> Path:
    """Where a backup's key file goes: beside it, as beside the store."""
    return Path(f"{path}.key")


def _copy_database(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _copy_key(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(source.read_bytes())


def backup_sqlite(settings: Settings, path: Path) -> list[Path]:
    """Writes ``path`` and, when the store has a key file, ``path.key``; returns both."""
    store = _sqlite_file(settings)
    if not store.is_file():
        raise CommandFailed(f"no store at {store}")
    if path.exists() or key_copy(path).exists():
        raise CommandFailed(f"{path} or {key_copy(path)} exists already; choose a new name")
    if not path.absolute().parent.is_dir():
        raise ConfigError(f"the folder {path.absolute().parent} does not exist; create it first")
    _copy_database(store, path)
    path.chmod(0o600)  # the sealed secrets, like the store itself
    if settings.master_key:  # the key is the operator's, not a file of the store
        return [path]
    key = key_file(settings.db)
    assert key is not None  # a SQLite file store
    if not key.is_file():
        return [path]  # a store that never sealed a secret has no key yet
    _copy_key(key, key_copy(path))
    return [path, key_copy(path)]


def restore_sqlite(settings: Settings, path: Path, force: bool) -> None:
    """Puts ``path`` (and ``path.key``) in place of the store and its key file."""
    store = _sqlite_file(settings)
    require_store_folder(settings.db)
    key = key_file(settings.db)
    assert key is not None
    if store.exists() and not force:
        raise CommandFailed(
            f"a store exists at {store}; stop the server, then pass --force to replace it"
        )
    if not settings.master_key and not key_copy(path).is_file():
        raise ConfigError(
            f"no key file {key_copy(path)} beside the backup: the store's secrets cannot be "
            "opened without it (or set ISALES_MASTER_KEY to the key it was sealed with)"
        )
    _copy_database(path, store)
    if not settings.master_key:
        _copy_key(key_copy(path), key)
