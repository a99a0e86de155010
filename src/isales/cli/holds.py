"""`isales hold set|release|list`: legal holds (docs/api.md#retention-and-legal-holds)."""

from __future__ import annotations

import json

import click

from .common import CLI_ACTOR, DB_OPTION, refuse, services_on


@click.group()
def hold() -> None:
    """Legal holds: a held campaign is never purged, deleted or erased."""


@hold.command("set")
@click.option("--vdn", type=click.IntRange(1, 9999), required=True, help="VDN id")
@click.option(
    "--campaign", "campaign_id", type=click.IntRange(min=1), required=True, help="campaign id"
)
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
            refuse(f"campaign {campaign_id} of VDN {vdn}: {exc.message}")
    click.echo(f"{'held' if created else 'hold updated'}: VDN {vdn} campaign {campaign_id}")


@hold.command("release")
@click.option("--vdn", type=click.IntRange(1, 9999), required=True, help="VDN id")
@click.option(
    "--campaign", "campaign_id", type=click.IntRange(min=1), required=True, help="campaign id"
)
@DB_OPTION
def hold_release(vdn: int, campaign_id: int, db: str | None) -> None:
    """Release a campaign's legal hold."""
    with services_on(db) as services:
        released = services.retention.release_hold(vdn, campaign_id, CLI_ACTOR)
    if not released:
        refuse(f"campaign {campaign_id} of VDN {vdn} is not held")
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
