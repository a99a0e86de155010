"""`isales results export` and `isales stats`: clients of a running server."""

from __future__ import annotations

import csv
import sys
from datetime import date, timedelta

import click

from ..domain.counter_labels import COUNTER_LABELS
from ..domain.fail_codes import label as fail_code_label
from ..errors import CommandFailed
from .campaigns import statistics
from .remote import V1, VDN_OPTION, print_table, remote, remote_options

#: the result query's longest date range and largest page with every attempt
MAX_RANGE_DAYS = 30
PAGE_SIZE = 100
RESULT_COLUMNS = (
    "callTimeStr",
    "campaignId",
    "sessionId",
    "called",
    "callStatus",
    "failCode",
    "failCodeMeaning",  # words for the failCode, from the one table of their meanings
    "resultCode",
    "callId",
    # what the SIP driver saw; empty for results reported without it
    "sipCode",
    "q850Cause",
    "ringMs",
    "talkMs",
    "amd",
)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandFailed(f"{text!r} is not a day; use YYYY-MM-DD") from None


@click.group()
def results() -> None:
    """Call results on a running server (signed OpenAPI)."""


@results.command("export")
@VDN_OPTION
@click.option(
    "--campaign", "campaign_id", type=click.IntRange(min=1), required=True, help="campaign id"
)
@click.option("--begin", required=True, help="first day, YYYY-MM-DD (ISALES_TIMEZONE days)")
@click.option("--end", required=True, help="day after the last one, YYYY-MM-DD (exclusive)")
@click.option("--final-only", is_flag=True, help="only each number's final result")
@remote_options
def results_export(vdn: int, campaign_id: int, begin: str, end: str, final_only: bool) -> None:
    """Stream call results as CSV (--json: one object per line); any range, 30 days a query."""
    first, stop = _day(begin), _day(end)
    if first >= stop:
        raise CommandFailed("--begin must be earlier than --end (which is exclusive)")
    link = remote()
    path = f"{V1}/{vdn}/callresult/{campaign_id}"
    writer = None if link.as_json else csv.writer(sys.stdout, lineterminator="\n")
    if writer:
        writer.writerow(RESULT_COLUMNS)
    window = first
    while window < stop:
        window_end = min(window + timedelta(days=MAX_RANGE_DAYS), stop)
        page = 1
        while True:
            body = {
                "beginTime": window.isoformat(),
                "endTime": window_end.isoformat(),
                "showDetail": 0 if final_only else 1,
                "pageNum": page,
                "pageSize": PAGE_SIZE,
            }
            answer = link.call("POST", path, json_body=body)
            for row in answer["data"]:
                if writer:
                    words = {"failCodeMeaning": fail_code_label(row.get("failCode"))}
                    writer.writerow({**row, **words}.get(name, "") for name in RESULT_COLUMNS)
                else:
                    link.echo_json(row)
            if len(answer["data"]) < PAGE_SIZE:
                break
            page += 1
        window = window_end


@click.command()
@VDN_OPTION
@click.option(
    "--campaign", "campaign_id", type=click.IntRange(min=1), default=None, help="only this campaign"
)
@remote_options
def stats(vdn: int, campaign_id: int | None) -> None:
    """Today's statistics, one row per campaign."""
    link = remote()
    entries = list(statistics(link, vdn, campaign_id).values())
    if link.as_json:
        link.echo_json(entries)
        return
    # one block per campaign, a counter a line: eleven counters side by side in words
    # would not fit a terminal, and any number of campaigns fits this way
    for i, entry in enumerate(entries):
        if i:
            click.echo()
        click.echo(f"Campaign {entry['campaignId']}")
        print_table(
            ("  Counter", "Count", "Field"),
            ((f"  {label}", entry.get(name, ""), name) for name, label in COUNTER_LABELS.items()),
        )
