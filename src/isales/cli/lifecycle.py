"""`isales hold`, `isales erase`, `isales audit` (spec/lifecycle.md §5-§7)."""

from __future__ import annotations

import json
import sys

import click

from .common import DB_OPTION, services_on

# --- data lifecycle (spec/lifecycle.md): holds, erasure, audit log --------------------------

CLI_ACTOR = "cli"


def _refuse(message: str) -> None:
    click.echo(f"isales: {message}", err=True)
    sys.exit(1)


@click.group()
def hold() -> None:
    """Legal holds: a held campaign is never purged, deleted or erased."""


@hold.command("set")
@click.option("--vdn", type=click.IntRange(1, 9999), required=True)
@click.option("--campaign", "campaign_id", type=click.IntRange(min=1), required=True)
@click.option("--reason", default=None, help="why the campaign is held (at most 200 characters)")
@DB_OPTION
def hold_set(vdn: int, campaign_id: int, reason: str | None, db: str | None) -> None:
    """Put a campaign under a legal hold."""
    from ..errors import AppError

    if reason is not None and len(reason) > 200:
        raise click.BadParameter("at most 200 characters", param_hint="--reason")
    with services_on(db) as services:
        try:
            created = services.retention.set_hold(vdn, campaign_id, reason, CLI_ACTOR)
        except AppError as exc:
            _refuse(f"campaign {campaign_id} of VDN {vdn}: {exc.message}")
    click.echo(f"{'held' if created else 'hold updated'}: VDN {vdn} campaign {campaign_id}")


@hold.command("release")
@click.option("--vdn", type=click.IntRange(1, 9999), required=True)
@click.option("--campaign", "campaign_id", type=click.IntRange(min=1), required=True)
@DB_OPTION
def hold_release(vdn: int, campaign_id: int, db: str | None) -> None:
    """Release a campaign's legal hold."""
    with services_on(db) as services:
        released = services.retention.release_hold(vdn, campaign_id, CLI_ACTOR)
    if not released:
        _refuse(f"campaign {campaign_id} of VDN {vdn} is not held")
    click.echo(f"released: VDN {vdn} campaign {campaign_id}")


@hold.command("list")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="one JSON array")
def hold_list(db: str | None, as_json: bool) -> None:
    """List legal holds."""
    with services_on(db) as services:
        holds = services.retention.holds()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "vdnId": h["vdn_id"],
                        "campaignId": h["campaign_id"],
                        "reason": h["reason"],
                        "createdAt": h["created_at"].isoformat(),
                        "createdBy": h["created_by"],
                    }
                    for h in holds
                ]
            )
        )
        return
    for h in holds:
        click.echo(
            f"VDN {h['vdn_id']}  campaign {h['campaign_id']}  since "
            f"{h['created_at']:%Y-%m-%d %H:%M:%S}  by {h['created_by']}  {h['reason'] or ''}"
        )


@click.command()
@click.option("--vdn", type=click.IntRange(1, 9999), required=True)
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
            _refuse(f"{exc.code}: {exc.message}")
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
@click.option("--vdn", type=click.IntRange(1, 9999), default=None)
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
                f"{e['operation']}  by={e['actor']}  request={e['request_id'] or '-'}  "
                f"{e['detail']}"
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
