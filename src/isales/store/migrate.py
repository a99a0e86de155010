"""Alembic, driven from code: ``isales db upgrade`` and ``isales serve`` call :func:`upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from ..errors import CommandFailed, ConfigError, StoreMissing
from .engine import Store

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(engine: Engine, connection) -> Config:  # type: ignore[no-untyped-def]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.connect() as connection:
        command.upgrade(_config(engine, connection), revision)
        connection.commit()


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.connect() as connection:
        command.downgrade(_config(engine, connection), revision)
        connection.commit()


def autogenerate(engine: Engine, message: str) -> None:
    """Developer helper: write a new revision from the difference to schema.py."""
    with engine.connect() as connection:
        command.revision(_config(engine, connection), message=message, autogenerate=True)


def schema_lag(engine: Engine) -> str | None:
    """None when the store's schema is at the newest migration, else why it is not."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current == heads:
        return None
    if not current:
        return "the store has no isales schema"
    have, need = ", ".join(sorted(current)), ", ".join(sorted(heads))
    return f"the store is at migration {have}, this isales needs {need}"


def open_store(url: str, *, create: bool) -> Store:
    """The store at ``url``; with ``create`` it is made and migrated, else it must exist, current.

    Every failure is one :class:`CommandFailed` line that says what to do.
    """
    try:
        parsed = make_url(url)
        dialect = parsed.get_backend_name()
    except ArgumentError:
        raise ConfigError(
            f"--db {url!r} is not a store URL; use sqlite:///path/isales.db or "
            "postgresql+psycopg://user@host:5432/dbname"
        ) from None
    shown = parsed.render_as_string(hide_password=True)
    if dialect == "sqlite" and not create:
        path = parsed.database or ""
        if path not in ("", ":memory:") and not Path(path).is_file():
            raise StoreMissing(
                f"no store at {path}; pass --db (or ISALES_DB), or create it with "
                f"`isales db upgrade --db {shown}`"
            )
    try:
        store = Store(url)
    except (ArgumentError, ImportError) as exc:
        raise ConfigError(f"--db {shown}: {exc}") from None
    try:
        if create:
            upgrade(store.engine)
            return store
        lag = schema_lag(store.engine)
    except OperationalError as exc:
        store.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if "does not exist" in reason:
            raise StoreMissing(f"no store at {shown} ({reason}); create it first") from None
        raise CommandFailed(f"cannot reach the store {shown}: {reason}") from None
    if lag:
        store.dispose()
        raise StoreMissing(f"{lag} ({shown}); run `isales db upgrade --db {shown}`")
    return store
