"""Use cases: file import of numbers as an asynchronous task (docs/api.md#file-import).

The upload checks the file (readable, at most ``import_max_rows`` rows) and the campaign,
and records a *pending* task with its file. The runner (``run_pending``, a background job)
leases a task and imports it in chunks of ``CHUNK_ROWS`` rows: each chunk is one
transaction that locks the campaign row (like an add), inserts the chunk's good rows,
advances the task's counters and error report and renews the lease, so a crash loses no
committed chunk and the write lock is never held for long. A task whose server stopped is
taken over, once its lease ran out, by any server sharing the store, from the committed
counters. Memory: the file, one chunk, and a 16-byte fingerprint per number for the
duplicate check (in a flat table, ``FingerprintSet``: about 32 bytes a number).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import Connection

from .. import events
from ..clock import Clock
from ..config import FileLimits, Settings
from ..domain import states
from ..domain.imports import IN_PROGRESS, ImportStatus
from ..errors import (
    CampaignNotFound,
    DuplicateImportFile,
    ErrorCode,
    ImportTaskNotFound,
    InvalidParameter,
    StoreFailure,
)
from ..imports_format import FingerprintSet, NumberFile, count_rows, fingerprints
from ..store import Store
from ..store import campaigns as campaign_store
from ..store import imports as import_store
from ..store import numbers as number_store
from ..store.tasks import Row
from . import campaign_numbers as owner
from .campaign_numbers import new_number
from .tasks import MAX_CONSECUTIVE_FAILURES, FailurePolicy, LeasedTaskRunner, LeasedTasks

#: rows per transaction
CHUNK_ROWS = 1000
#: the error report lists at most this many failed rows (all are counted in failedRows)
MAX_LISTED_ERRORS = 10_000
#: a task whose chunk failed this many times in a row is given up (the tasks' one policy)
MAX_CHUNK_FAILURES = MAX_CONSECUTIVE_FAILURES
#: file imports, of numbers and of blacklist entries: retried at once by the runner that
#: holds the lease, given up after MAX_CHUNK_FAILURES failures in a row
IMPORT_FAILURES = FailurePolicy(MAX_CHUNK_FAILURES)


def import_lease(settings: Settings) -> timedelta:
    """How long a runner holds an import task; renewed with every chunk."""
    return timedelta(seconds=max(60.0, 10 * settings.import_sweep_seconds))


def _entry(row: int, code: str, desc: str) -> dict[str, Any]:
    """One line of the error report; row 0 is the task as a whole."""
    return {"row": row, "code": str(code), "desc": desc}


def _count(errors: list[dict[str, Any]], code: ErrorCode) -> int:
    return sum(1 for entry in errors if entry["code"] == code)


def _progress(task: Row) -> tuple[str, int, int]:
    return task["status"], task["success_rows"], task["failed_rows"]


@dataclass
class _Cursor:
    """Where the runner is in a file: the rows left and the numbers seen so far."""

    file: NumberFile
    rows: Iterator[tuple[int, Sequence[Any]]]
    position: int = 0  # data rows consumed
    seen: FingerprintSet = field(default_factory=FingerprintSet)

    def judge(self, cells: Sequence[Any]) -> dict[str, Any]:
        """The row's record, or InvalidParameter (its field rules, or a duplicate: 0200018)."""
        record = self.file.record(cells)
        keys = fingerprints(record)
        if len(set(keys)) < len(keys) or any(key in self.seen for key in keys):
            session = f" for sessionId {record['session_id']}" if record["session_id"] else ""
            raise InvalidParameter(
                ErrorCode.DUPLICATE_NUMBERS,
                f"duplicate number{session}: {', '.join(record['called_all'])} "
                "(already in this row or an earlier row of the file)",
            )
        for key in keys:
            self.seen.add(key)
        return record


@dataclass(frozen=True)
class UploadOutcome:
    task_id: int
    total_rows: int


class ImportService(LeasedTaskRunner):
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        self.zones = settings.zone_table
        #: held while this process imports a task; renewed with every chunk
        self.tasks = LeasedTasks(store, clock, import_lease(settings), IMPORT_FAILURES)
        self._cursors: dict[int, _Cursor] = {}
        self._run_lock = threading.RLock()

    @property
    def file_limits(self) -> FileLimits:
        limits: FileLimits = self.settings.file_limits
        return limits

    # --- the interface ---------------------------------------------------------------------

    def upload(
        self,
        vdn_id: int,
        campaign_id: int,
        file_name: str,
        content: bytes,
        allow_duplicate_file: bool = False,
    ) -> UploadOutcome:
        total = count_rows(file_name, content, self.file_limits)
        now = self.clock()
        # the same bytes again would add every number twice: refused unless asked for
        fingerprint = hashlib.sha256(content).hexdigest()
        with self.store.write() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            earlier = import_store.task_with_file(conn, campaign_id, fingerprint)
            if earlier is not None and not allow_duplicate_file:
                raise DuplicateImportFile(earlier)
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
                    "repeat_rows": 0,
                    "black_rows": 0,
                    "errors": [],
                    "created_at": now,
                    "content": content,
                    "fingerprint": fingerprint,
                },
            )
        return UploadOutcome(task_id, total)

    def get_task(self, vdn_id: int, campaign_id: int, task_id: int) -> Row:
        with self.store.read() as conn:
            task = import_store.find_task(conn, vdn_id, campaign_id, task_id)
        if task is None:
            raise ImportTaskNotFound()
        return task

    def list_tasks(
        self,
        vdn_id: int,
        campaign_id: int,
        offset: int,
        limit: int,
        task_ids: list[int] | None = None,
    ) -> tuple[int, list[Row]]:
        with self.store.read() as conn:
            return import_store.list_tasks(conn, vdn_id, campaign_id, offset, limit, task_ids)

    # --- the runner ------------------------------------------------------------------------

    def run_pending(self) -> int:
        """The background job: import every task this process can lease, to the end.

        Returns the number of rows processed.
        """
        with self._run_lock:
            processed = 0
            while (rows := self.step()) is not None:
                processed += rows
            return processed

    def step(self) -> int | None:
        """Import one chunk of the oldest task this process can lease; None: no such task."""
        with self._run_lock:
            task = self.tasks.lease_next(import_store.lease_next)
            if task is None:
                return None
            task_id = task["id"]
            return self.tasks.run(
                task_id,
                lambda: self._import_chunk(task),
                give_up=lambda why: self._give_up(task_id, why),
                forget=lambda: self._forget(task_id),  # rebuilt from the committed counters
            )

    def _forget(self, task_id: int) -> None:
        cursor = self._cursors.pop(task_id, None)
        if cursor is not None:
            cursor.file.close()

    def _cursor(self, task: Row, done: int) -> _Cursor:
        """The task's file positioned after its first ``done`` data rows."""
        cursor = self._cursors.get(task["id"])
        if cursor is not None and cursor.position == done:
            return cursor
        self._forget(task["id"])
        with self.store.read() as conn:
            content = import_store.get_content(conn, task["id"])
        number_file = NumberFile(task["file_name"], content or b"", self.file_limits)
        cursor = _Cursor(number_file, number_file.rows(), seen=FingerprintSet(task["total_rows"]))
        for _, cells in islice(cursor.rows, done):  # replay: the same rows, the same duplicates
            try:
                cursor.judge(cells)
            except InvalidParameter:
                pass
            cursor.position += 1
        self._cursors[task["id"]] = cursor
        return cursor

    def _import_chunk(self, task: Row) -> int:
        task_id = task["id"]
        done = task["success_rows"] + task["failed_rows"]
        cursor = self._cursor(task, done)
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
            if current is None or current["lease_owner"] != self.owner:
                self._forget(task_id)  # our lease ran out and another server took the task
                return 0
            if _progress(current) != _progress(task):
                self._forget(task_id)  # changed under us: start over from the counters
                return 0
            # the campaign row lock serialises this chunk with adds and deletes: exact cap
            campaign = owner.lock_campaign(conn, task["vdn_id"], task["campaign_id"])
            if campaign is None:
                reason = _entry(
                    0,
                    ErrorCode.CAMPAIGN_NOT_FOUND,
                    f"the outbound campaign no longer exists: the first {done} of "
                    f"{task['total_rows']} rows were processed, the rest were not",
                )
                self._fail(conn, current, now, reason)
                self._forget(task_id)
                return 0
            if not states.may_add_numbers(
                owner.effective_status(campaign, now)
            ):  # every row is refused, whatever it holds
                records = []
                errors = [
                    _entry(row, ErrorCode.STATE_FORBIDS_ADDING, "the campaign has completed")
                    for row, _ in chunk
                ]
            accepted = self._admit(conn, task, records, errors, now)
            keying = owner.keying(conn, task["vdn_id"], campaign, self.zones)
            number_store.load_numbers(
                conn,
                [
                    {
                        **new_number(
                            record, task["campaign_id"], task["vdn_id"], now, self.zones, keying
                        ),
                        "import_task_id": task_id,  # import rollback removes them by task
                    }
                    for _, record in accepted
                ],
            )
            values: dict[str, Any] = {
                "status": ImportStatus.FINISHED if last else ImportStatus.RUNNING,
                "success_rows": current["success_rows"] + len(accepted),
                "failed_rows": current["failed_rows"] + len(errors),
                "repeat_rows": current["repeat_rows"] + _count(errors, ErrorCode.DUPLICATE_NUMBERS),
                "black_rows": current["black_rows"] + _count(errors, ErrorCode.BLACKLISTED),
                "finished_at": now if last else None,
                "leased_until": now + self.lease,
            }
            room_in_report = MAX_LISTED_ERRORS - len(current["errors"])
            if errors and room_in_report > 0:
                errors.sort(key=lambda entry: entry["row"])
                values["errors"] = [*current["errors"], *errors[:room_in_report]]
            if not import_store.update_task(conn, task_id, current["status"], self.owner, values):
                raise StoreFailure("the import task changed while a chunk was imported")
        cursor.position += len(chunk)
        if last:
            self._forget(task_id)
            events.import_finished(
                task["vdn_id"],
                task["campaign_id"],
                task_id,
                ImportStatus.FINISHED,
                values["success_rows"],
                values["failed_rows"],
            )
        return len(chunk)

    def _admit(
        self,
        conn: Connection,
        task: Row,
        records: list[tuple[int, dict[str, Any]]],
        errors: list[dict[str, Any]],
        now: datetime,
    ) -> list[tuple[int, dict[str, Any]]]:
        """The records to insert, after the add's rules (the owner's admission): blacklist and
        erasure, then the cap.

        The others are reported in ``errors``.
        """
        called = [number for _, record in records for number in record["called_all"]]
        cap = self.settings.max_uncompleted_per_campaign
        admission = owner.admission(conn, task["vdn_id"], task["campaign_id"], called, now, cap)
        blocked, erased = set(admission.blocked), admission.erased
        allowed = []
        for row, record in records:
            hit = [number for number in record["called_all"] if number in blocked]
            if hit:
                errors.append(_entry(row, ErrorCode.BLACKLISTED, f"blacklisted: {', '.join(hit)}"))
            elif erased.intersection(record["called_all"]):
                # the report must not name an erased number again
                errors.append(_entry(row, ErrorCode.BLACKLISTED, "a number erased from this VDN"))
            else:
                allowed.append((row, record))
        room = admission.room
        errors.extend(
            _entry(
                row,
                ErrorCode.TOO_MANY_UNCOMPLETED,
                f"the campaign has reached its limit of {cap} uncompleted numbers",
            )
            for row, _ in allowed[room:]
        )
        return allowed[:room]

    def _fail(self, conn: Connection, task: Row, now: datetime, reason: dict[str, Any]) -> bool:
        return import_store.update_task(
            conn,
            task["id"],
            task["status"],
            self.owner,
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
