"""What the command groups share: store and config options, settings, services, logging."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from .. import logs
from ..clock import system_clock
from ..config import LoadedSettings, Settings, load_settings
from ..errors import ConfigError, IsalesError
from ..secret_box import SecretBox, key_file
from ..services import Services
from ..services.access import AccessService
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
    "--db",
    default=None,
    help="store URL: sqlite:///FILE or postgresql://USER:PASSWORD@HOST:5432/DB "
    "(or ISALES_DB; default: ./isales.db)",
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
    """The store, created and migrated when needed (only `serve` and `db upgrade`), once
    the master key at hand is known to open its sealed secrets (else exit 2)."""
    require_store_folder(settings.db)
    key_was_there = _key_at_hand(settings)
    store = open_store(settings.db, create=True)
    try:
        refuse_a_key_that_does_not_open(store, settings, key_was_there)
    except ConfigError:
        store.dispose()
        raise
    return store


def _key_at_hand(settings: Settings) -> bool:
    """Whether the key exists before the store is opened (opening a SQLite store makes a
    key file when missing); refuses (exit 2) a PostgreSQL store without ISALES_MASTER_KEY."""
    path = None if settings.master_key else key_file(settings.db)
    was_there = path is None or path.exists()
    try:
        SecretBox.for_settings(settings)
    except IsalesError as exc:
        raise ConfigError(exc.message) from None
    return was_there


def refuse_a_key_that_does_not_open(store: Store, settings: Settings, key_was_there: bool) -> None:
    """ConfigError (exit 2) in one line naming the key file or ISALES_MASTER_KEY when the
    master key at hand does not open the store's sealed secrets: every command that opens
    a store passes here (`migrated`, `services_on`), so none works on with a key that
    would answer every signed request 0200006. A key file made just now for a store sealed
    under another key is removed, never left in place of the lost one."""
    problem = AccessService(store, settings, system_clock).key_mismatch()
    if not problem:
        return
    key = None if key_was_there else key_file(settings.db)
    if key is not None:
        key.unlink(missing_ok=True)
        problem = f"the key file {key} is missing: {problem.partition(': ')[2]}"
    raise ConfigError(problem)


def require_store_folder(db_url: str) -> None:
    """A SQLite file may be created, its folder never: nothing should appear silently in a
    folder the operator never made (a typo in the path)."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    folder = Path(url.database).absolute().parent
    if not folder.is_dir():
        raise ConfigError(
            f"the folder {folder} of the SQLite store does not exist; create it first"
        )


def store_name(db_url: str) -> str:
    """The store as the start line names it: the SQLite file, or the URL without password."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        return f"SQLite store {url.database or ':memory:'}"
    return f"PostgreSQL store {url.render_as_string(hide_password=True)}"


def log_setup(log_format: str = "text") -> None:
    logs.setup(log_format)


@contextmanager
def services_on(db: str | None) -> Iterator[Services]:
    """The services on an existing, current store (never creates one), closed afterwards."""
    settings = settings_from(db)
    open_store(settings.db, create=False).dispose()  # before a key is made for no store
    key_was_there = _key_at_hand(settings)
    services = Services.build(settings)
    try:
        refuse_a_key_that_does_not_open(services.store, settings, key_was_there)
        yield services
    finally:
        services.close()
