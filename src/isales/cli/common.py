"""What the command groups share: store and config options, settings, services, logging."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from .. import logs
from ..config import LoadedSettings, Settings, load_settings
from ..services import Services
from ..store import Store
from ..store.migrate import open_store

#: the actor recorded in the audit log for changes made on the command line
CLI_ACTOR = "cli"


def refuse(message: str) -> None:
    """A refusal by a rule of the store (not a usage error): one line, exit 1."""
    click.echo(f"isales: {message}", err=True)
    sys.exit(1)


def _remember_config(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta["isales.config"] = value


CONFIG_OPTION = click.option(
    "--config",
    type=click.Path(dir_okay=False),
    expose_value=False,
    callback=_remember_config,
    help="TOML file of settings (or ISALES_CONFIG); the environment overrides it",
)
_DB = click.option(
    "--db", default=None, help="SQLAlchemy URL (or ISALES_DB; default: ./isales.db, SQLite)"
)


def DB_OPTION(command):  # type: ignore[no-untyped-def]  # noqa: N802 (reads as a constant)
    """``--db`` and ``--config``: every command that opens the store takes both."""
    return CONFIG_OPTION(_DB(command))


def loaded_settings(db: str | None = None, **overrides: object) -> LoadedSettings:
    """Defaults < ``--config`` file < environment < command-line options."""
    context = click.get_current_context(silent=True)
    config_file = context.meta.get("isales.config") if context else None
    return load_settings(config_file, db=db, **overrides)


def settings_from(db: str | None, **overrides: object) -> Settings:
    return loaded_settings(db, **overrides).settings


def migrated(settings: Settings) -> Store:
    """The store, created and migrated when needed (only `serve` and `db upgrade`)."""
    return open_store(settings.db, create=True)


def log_setup(log_format: str = "text") -> None:
    logs.setup(log_format)


@contextmanager
def services_on(db: str | None) -> Iterator[Services]:
    """The services on an existing, current store (never creates one), closed afterwards."""
    settings = settings_from(db)
    open_store(settings.db, create=False).dispose()
    services = Services.build(settings)
    try:
        yield services
    finally:
        services.close()
