"""`isales campaigns list|show|create|pause|resume|delete`: a client of a running server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import click

from ..errors import CommandFailed
from .remote import V1, V2, VDN_OPTION, Remote, print_table, remote, remote_options

STATUS_NAMES = {2: "executing", 3: "paused", 4: "completed"}
ROWS_PER_PAGE = 100
ENVELOPE_FIELDS = ("resultCode", "resultDesc", "returnCode", "returnDesc")


def numbers_by_state(counters: dict[str, Any]) -> dict[str, int]:
    """Live numbers by state, from the statistics counters (docs/api.md, statistics)."""
    pending = int(counters.get("unCallCount", 0))
    completed = int(counters.get("totalFinishCount", 0))
    total = int(counters.get("totalCount", 0))
    return {"pending": pending, "inProgress": total - pending - completed, "completed": completed}


def statistics(link: Remote, vdn: int, campaign_id: int | None = None) -> dict[str, dict]:
    params = {"campaignId": campaign_id} if campaign_id is not None else None
    answer = link.call("GET", f"{V2}/{vdn}/statistics", params=params)
    return {str(entry["campaignId"]): entry for entry in answer.get("countDetail", [])}


@click.group()
def campaigns() -> None:
    """Campaigns on a running server (signed OpenAPI)."""


@campaigns.command("list")
@VDN_OPTION
@remote_options
def campaigns_list(vdn: int) -> None:
    """Table: id, name, status, window, numbers by state."""
    link = remote()
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        params = {"status": 0, "deviceType": 0, "curPage": page, "rowsPerPage": ROWS_PER_PAGE}
        answer = link.call("GET", f"{V1}/{vdn}", params=params)
        rows.extend(answer["data"])
        if len(rows) >= answer["totalSize"] or not answer["data"]:
            break
        page += 1
    counters = statistics(link, vdn) if rows else {}
    for row in rows:
        row["numbers"] = numbers_by_state(counters.get(str(row["id"]), {}))
    if link.as_json:
        link.echo_json(rows)
        return
    table = [
        [
            str(row["id"]),
            row["name"],
            str(STATUS_NAMES.get(row["status"], row["status"])),
            f"{row['strBeginTime'][:10]} – {row['strEndTime'][:10]}",
            str(row["numbers"]["pending"]),
            str(row["numbers"]["inProgress"]),
            str(row["numbers"]["completed"]),
        ]
        for row in rows
    ]
    headers = ("id", "name", "status", "dates (UTC)", "pending", "calling", "done")
    # names are cut to what the terminal leaves them (80 columns when it is not known):
    # every other column is short and bounded, `campaigns show` gives the whole name
    others = sum(max(len(r[i]) for r in [list(headers), *table]) + 2 for i in (0, *range(2, 7)))
    room = max(len("name"), shutil.get_terminal_size((80, 24)).columns - others)
    for cells in table:
        if len(cells[1]) > room:
            cells[1] = cells[1][: room - 1] + "…"
    print_table(headers, table)


@campaigns.command("show")
@VDN_OPTION
@click.argument("campaign_id", type=click.IntRange(min=1))
@remote_options
def campaigns_show(vdn: int, campaign_id: int) -> None:
    """One campaign with its schedule, retry policy and today's statistics."""
    link = remote()
    campaign = link.call("GET", f"{V1}/{vdn}/{campaign_id}")["returnObject"]
    answer = link.call("GET", f"{V1}/{vdn}/retryPolicy/{campaign_id}")
    policy = {k: v for k, v in answer.items() if k not in ENVELOPE_FIELDS}
    today = statistics(link, vdn, campaign_id).get(str(campaign_id), {})
    if link.as_json:
        link.echo_json({"campaign": campaign, "retryPolicy": policy, "statistics": today})
        return
    click.echo(f"campaign {campaign['id']}: {campaign['name']}")
    click.echo(f"status:   {STATUS_NAMES.get(campaign['status'], campaign['status'])}")
    click.echo(f"window:   {campaign['strBeginTime']} – {campaign['strEndTime']} (UTC)")
    click.echo(f"schedule: {json.dumps(campaign.get('scheduleParam'), ensure_ascii=False)}")
    click.echo(f"retry:    {json.dumps(policy, ensure_ascii=False)}")
    counts = numbers_by_state(today)
    click.echo(
        f"numbers:  {counts['pending']} pending, {counts['inProgress']} in progress, "
        f"{counts['completed']} completed"
    )
    shown = {k: v for k, v in today.items() if k not in ("campaignId", "batchDetail")}
    click.echo("today:    " + ", ".join(f"{k}={v}" for k, v in shown.items()))


@campaigns.command("create")
@VDN_OPTION
@click.option(
    "--file",
    "body_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="JSON body of the create interface (callerNo as a list: the v2 interface)",
)
@remote_options
def campaigns_create(vdn: int, body_file: Path) -> None:
    """Create a campaign from a JSON body; prints its id."""
    try:
        body = json.loads(body_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CommandFailed(f"{body_file} is not a JSON file: {exc}") from None
    link = remote()
    version = V2 if isinstance(body, dict) and isinstance(body.get("callerNo"), list) else V1
    campaign_id = link.call("POST", f"{version}/{vdn}", json_body=body)["returnObject"]["id"]
    if link.as_json:
        link.echo_json({"id": campaign_id})
    else:
        click.echo(campaign_id)


def _change(vdn: int, campaign_id: int, action: str, done: str) -> None:
    link = remote()
    link.call("PUT", f"{V1}/{vdn}/{campaign_id}/{action}")
    if link.as_json:
        link.echo_json({"id": campaign_id, "done": action})
    else:
        click.echo(f"campaign {campaign_id} {done}")


@campaigns.command("pause")
@VDN_OPTION
@click.argument("campaign_id", type=click.IntRange(min=1))
@remote_options
def campaigns_pause(vdn: int, campaign_id: int) -> None:
    """Pause an executing campaign."""
    _change(vdn, campaign_id, "pause", "paused")


@campaigns.command("resume")
@VDN_OPTION
@click.argument("campaign_id", type=click.IntRange(min=1))
@remote_options
def campaigns_resume(vdn: int, campaign_id: int) -> None:
    """Resume a paused campaign."""
    _change(vdn, campaign_id, "resume", "resumed")


@campaigns.command("delete")
@VDN_OPTION
@click.argument("campaign_id", type=click.IntRange(min=1))
@click.option(
    "--archive",
    is_flag=True,
    help="move its numbers to history (archiveHistory 1); without it they are removed",
)
@click.option("--yes", is_flag=True, help="do not show what goes or ask for confirmation")
@remote_options
def campaigns_delete(vdn: int, campaign_id: int, archive: bool, yes: bool) -> None:
    """Delete a campaign that is not executing, after showing what goes and asking."""
    link = remote()
    if not yes:
        campaign = link.call("GET", f"{V1}/{vdn}/{campaign_id}")["returnObject"]
        counts = numbers_by_state(statistics(link, vdn, campaign_id).get(str(campaign_id), {}))
        total = sum(counts.values())
        fate = (
            "moved to history (isales history --vdn N --campaign C lists them)"
            if archive
            else "removed for good, not archived (--archive keeps them in history)"
        )
        click.echo(
            f"campaign {campaign_id} {campaign['name']!r} "
            f"({STATUS_NAMES.get(campaign['status'], campaign['status'])}) will be deleted;\n"
            f"its {total} numbers ({counts['pending']} pending, {counts['inProgress']} in "
            f"progress, {counts['completed']} completed) will be {fate};\n"
            "its recorded call results are kept.",
            err=True,
        )
        if not click.confirm(f"delete campaign {campaign_id}?", err=True):
            raise CommandFailed("nothing was deleted (not confirmed)")
    body = {"archiveHistory": 1} if archive else None
    answer = link.call("DELETE", f"{V1}/{vdn}/{campaign_id}", json_body=body)
    archived = "its numbers moved to history" if archive else "its numbers removed, not archived"
    if link.as_json:
        link.echo_json(
            {
                "id": campaign_id,
                "archived": archive,
                "resultDesc": answer.get("resultDesc", ""),
            }
        )
    else:
        click.echo(f"campaign {campaign_id} deleted; {archived}")
