"""Use cases: blacklist file imports (docs/api.md, "Blacklist file import") as asynchronous tasks.

The request checks the file (readable, at most ``import_max_rows`` rows) and records a
*waiting* task with its file, to run at once or at the requested ``hour``:``minute``. The
runner (``run_pending``, a background job) leases a due task and imports it in chunks of
``CHUNK_ROWS`` rows, one transaction each, advancing the counters with a guarded update;
a task whose server stopped is resumed from its committed counters by any server once
the lease has run out (a replayed chunk writes the same entries again, which is harmless).
Leasing and failures are the tasks' engine's (``services/tasks.py``): a task whose run
failed three times in a row ends *failed*, like a file import of numbers.

Per row: the field rules (``blacklist_file.entry``) or a failed row with its code; a
number already met earlier in the file, or already validly blacklisted, is a *repeat*
and is left as it is; otherwise the entry is written like a blacklist add.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from .. import blacklist_file
from ..clock import Clock
from ..config import Settings
from ..domain.blacklist import HOUR, expiry
from ..domain.blacklist_imports import BlacklistImportStatus
from ..errors import ErrorCode, InvalidParameter
from ..store import Store
from ..store import blacklist as blacklist_store
from ..store import blacklist_imports as task_store
from ..store.tasks import Row
from .imports import IMPORT_FAILURES, import_lease
from .tasks import LeasedTaskRunner, LeasedTasks

CHUNK_ROWS = 1000


class _LeaseLost(Exception):
    """Another server took the task over: this chunk is rolled back."""


#: the error report keeps at most this many failed rows (all are counted)
MAX_LISTED_ERRORS = 10_000


def next_run(now: datetime, hour: int | None, minute: int | None, zone: Any) -> datetime:
    """The next hour:minute of the tenant time zone, as naive UTC; now when not scheduled."""
    if hour is None:
        return now
    local = now.replace(tzinfo=UTC).astimezone(zone)
    target = local.replace(hour=hour, minute=minute or 0, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    return target.astimezone(UTC).replace(tzinfo=None)


class BlacklistImportService(LeasedTaskRunner):
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        self.tasks = LeasedTasks(store, clock, import_lease(settings), IMPORT_FAILURES)

    def submit(
        self,
        vdn_id: int,
        file_name: str,
        content: bytes,
        server_id: int | None = None,
        hour: int | None = None,
        minute: int | None = None,
    ) -> tuple[int, int]:
        """Record a task for a checked file: (task id, data rows)."""
        total = blacklist_file.count_rows(file_name, content, self.settings.file_limits)
        now = self.clock()
        with self.store.write() as conn:
            task_id = task_store.create_task(
                conn,
                {
                    "vdn_id": vdn_id,
                    "file_name": file_name,
                    "server_id": server_id,
                    "status": BlacklistImportStatus.WAITING,
                    "total_rows": total,
                    "success_rows": 0,
                    "repeat_rows": 0,
                    "failed_rows": 0,
                    "errors": [],
                    "created_at": now,
                    "run_after": next_run(now, hour, minute, self.settings.zone),
                    "content": content,
                },
            )
        return task_id, total

    def page(self, vdn_id: int, offset: int, limit: int) -> tuple[int, list[Row]]:
        with self.store.read() as conn:
            return task_store.page(conn, vdn_id, offset, limit)

    def run_pending(self) -> int:
        """Import every due task (background job); the number of tasks worked on."""
        worked = 0
        while self.step():
            worked += 1
        return worked

    def step(self) -> bool:
        """Lease one due task and import it to its end; False when none is due."""
        task = self.tasks.lease_next(task_store.lease_next)
        if task is None:
            return False
        task_id = task["id"]
        self.tasks.run(task_id, lambda: self._run(task), lambda why: self._give_up(task_id, why))
        return True

    def _give_up(self, task_id: int, why: str) -> None:
        now = self.clock()
        with self.store.write() as conn:
            task = task_store.get_task(conn, task_id)
            if task is None:
                return
            done = task["success_rows"] + task["repeat_rows"] + task["failed_rows"]
            reason = {
                "row": 0,
                "code": str(ErrorCode.DATABASE_ERROR),
                "desc": f"{why}: the first {done} of {task['total_rows']} rows were processed",
            }
            values = {"errors": [*task["errors"], reason], "finished_at": now}
            task_store.fail(conn, task_id, self.owner, values)

    def _run(self, task: Row) -> None:
        done = task["success_rows"] + task["repeat_rows"] + task["failed_rows"]
        rows = blacklist_file.data_rows(
            task["file_name"], task["content"] or b"", self.settings.file_limits
        )
        seen: set[str] = set()
        for _, cells in islice(rows, done):  # replay: the same rows, the same repeats
            number = cells[0] if cells else None
            if isinstance(number, str | int):
                seen.add(str(number))
        counters = {k: task[k] for k in ("success_rows", "repeat_rows", "failed_rows")}
        errors = list(task["errors"])
        while True:
            chunk = list(islice(rows, CHUNK_ROWS))
            last = len(chunk) < CHUNK_ROWS
            if not self._import_chunk(task, chunk, seen, counters, errors, last):
                return  # the lease was lost: whoever holds it now carries on
            if last:
                return

    def _import_chunk(
        self,
        task: Row,
        chunk: list[tuple[int, list[Any]]],
        seen: set[str],
        counters: dict[str, int],
        errors: list[dict[str, Any]],
        last: bool,
    ) -> bool:
        now = self.clock()
        entries: dict[str, dict[str, Any]] = {}
        failed: list[dict[str, Any]] = []
        repeats = 0
        for row, cells in chunk:
            try:
                record = blacklist_file.entry(cells)
                expires_at = record["expires_at"]
                if expires_at is None and record["validity_hours"] is not None:
                    expires_at = expiry(now, record["validity_hours"], HOUR)
                if expires_at is not None and expires_at <= now:
                    raise InvalidParameter(
                        ErrorCode.WRONG_VALUE, "the expiration time has already passed"
                    )
            except InvalidParameter as exc:
                failed.append({"row": row, "code": str(exc.code), "desc": exc.message})
                continue
            if record["number"] in seen:
                repeats += 1
                continue
            seen.add(record["number"])
            entries[record["number"]] = {
                "vdn_id": task["vdn_id"],
                "number": record["number"],
                "expires_at": expires_at,
                "restrict_times": record["restrict_times"],
                "restrict_period": record["restrict_period"],
                "category_id": None,
                "type_id": None,
                "created_at": now,
            }
        try:
            self._write_chunk(task, entries, repeats, failed, counters, errors, last, now)
        except _LeaseLost:
            return False
        return True

    def _write_chunk(
        self,
        task: Row,
        entries: dict[str, dict[str, Any]],
        repeats: int,
        failed: list[dict[str, Any]],
        counters: dict[str, int],
        errors: list[dict[str, Any]],
        last: bool,
        now: datetime,
    ) -> None:
        with self.store.write() as conn:
            written = (
                blacklist_store.put_entries(conn, list(entries.values()), now, overwrite=False)
                if entries
                else set()
            )
            done_before = sum(counters.values())
            counters["success_rows"] += len(written)
            counters["repeat_rows"] += repeats + len(entries) - len(written)
            counters["failed_rows"] += len(failed)
            errors.extend(failed[: max(MAX_LISTED_ERRORS - len(errors), 0)])
            values: dict[str, Any] = {
                **counters,
                "errors": errors,
                "leased_until": now + self.lease,
            }
            if last:
                values.update(status=BlacklistImportStatus.FINISHED, finished_at=now, content=None)
            if not task_store.advance(conn, task["id"], self.owner, done_before, values):
                raise _LeaseLost()
