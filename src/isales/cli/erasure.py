"""`isales erase`: erase a person's number from a VDN (docs/api.md, "Erasure")."""

from __future__ import annotations

import json

import click

from .common import CLI_ACTOR, DB_OPTION, refuse, services_on


@click.command()
@click.option("--vdn", type=click.IntRange(1, 9999), required=True, help="VDN id")
@click.option("--called", required=True, help="the number to erase (digits, * and #)")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="print the receipt as one JSON object")
def erase(vdn: int, called: str, db: str | None, as_json: bool) -> None:
    """Erase every trace of a number in a VDN and refuse it from now on."""
    import re

    from ..errors import AppError

    if not re.fullmatch(r"[0-9*#]{1,24}", called):
        raise click.BadParameter("1-24 characters of 0-9 * #", param_hint="--called")
    with services_on(db) as services:
        try:
            receipt = services.erasure.erase(vdn, called, CLI_ACTOR, None)
        except AppError as exc:
            refuse(f"{exc.code}: {exc.message}")
    if as_json:
        click.echo(
            json.dumps(
                {
                    "resultCode": "0200000",
                    "erasureId": receipt.erasure_id,
                    "removed": receipt.removed,
                }
            )
        )
        return
    counts = ", ".join(f"{kind} {n}" for kind, n in receipt.removed.items())
    click.echo(f"erased (erasure {receipt.erasure_id}): {counts}")
