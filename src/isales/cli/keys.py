"""`isales keys`: access keys and their VDN grants."""

from __future__ import annotations

import json
import sys

import click

from ..secret_box import new_master_key
from .common import DB_OPTION, services_on


@click.group()
def keys() -> None:
    """Access keys (AK/SK) and their VDN grants."""


@keys.command("create")
@click.option(
    "--vdn",
    "vdns",
    type=click.IntRange(1, 9999),
    multiple=True,
    required=True,
    help="VDN the key may use (repeatable)",
)
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="print one JSON object and nothing else")
def keys_create(vdns: tuple[int, ...], db: str | None, as_json: bool) -> None:
    """Create an access key; the secret key is shown this once."""
    with services_on(db) as services:
        key = services.access.create_key(list(vdns))
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
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="one JSON array")
def keys_list(db: str | None, as_json: bool) -> None:
    """List access keys (never their secrets)."""
    with services_on(db) as services:
        rows = services.access.list_keys()
    if as_json:
        click.echo(json.dumps(rows, default=str))
        return
    for row in rows:
        state = f"revoked {row['revokedAt']:%Y-%m-%d %H:%M:%S}" if row["revokedAt"] else "active"
        click.echo(f"{row['accessKey']}  vdn={','.join(map(str, row['vdnIds']))}  {state}")


@keys.command("revoke")
@click.argument("access_key")
@DB_OPTION
def keys_revoke(access_key: str, db: str | None) -> None:
    """Revoke a key; it is refused from the next request on."""
    with services_on(db) as services:
        revoked = services.access.revoke_key(access_key)
    if not revoked:
        click.echo(f"no active key {access_key}", err=True)
        sys.exit(1)
    click.echo(f"revoked {access_key}")


@keys.command("master-key")
def keys_master_key() -> None:
    """Print a new master key for ISALES_MASTER_KEY (a PostgreSQL store needs one).

    It seals the access keys' secrets in the store: keep it with the store's backups,
    since a store is unusable without the key it was sealed with.
    """
    click.echo(new_master_key())
