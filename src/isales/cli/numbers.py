"""`isales numbers import|delete|export`: a client of a running server.

Memory stays bounded whatever the size: the upload is base64-encoded while it is sent
(read twice: once for the signature's hash, once to send), the export is fetched a page
at a time and written as it arrives.
"""

from __future__ import annotations

import base64
import csv
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..errors import CommandFailed, ErrorCode
from ..wire.schemas.export import COLUMNS, MAX_LIST_PAGE
from .remote import SUCCESS, V1, VDN_OPTION, print_table, remote, remote_options

#: bytes of the file read per base64 chunk (a multiple of 3: chunks encode independently)
READ_CHUNK = 3 * 64 * 1024
#: error-report entries fetched per request (the query interface's largest page)
ERROR_PAGE = 1000
EXPECTED_COUNT_MISMATCH = "0209001"


class RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "– rows/s")


def upload_body(file: Path, allow_duplicate: bool = False) -> Iterator[bytes]:
    """The upload interface's JSON body, produced piece by piece from the file."""
    if allow_duplicate:
        yield b'{"allowDuplicateFile":1,"fileName":'
    else:
        yield b'{"fileName":'
    yield json.dumps(file.name).encode() + b',"fileContent":"'
    with file.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            yield base64.b64encode(chunk)
    yield b'"}'


@click.group()
def numbers() -> None:
    """Numbers of a campaign on a running server (signed OpenAPI)."""


@numbers.command("import")
@VDN_OPTION
@click.option(
    "--campaign", "campaign_id", type=click.IntRange(min=1), required=True, help="campaign id"
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    help="how often the import task is asked for progress",
)
@click.option(
    "--allow-duplicate",
    is_flag=True,
    help="import FILE even if the same file was imported into the campaign before "
    "(its numbers are then added a second time)",
)
@remote_options
def numbers_import(
    vdn: int, campaign_id: int, file: Path, poll_seconds: float, allow_duplicate: bool
) -> None:
    """Upload a CSV or XLSX file and follow the import; exit 1 when any row failed.

    The per-row error report goes to FILE.errors.csv. A file already imported into the
    campaign is refused (it would add every number twice) unless --allow-duplicate.
    """
    if file.suffix.lower() not in (".csv", ".xlsx"):
        raise CommandFailed(f"{file} is neither .csv nor .xlsx")
    link = remote()
    base = f"{V1}/{vdn}/calldatafile"
    answer = link.answer(
        lambda: link.client.post_streamed(
            f"{base}/upload/{campaign_id}", lambda: upload_body(file, allow_duplicate)
        ),
        accept=(SUCCESS, ErrorCode.DUPLICATE_IMPORT_FILE),
    )
    if answer["resultCode"] == ErrorCode.DUPLICATE_IMPORT_FILE:
        raise CommandFailed(
            f"{file} was not imported: the same file was already imported into campaign "
            f"{campaign_id} ({answer.get('resultDesc', '')}); importing it again would call "
            "each of its numbers twice. Add --allow-duplicate to import it anyway."
        )
    uploaded = answer["returnObject"]
    task_id, total = uploaded["taskId"], uploaded["totalRows"]
    query = f"{base}/queryDataImportTask/{campaign_id}"
    # as wide as the terminal (COLUMNS, else 80 for a log or a pipe): the bar takes what
    # the words leave, and the words fit 80 columns even for 500000/500000 rows
    console = Console(stderr=True)
    columns = (
        TextColumn(f"import task {task_id}"),
        BarColumn(bar_width=None),
        MofNCompleteColumn(),
        TextColumn("rows"),
        RowsPerSecond(),
        TimeRemainingColumn(),
        TextColumn("left"),
    )
    with Progress(*columns, console=console, expand=True, disable=link.as_json) as progress:
        bar = progress.add_task("import", total=total)
        while True:
            task = link.call("POST", query, json_body={"taskId": task_id, "pageSize": 1})[
                "returnObject"
            ]
            progress.update(bar, completed=task["successRows"] + task["failedRows"])
            if task["status"] in ("finished", "failed"):
                break
            time.sleep(poll_seconds)
    report = file.with_name(file.name + ".errors.csv")
    listed = _write_error_report(link, query, task_id, report) if task["errorCount"] else 0
    summary = {
        "taskId": task_id,
        "status": task["status"],
        "totalRows": task["totalRows"],
        "successRows": task["successRows"],
        "failedRows": task["failedRows"],
        "errorReport": str(report) if listed else None,
    }
    if link.as_json:
        link.echo_json(summary)
    else:
        click.echo(
            f"import task {task_id} {task['status']}: {task['successRows']} of "
            f"{task['totalRows']} rows imported, {task['failedRows']} failed"
            + (f"; errors in {report}" if listed else "")
        )
    if task["failedRows"] or task["status"] == "failed":
        sys.exit(1)


def _write_error_report(link: Any, query: str, task_id: int, report: Path) -> int:
    written = 0
    with report.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("row", "code", "description"))
        page = 1
        while True:
            body = {"taskId": task_id, "pageNum": page, "pageSize": ERROR_PAGE}
            entries = link.call("POST", query, json_body=body)["returnObject"]["errors"]
            for entry in entries:
                writer.writerow((entry["row"], entry["code"], entry["desc"]))
            written += len(entries)
            if len(entries) < ERROR_PAGE:
                return written
            page += 1


@numbers.command("delete")
@VDN_OPTION
@click.option(
    "--campaign", "campaign_id", type=click.IntRange(min=1), required=True, help="campaign id"
)
@click.option("--session-id", default=None, help="numbers of this sessionId")
@click.option("--called", default=None, help="this called number")
@click.option("--custom-field", default=None, help="numbers with this customField")
@click.option("--recycle-time", default=None, help="yyyy-MM-dd HH:mm:ss (UTC)")
@click.option(
    "--recycle-type",
    type=click.Choice(["1", "2", "3"]),
    default=None,
    help="with --recycle-time: 1 recycled on or before its day, 2 on its day, 3 at that second",
)
@click.option("--archive", is_flag=True, help="move the numbers to history (archiveHistory 1)")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
@remote_options
def numbers_delete(
    vdn: int,
    campaign_id: int,
    session_id: str | None,
    called: str | None,
    custom_field: str | None,
    recycle_time: str | None,
    recycle_type: str | None,
    archive: bool,
    yes: bool,
) -> None:
    """Preview a delete, confirm it, then delete exactly the previewed count."""
    body: dict[str, Any] = {
        name: value
        for name, value in (
            ("sessionId", session_id),
            ("called", called),
            ("customField", custom_field),
            ("recycleTime", recycle_time),
            ("recycleType", int(recycle_type) if recycle_type else None),
        )
        if value is not None
    }
    body["archiveHistory"] = int(archive)
    link = remote()
    path = f"{V1}/{vdn}/calldata/{campaign_id}/delete"
    preview = link.call("POST", f"{path}/preview", json_body=body)
    deletable = preview["deletable"]
    if not link.as_json:
        kept = ", ".join(f"{n} {state}" for state, n in sorted(preview["kept"].items()) if n)
        click.echo(
            f"{preview['matched']} numbers match: {deletable} would be deleted"
            + (f", kept: {kept}" if kept else "")
        )
        if preview["sample"]:
            print_table(
                ("dataId", "called", "sessionId", "customField"),
                (
                    (s["dataId"], s["called"], s["sessionId"], s["customField"])
                    for s in preview["sample"]
                ),
            )
    if deletable == 0:
        if link.as_json:
            link.echo_json({"preview": _bare(preview), "deleted": 0})
        else:
            click.echo("nothing to delete")
        return
    verb = "archive" if archive else "delete"
    if not yes and not click.confirm(f"{verb} {deletable} numbers?", err=True):
        raise CommandFailed("nothing was deleted (not confirmed)")
    answer = link.call(
        "POST",
        path,
        json_body={**body, "expectedCount": deletable},
        accept=(SUCCESS, EXPECTED_COUNT_MISMATCH),
    )
    if answer["resultCode"] == EXPECTED_COUNT_MISMATCH:
        raise CommandFailed(
            f"the numbers changed since the preview ({answer.get('deletable')} would be deleted "
            f"now, not {deletable}); nothing was deleted: run the command again"
        )
    if link.as_json:
        link.echo_json({"preview": _bare(preview), "deleted": answer["successCount"]})
    else:
        click.echo(f"{answer['successCount']} numbers deleted" + (" (archived)" if archive else ""))


def _bare(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if not k.startswith(("result", "return"))}


@numbers.command("export")
@VDN_OPTION
@click.option(
    "--campaign", "campaign_id", type=click.IntRange(min=1), required=True, help="campaign id"
)
@click.option(
    "--state",
    type=click.Choice(["pending", "calling", "retry", "completed"]),
    default=None,
    help="only numbers in this state",
)
@remote_options
def numbers_export(vdn: int, campaign_id: int, state: str | None) -> None:
    """Stream the campaign's numbers to stdout as CSV (--json: one object per line)."""
    link = remote()
    path = f"{V1}/{vdn}/calldata/{campaign_id}/list"
    writer = None if link.as_json else csv.writer(sys.stdout, lineterminator="\n")
    if writer:
        writer.writerow(COLUMNS)
    after = 0
    while True:
        body: dict[str, Any] = {"afterDataId": after, "limit": MAX_LIST_PAGE}
        if state:
            body["state"] = state
        page = link.call("POST", path, json_body=body)
        for row in page["data"]:
            if writer:
                writer.writerow(row[name] for name in COLUMNS)
            else:
                link.echo_json(row)
        if "nextAfterDataId" not in page:
            return
        after = int(page["nextAfterDataId"])
