"""`isales db upgrade` and `isales history`: the store."""

from __future__ import annotations

import json

import click

from .common import DB_OPTION, migrated, services_on, settings_from


@click.group()
def db() -> None:
    """The store."""


@db.command("upgrade")
@DB_OPTION
def db_upgrade(db: str | None) -> None:
    """Apply pending migrations."""
    settings = settings_from(db)
    migrated(settings).dispose()
    click.echo("store is at the latest revision")


@click.command()
@click.option("--vdn", type=click.IntRange(1, 9999), required=True)
@click.option("--campaign", "campaign_id", type=int, default=None, help="limit to one campaign")
@click.option("--session-id", default=None)
@click.option("--called", default=None)
@click.option("--custom-field", default=None)
@click.option("--request-id", default=None, help="numbers moved by one delete request")
@click.option("--page", type=click.IntRange(min=1), default=1)
@click.option("--page-size", type=click.IntRange(1, 500), default=100)
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
