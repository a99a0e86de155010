"""`isales audit list|verify`: the hash-chained audit log (docs/api.md#audit-log)."""

from __future__ import annotations

import json
import sys

import click

from ..domain.audit_sentences import sentence
from .common import DB_OPTION, services_on


@click.group()
def audit() -> None:
    """The audit log of deletes, restores, purges, erasures, holds and keys."""


def _parse_since(text: str | None):  # type: ignore[no-untyped-def]
    from datetime import datetime

    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError as exc:
        raise click.BadParameter(
            "a time like 2026-11-29 or 2026-11-29T08:00:00 (UTC)", param_hint="--since"
        ) from exc


@audit.command("list")
@click.option("--vdn", type=click.IntRange(1, 9999), default=None, help="only this VDN")
@click.option("--since", default=None, help="only entries at or after this time (UTC)")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
def audit_list(vdn: int | None, since: str | None, db: str | None, as_json: bool) -> None:
    """Print audit entries, oldest first."""
    since_time = _parse_since(since)
    with services_on(db) as services:
        entries = services.audit.entries(vdn, since_time)
    for e in entries:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "id": e["id"],
                        "at": e["at"].isoformat(),
                        "vdnId": e["vdn_id"],
                        "actor": e["actor"],
                        "operation": e["operation"],
                        "requestId": e["request_id"],
                        "detail": json.loads(e["detail"]),
                        "hash": e["hash"],
                    }
                )
            )
        else:
            click.echo(
                f"{e['id']}  {e['at']:%Y-%m-%d %H:%M:%S}  vdn={e['vdn_id'] or '-'}  "
                f"{e['operation']}  by={e['actor']}  request={e['request_id'] or '-'}\n"
                f"    {sentence(e['operation'], e['detail'])}"
            )


@audit.command("verify")
@DB_OPTION
def audit_verify(db: str | None) -> None:
    """Recompute the hash chain: exit 0 if intact, 1 with the first bad entry's id."""
    with services_on(db) as services:
        result = services.audit.verify()
    if not result.intact:
        click.echo(
            f"audit log broken at entry {result.first_broken} "
            f"({result.checked} entries before it are intact)"
        )
        sys.exit(1)
    click.echo(f"audit log intact: {result.checked} entries")
