"""`isales db upgrade|backup|restore` and `isales history`: the store."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .backups import backup_sqlite, restore_sqlite
from .common import DB_OPTION, migrated, services_on, settings_from, store_name


@click.group()
def db() -> None:
    """The store."""


@db.command("upgrade")
@DB_OPTION
def db_upgrade(db: str | None) -> None:
    """Apply pending migrations (needs the store's master key, as `serve` does)."""
    settings = settings_from(db)
    migrated(settings).dispose()
    click.echo("store is at the latest revision")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@DB_OPTION
def db_backup(path: Path, db: str | None) -> None:
    """Copy a SQLite store and its sealing key, consistently, while it is in use.

    Writes PATH (the store, through SQLite's online backup) and PATH.key (its key file,
    mode 0600) unless the key is ISALES_MASTER_KEY, which you keep yourself. PostgreSQL:
    pg_dump, and keep ISALES_MASTER_KEY with the dump (docs/operations.md#backups).
    """
    settings = settings_from(db)
    written = backup_sqlite(settings, path)
    click.echo(f"backed up {store_name(settings.db)} to {' and '.join(map(str, written))}")


@db.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DB_OPTION
@click.option("--force", is_flag=True, help="replace a store that already exists there")
def db_restore(path: Path, db: str | None, force: bool) -> None:
    """Put a backup made by `isales db backup` in place of the SQLite store (server stopped).

    Copies PATH to the store file and PATH.key beside it, then checks that the key opens
    the store's secrets. PostgreSQL: pg_restore, with the ISALES_MASTER_KEY of the dump.
    """
    settings = settings_from(db)
    restore_sqlite(settings, path, force)
    migrated(settings).dispose()  # refuses a backup whose key does not open it
    click.echo(f"restored {path} into {store_name(settings.db)}")


@click.command()
@click.option("--vdn", type=click.IntRange(1, 9999), required=True, help="VDN id")
@click.option("--campaign", "campaign_id", type=int, default=None, help="limit to one campaign")
@click.option("--session-id", default=None, help="numbers of this sessionId")
@click.option("--called", default=None, help="this called number")
@click.option("--custom-field", default=None, help="numbers with this customField")
@click.option("--request-id", default=None, help="numbers moved by one delete request")
@click.option("--page", type=click.IntRange(min=1), default=1, help="page number, from 1")
@click.option(
    "--page-size", type=click.IntRange(1, 500), default=100, help="numbers per page (1-500)"
)
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
def history(
    vdn: int,
    campaign_id: int | None,
    session_id: str | None,
    called: str | None,
    custom_field: str | None,
    request_id: str | None,
    page: int,
    page_size: int,
    db: str | None,
    as_json: bool,
) -> None:
    """Numbers moved to history by deletes with archiveHistory 1."""
    filters = {
        "session_id": session_id,
        "called": called,
        "custom_field": custom_field,
        "request_id": request_id,
    }
    with services_on(db) as services:
        total, rows = services.numbers.history(vdn, campaign_id, filters, page, page_size)
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, default=str, sort_keys=True))
        else:
            click.echo(
                f"{row['id']}  campaign={row['campaign_id']}  called={row['called']}  "
                f"session={row['session_id'] or '-'}  custom={row['custom_field'] or '-'}  "
                f"archived={row['archived_at']:%Y-%m-%d %H:%M:%S}  by={row['archived_by']}  "
                f"request={row['request_id']}"
            )
    if not as_json:
        click.echo(f"{len(rows)} of {total} archived numbers (page {page})", err=True)
