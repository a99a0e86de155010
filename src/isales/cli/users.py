"""`isales users`: console users (docs/console.md)."""

from __future__ import annotations

import json
import sys

import click

from .common import DB_OPTION, services_on

# --- console users (docs/console.md) -----------------------------------------------------------


@click.group()
def users() -> None:
    """Console users: people who sign in to /console/ (separate from access keys)."""


@users.command("create")
@click.option("--name", required=True, help="user name to sign in with")
@click.option(
    "--vdn",
    "vdns",
    type=click.IntRange(1, 9999),
    multiple=True,
    required=True,
    help="VDN the user may see (repeatable)",
)
@click.option(
    "--role",
    type=click.Choice(["viewer", "operator", "admin"]),
    required=True,
    help="what the user may do",
)
@DB_OPTION
def users_create(name: str, vdns: tuple[int, ...], role: str, db: str | None) -> None:
    """Create a console user; the password is read from stdin, or generated and shown once."""
    from ..errors import ConsoleUserInvalid

    typed = None if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
    with services_on(db) as services:
        try:
            password = services.console_users.create(name, role, list(vdns), typed or None)
        except ConsoleUserInvalid as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(1)
    click.echo(
        f"created console user {name} ({role}; VDNs {', '.join(map(str, sorted(set(vdns))))})"
    )
    if not typed:
        click.echo(f"password: {password}")
        click.echo("The password is shown only now; give it to the user safely.")


@users.command("list")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="print one JSON array and nothing else")
def users_list(db: str | None, as_json: bool) -> None:
    """List console users (never their passwords)."""
    with services_on(db) as services:
        rows = services.console_users.list()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "name": row["name"],
                        "role": row["role"],
                        "vdnIds": row["vdn_ids"],
                        "createdAt": row["created_at"],
                        "disabledAt": row["disabled_at"],
                    }
                    for row in rows
                ],
                default=str,
            )
        )
        return
    for row in rows:
        state = (
            f"disabled {row['disabled_at']:%Y-%m-%d %H:%M:%S}" if row["disabled_at"] else "active"
        )
        click.echo(
            f"{row['name']}  role={row['role']}  vdn={','.join(map(str, row['vdn_ids']))}  {state}"
        )


@users.command("disable")
@click.argument("name")
@DB_OPTION
def users_disable(name: str, db: str | None) -> None:
    """Disable a console user; their sessions end and they are refused from the next request on."""
    with services_on(db) as services:
        disabled = services.console_users.disable(name)
    if not disabled:
        click.echo(f"no enabled console user {name}", err=True)
        sys.exit(1)
    click.echo(f"disabled {name}")
