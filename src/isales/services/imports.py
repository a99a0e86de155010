"""Use cases: file import of numbers as an asynchronous task (reference §2.6).

The upload checks the file (readable, at most ``import_max_rows`` rows) and the campaign,
records a *pending* task and keeps the file in this process's memory. The runner
(``run_pending``, a background job) imports it in chunks of ``CHUNK_ROWS`` rows: each chunk
is one transaction that locks the campaign row (like an add), inserts the chunk's good rows
and advances the task's counters and error report, so a crash loses no committed chunk
and the write lock is never held for long. Memory: the file, one chunk, and a 16-byte
fingerprint per number for the duplicate check.

The server holding a task's file shows it is alive with a heartbeat (at the upload and at
every chunk, for all the tasks it holds). A task without a heartbeat for ``lease`` — its
server stopped before it finished — is marked *failed* by any server's sweep; a row-0 error
says how many rows were processed: the first ones of the file, so the rest can be
uploaded again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..domain import states
from ..domain.states import NumberState
from ..errors import (
    CampaignNotFound,
    ErrorCode,
    ImportTaskNotFound,
    InvalidParameter,
    StoreFailure,
)
from ..imports_format import NumberFile, count_rows, fingerprints
from ..store import Store
from ..store import blacklist as blacklist_store
from ..store import campaigns as campaign_store
from ..store import imports as import_store
from ..store import numbers as number_store
from ..store.imports import IN_PROGRESS, ImportStatus

#: rows per transaction
CHUNK_ROWS = 1000
#: the error report lists at most this many failed rows (all are counted in failedRows)
MAX_LISTED_ERRORS = 10_000
#: a task whose chunk failed this many times in a row is given up
MAX_CHUNK_FAILURES = 3


def _entry(row: int, code: str, desc: str) -> dict[str, Any]:
    """One line of the error report; row 0 is the task as a whole."""
    return {"row": row, "code": str(code), "desc": desc}


def _progress(task: dict) -> tuple:
    return task["status"], task["success_rows"], task["failed_rows"]


@dataclass
class _Cursor:
    """Where the runner is in a file: the rows left and the numbers seen so far."""

    file: NumberFile
    rows: Iterator[tuple[int, Sequence[Any]]]
    position: int = 0  # data rows consumed
    seen: set[bytes] = field(default_factory=set)

    def judge(self, cells: Sequence[Any]) -> dict[str, Any]:
        """The row's record, or InvalidParameter (its field rules, or a duplicate: 0200018)."""
        record = self.file.record(cells)
        keys = fingerprints(record)
        if len(set(keys)) < len(keys) or not self.seen.isdisjoint(keys):
            session = f" for sessionId {record['session_id']}" if record["session_id"] else ""
            raise InvalidParameter(
                ErrorCode.DUPLICATE_NUMBERS,
                f"duplicate number{session}: {', '.join(record['called_all'])} "
                "(already in this row or an earlier row of the file)",
            )
        self.seen.update(keys)
        return record


@dataclass
class _Held:
    """An uploaded file this process will import."""

    file_name: str
    content: bytes
    cursor: _Cursor | None = None
    failures: int = 0


@dataclass(frozen=True)
class UploadOutcome:
    task_id: int
    total_rows: int


class ImportService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        #: a task in progress without a heartbeat for this long was interrupted
        self.lease = timedelta(seconds=max(60.0, 10 * settings.import_sweep_seconds))
        self._held: dict[int, _Held] = {}
        self._held_lock = threading.Lock()
        self._run_lock = threading.RLock()
        self._next_sweep: datetime | None = None

    # --- the interface ---------------------------------------------------------------------

    def upload(
        self, vdn_id: int, campaign_id: int, file_name: str, content: bytes
    ) -> UploadOutcome:
        total = count_rows(file_name, content, self.settings.import_max_rows)
        now = self.clock()
        with self.store.write() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            task_id = import_store.create_task(
                conn,
                {
                    "vdn_id": vdn_id,
                    "campaign_id": campaign_id,
                    "file_name": file_name,
                    "status": ImportStatus.PENDING,
                    "total_rows": total,
                    "success_rows": 0,
                    "failed_rows": 0,
                    "errors": [],
                    "created_at": now,
                },
            )
        # held only once committed: the runner forgets held tasks it cannot find
        with self._held_lock:
            self._held[task_id] = _Held(file_name, content)
        return UploadOutcome(task_id, total)

    def get_task(self, vdn_id: int, campaign_id: int, task_id: int) -> dict:
        with self.store.read() as conn:
            task = import_store.find_task(conn, vdn_id, campaign_id, task_id)
        if task is None:
            raise ImportTaskNotFound()
        return task

    def list_tasks(
        self, vdn_id: int, campaign_id: int, page: int, page_size: int
    ) -> tuple[int, list[dict]]:
        with self.store.read() as conn:
            return import_store.list_tasks(
                conn, vdn_id, campaign_id, (page - 1) * page_size, page_size
            )

    # --- the runner ------------------------------------------------------------------------

    def run_pending(self) -> int:
        """The background job: fail interrupted tasks, then import the held ones to the end.

        Returns the number of rows processed.
        """
        with self._run_lock:
            now = self.clock()
            if self._next_sweep is None or now >= self._next_sweep:
                self.fail_interrupted()
                self._next_sweep = now + self.lease / 2
            processed = 0
            while (rows := self.step()) is not None:
                processed += rows
            return processed

    def fail_interrupted(self) -> int:
        """Mark failed the unfinished tasks without a heartbeat for ``lease`` (not held here)."""
        now = self.clock()
        held = set(self._held_ids())
        failed = 0
        with self.store.write() as conn:
            tasks = import_store.in_progress(conn)
            beats = import_store.last_beats(conn, [task["id"] for task in tasks])
            for task in tasks:
                beat = beats.get(task["id"])
                if task["id"] in held or (beat is not None and beat > now - self.lease):
                    continue
                done = task["success_rows"] + task["failed_rows"]
                reason = _entry(
                    0,
                    ErrorCode.DATABASE_ERROR,
                    f"the server stopped before the import finished: the first {done} of "
                    f"{task['total_rows']} rows were processed; upload the rest again",
                )
                failed += self._fail(conn, task, now, reason)
        return failed

    def step(self) -> int | None:
        """Import one chunk of the oldest held task: the rows processed; None: no task."""
        with self._run_lock:
            task_id = self._next_task()
            if task_id is None:
                return None
            held = self._held[task_id]
            try:
                processed = self._import_chunk(task_id, held)
            except Exception:
                held.cursor = None  # position unknown: rebuilt from the committed counters
                held.failures += 1
                if held.failures >= MAX_CHUNK_FAILURES:
                    self._give_up(task_id, "the import failed repeatedly on a store error")
                raise
            held.failures = 0
            return processed

    def _next_task(self) -> int | None:
        """The oldest held task still in progress; held tasks that are not are forgotten."""
        task_ids = self._held_ids()
        if not task_ids:
            return None
        with self.store.read() as conn:
            found = import_store.statuses(conn, task_ids)
        for task_id in task_ids:
            if found.get(task_id) in IN_PROGRESS:
                return task_id
            self._forget(task_id)
        return None

    def _held_ids(self) -> list[int]:
        with self._held_lock:
            return sorted(self._held)

    def _forget(self, task_id: int) -> None:
        with self._held_lock:
            held = self._held.pop(task_id, None)
        if held is not None and held.cursor is not None:
            held.cursor.file.close()

    def _cursor(self, held: _Held, done: int) -> _Cursor:
        """The file positioned after its first ``done`` data rows."""
        if held.cursor is not None and held.cursor.position == done:
            return held.cursor
        if held.cursor is not None:
            held.cursor.file.close()
        number_file = NumberFile(held.file_name, held.content)
        cursor = _Cursor(number_file, number_file.rows())
        for _, cells in islice(cursor.rows, done):  # replay: the same rows, the same duplicates
            try:
                cursor.judge(cells)
            except InvalidParameter:
                pass
            cursor.position += 1
        held.cursor = cursor
        return cursor

    def _import_chunk(self, task_id: int, held: _Held) -> int:
        with self.store.read() as conn:
            task = import_store.get_task(conn, task_id)
        assert task is not None and task["status"] in IN_PROGRESS
        done = task["success_rows"] + task["failed_rows"]
        cursor = self._cursor(held, done)
        chunk = list(islice(cursor.rows, CHUNK_ROWS))
        records: list[tuple[int, dict[str, Any]]] = []
        errors: list[dict[str, Any]] = []
        for row, cells in chunk:
            try:
                records.append((row, cursor.judge(cells)))
            except InvalidParameter as exc:
                errors.append(_entry(row, exc.code, exc.message))
        last = len(chunk) < CHUNK_ROWS or done + len(chunk) >= task["total_rows"]
        now = self.clock()
        with self.store.write() as conn:
            current = import_store.get_task(conn, task_id, lock=True)
            if current is None or _progress(current) != _progress(task):
                held.cursor = None  # changed under us (another process?): start over
                return 0
            import_store.beat(conn, self._held_ids(), now)
            # the campaign row lock serialises this chunk with adds and deletes: exact cap
            campaign = campaign_store.get_campaign(
                conn, task["vdn_id"], task["campaign_id"], lock="update"
            )
            if campaign is None:
                reason = _entry(
                    0,
                    ErrorCode.CAMPAIGN_NOT_FOUND,
                    f"the outbound campaign no longer exists: the first {done} of "
                    f"{task['total_rows']} rows were processed, the rest were not",
                )
                self._fail(conn, current, now, reason)
                return 0
            status = states.effective_status(campaign["status"], campaign["end_time"], now)
            if not states.may_add_numbers(status):  # every row is refused, whatever it holds
                records = []
                errors = [
                    _entry(row, ErrorCode.STATE_FORBIDS_ADDING, "the campaign has completed")
                    for row, _ in chunk
                ]
            accepted = self._admit(conn, task, records, errors, now)
            number_store.insert_numbers(
                conn, [self._number_row(task, record, now) for _, record in accepted]
            )
            values: dict[str, Any] = {
                "status": ImportStatus.FINISHED if last else ImportStatus.RUNNING,
                "success_rows": current["success_rows"] + len(accepted),
                "failed_rows": current["failed_rows"] + len(errors),
                "finished_at": now if last else None,
            }
            room_in_report = MAX_LISTED_ERRORS - len(current["errors"])
            if errors and room_in_report > 0:
                errors.sort(key=lambda entry: entry["row"])
                values["errors"] = [*current["errors"], *errors[:room_in_report]]
            if not import_store.update_task(conn, task_id, current["status"], values):
                raise StoreFailure("the import task changed while a chunk was imported")
        cursor.position += len(chunk)
        if last:
            self._forget(task_id)
        return len(chunk)

    def _admit(
        self,
        conn: Any,
        task: dict,
        records: list[tuple[int, dict[str, Any]]],
        errors: list[dict[str, Any]],
        now: datetime,
    ) -> list[tuple[int, dict[str, Any]]]:
        """The records to insert, after the add's store rules: blacklist, then the cap.

        The others are reported in ``errors``.
        """
        called = [number for _, record in records for number in record["called_all"]]
        blocked = set(blacklist_store.blocked_for_add(conn, task["vdn_id"], called, now))
        allowed = []
        for row, record in records:
            hit = [number for number in record["called_all"] if number in blocked]
            if hit:
                errors.append(_entry(row, ErrorCode.BLACKLISTED, f"blacklisted: {', '.join(hit)}"))
            else:
                allowed.append((row, record))
        if not allowed:
            return []
        cap = self.settings.max_uncompleted_per_campaign
        room = max(cap - number_store.count_uncompleted(conn, task["campaign_id"]), 0)
        errors.extend(
            _entry(
                row,
                ErrorCode.TOO_MANY_UNCOMPLETED,
                f"the campaign has reached its limit of {cap} uncompleted numbers",
            )
            for row, _ in allowed[room:]
        )
        return allowed[:room]

    @staticmethod
    def _number_row(task: dict, record: dict[str, Any], now: datetime) -> dict[str, Any]:
        """The numbers row of a record, exactly as an add makes it."""
        return {
            **{k: v for k, v in record.items() if k != "called_all"},
            "campaign_id": task["campaign_id"],
            "vdn_id": task["vdn_id"],
            "state": NumberState.PENDING,
            "attempts": 0,
            "next_due_at": now,
            "created_at": now,
        }

    @staticmethod
    def _fail(conn: Any, task: dict, now: datetime, reason: dict[str, Any]) -> bool:
        return import_store.update_task(
            conn,
            task["id"],
            task["status"],
            {
                "status": ImportStatus.FAILED,
                "errors": [*task["errors"], reason],
                "finished_at": now,
            },
        )

    def _give_up(self, task_id: int, why: str) -> None:
        with self.store.write() as conn:
            task = import_store.get_task(conn, task_id, lock=True)
            if task is not None and task["status"] in IN_PROGRESS:
                done = task["success_rows"] + task["failed_rows"]
                self._fail(
                    conn,
                    task,
                    self.clock(),
                    _entry(
                        0,
                        ErrorCode.DATABASE_ERROR,
                        f"{why}: the first {done} of {task['total_rows']} rows were processed",
                    ),
                )
        self._forget(task_id)
