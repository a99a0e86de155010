"""The ``isales`` command (spec/contract.md, "Command line")."""

from __future__ import annotations

import json
import logging
import sys

import click

from .config import Settings
from .store import Store
from .store.migrate import upgrade

_DB_OPTION = click.option(
    "--db", envvar="ISALES_DB", default=None, help="SQLAlchemy URL (default: ./isales.db, SQLite)"
)


def _settings(db: str | None, **overrides: object) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if db:
        values["db"] = db
    return Settings(**values)


def _migrated(settings: Settings) -> Store:
    store = Store(settings.db)
    upgrade(store.engine)
    return store


@click.group()
def main() -> None:
    """isales: outbound-campaign server, wire-compatible with the CC-iSales OpenAPI."""


@main.command()
@_DB_OPTION
@click.option("--host", default=None, help="listen address (default 127.0.0.1)")
@click.option("--port", type=int, default=None, help="listen port (default 8080)")
def serve(db: str | None, host: str | None, port: int | None) -> None:
    """Run the OpenAPI server (applies pending migrations first)."""
    import uvicorn

    from .api.app import create_app

    settings = _settings(db, host=host, port=port)
    _migrated(settings).dispose()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    click.echo(
        f"isales serving {settings.db.split('://')[0]} store on http://{settings.host}:{settings.port}"
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


@main.group()
def keys() -> None:
    """Access keys (AK/SK) and their VDN grants."""


def _access(db: str | None):  # type: ignore[no-untyped-def]
    from .services import Services

    settings = _settings(db)
    _migrated(settings).dispose()
    return Services.build(settings)


@keys.command("create")
@click.option(
    "--vdn",
    "vdns",
    type=click.IntRange(1, 9999),
    multiple=True,
    required=True,
    help="VDN the key may use (repeatable)",
)
@_DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="print one JSON object and nothing else")
def keys_create(vdns: tuple[int, ...], db: str | None, as_json: bool) -> None:
    """Create an access key; the secret key is shown this once."""
    services = _access(db)
    try:
        key = services.access.create_key(list(vdns))
    finally:
        services.close()
    if as_json:
        click.echo(
            json.dumps(
                {"accessKey": key.access_key, "secretKey": key.secret_key, "vdnIds": key.vdn_ids}
            )
        )
        return
    click.echo(f"access key: {key.access_key}")
    click.echo(f"secret key: {key.secret_key}")
    click.echo(f"VDNs:       {', '.join(map(str, key.vdn_ids))}")
    click.echo("The secret key is shown only now; store it safely.")


@keys.command("list")
@_DB_OPTION
@click.option("--json", "as_json", is_flag=True)
def keys_list(db: str | None, as_json: bool) -> None:
    """List access keys (never their secrets)."""
    services = _access(db)
    try:
        rows = services.access.list_keys()
    finally:
        services.close()
    if as_json:
        click.echo(json.dumps(rows, default=str))
        return
    for row in rows:
        state = f"revoked {row['revokedAt']:%Y-%m-%d %H:%M:%S}" if row["revokedAt"] else "active"
        click.echo(f"{row['accessKey']}  vdn={','.join(map(str, row['vdnIds']))}  {state}")


@keys.command("revoke")
@click.argument("access_key")
@_DB_OPTION
def keys_revoke(access_key: str, db: str | None) -> None:
    """Revoke a key; it is refused from the next request on."""
    services = _access(db)
    try:
        revoked = services.access.revoke_key(access_key)
    finally:
        services.close()
    if not revoked:
        click.echo(f"no active key {access_key}", err=True)
        sys.exit(1)
    click.echo(f"revoked {access_key}")


@main.group()
def db() -> None:
    """The store."""


@db.command("upgrade")
@_DB_OPTION
def db_upgrade(db: str | None) -> None:
    """Apply pending migrations."""
    settings = _settings(db)
    _migrated(settings).dispose()
    click.echo("store is at the latest revision")


@main.command()
@click.option("--vdn", type=click.IntRange(1, 9999), required=True)
@click.option("--campaign", "campaign_id", type=int, default=None, help="limit to one campaign")
@click.option("--session-id", default=None)
@click.option("--called", default=None)
@click.option("--custom-field", default=None)
@click.option("--request-id", default=None, help="numbers moved by one delete request")
@click.option("--page", type=click.IntRange(min=1), default=1)
@click.option("--page-size", type=click.IntRange(1, 500), default=100)
@_DB_OPTION
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
    services = _access(db)
    filters = {
        "session_id": session_id,
        "called": called,
        "custom_field": custom_field,
        "request_id": request_id,
    }
    try:
        total, rows = services.numbers.history(vdn, campaign_id, filters, page, page_size)
    finally:
        services.close()
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
