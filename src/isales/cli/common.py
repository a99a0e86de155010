"""What the command groups share: the store option, settings, services."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import click

from ..config import Settings
from ..services import Services
from ..store import Store
from ..store.migrate import upgrade

DB_OPTION = click.option(
    "--db", envvar="ISALES_DB", default=None, help="SQLAlchemy URL (default: ./isales.db, SQLite)"
)


def settings_from(db: str | None, **overrides: object) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if db:
        values["db"] = db
    return Settings(**values)


def migrated(settings: Settings) -> Store:
    store = Store(settings.db)
    upgrade(store.engine)
    return store


def log_setup() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per dialer poll otherwise


@contextmanager
def services_on(db: str | None) -> Iterator[Services]:
    """The services on a migrated store, closed afterwards."""
    settings = settings_from(db)
    migrated(settings).dispose()
    services = Services.build(settings)
    try:
        yield services
    finally:
        services.close()
