"""Erasure of one person's number in a VDN (docs/api.md, "Data lifecycle").

First the VDN's stored import files are read, each in a read transaction of its own,
outside any lock: parsing them is the slow part (seconds for large files), and no other
tenant's writes may wait on it. A stored file never changes (it is only ever dropped), so
what was found holds. Then one transaction: lock every campaign of the VDN (adds, imports,
restores and claims of the VDN wait), refuse while the number is being called (0209005)
or any of its data is in a held campaign (0209004), delete every row holding it, drop the
stored files found to contain it (and read any uploaded since the first pass) and the
error-report lines that name it, record the suppression (a keyed hash) and the receipt in
the audit log. The receipt holds counts, never the number.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..domain import blacklist_imports, imports
from ..domain.suppression import number_pattern
from ..errors import ErrorCode, LegalHold, NumberBeingCalled
from ..imports_format import mentions
from ..store import Store, audit
from ..store import contacts as contact_store
from ..store import erasure as erasure_store
from ..store import holds as hold_store
from ..store import suppressions as suppression_store
from ..store.tasks import Row
from . import campaign_numbers as owner
from . import contacts

#: receipt keys, in the order the spec lists them (then isales's own)
RECEIPT_KINDS = (
    "numbers",
    "history",
    "results",
    "callbacks",
    "importFiles",
    "blacklist",
    "reservations",
)
#: per kind of import task: (statuses still in progress, the failed status)
_TASK_STATES: dict[str, tuple[tuple[str, ...], str]] = {
    "numbers": (imports.IN_PROGRESS, imports.ImportStatus.FAILED),
    "blacklist": (
        blacklist_imports.IN_PROGRESS,
        blacklist_imports.BlacklistImportStatus.FAILED,
    ),
}


@dataclass(frozen=True)
class Receipt:
    erasure_id: str
    removed: dict[str, int]


def _scrubbed_task(
    kind: str, task: Row, has_file: bool, pattern: Any, now: datetime
) -> dict[str, Any] | None:
    """The new values of an import task that holds the number (``has_file``: its stored
    file does), or None if it does not."""
    errors = [e for e in task["errors"] if not pattern.search(e.get("desc", ""))]
    if not has_file and len(errors) == len(task["errors"]):
        return None
    values: dict[str, Any] = {"errors": errors}
    if has_file:
        values["content"] = None
        in_progress, failed = _TASK_STATES[kind]
        if task["status"] in in_progress:
            done = task["success_rows"] + task["failed_rows"]
            reason = (
                f"the file was removed by an erasure request: the first {done} of "
                f"{task['total_rows']} rows were processed, the rest were not"
            )
            values.update(
                status=failed,
                finished_at=now,
                lease_owner=None,
                leased_until=None,
                errors=[*errors, {"row": 0, "code": str(ErrorCode.DATA_NOT_FOUND), "desc": reason}],
            )
    return values


class ErasureService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def _files_holding(self, vdn_id: int, pattern: Any) -> dict[tuple[str, int], bool]:
        """Whether each stored import file of the VDN holds the number, by (kind, task id);
        one short read per file, no lock held."""
        found: dict[tuple[str, int], bool] = {}
        for kind in erasure_store.FILE_TABLES:
            with self.store.read() as conn:
                task_ids = erasure_store.stored_file_ids(conn, kind, vdn_id)
            for task_id in task_ids:
                with self.store.read() as conn:
                    stored = erasure_store.stored_file(conn, kind, task_id)
                if stored is not None:
                    found[(kind, task_id)] = mentions(*stored, pattern)
        return found

    def erase(self, vdn_id: int, number: str, actor: str, request_id: str | None) -> Receipt:
        now = self.clock()
        erasure_id = uuid.uuid4().hex
        pattern = number_pattern(number)
        read_before = self._files_holding(vdn_id, pattern)

        def holds_file(conn: Any, kind: str, task: Row) -> bool:
            if not task["has_file"]:
                return False
            if (kind, task["id"]) in read_before:
                return read_before[(kind, task["id"])]
            stored = erasure_store.stored_file(conn, kind, task["id"])  # uploaded since
            return stored is not None and mentions(*stored, pattern)

        with self.store.write() as conn:
            owner.lock_vdn(conn, vdn_id, now)
            if erasure_store.calling_count(conn, vdn_id, number):
                raise NumberBeingCalled()
            rewrites = {
                (kind, task["id"]): (task.get("campaign_id"), values)
                for kind in erasure_store.FILE_TABLES
                for task in erasure_store.file_tasks_of(conn, kind, vdn_id)
                if (
                    values := _scrubbed_task(kind, task, holds_file(conn, kind, task), pattern, now)
                )
                is not None
            }
            touched = erasure_store.campaigns_holding(conn, vdn_id, number)
            touched.update(campaign for campaign, _ in rewrites.values() if campaign is not None)
            held = touched & hold_store.held_campaigns(conn, vdn_id)
            if held:
                raise LegalHold(
                    f"campaign {', '.join(map(str, sorted(held)))} is under a legal hold; "
                    "nothing was erased"
                )
            removed = erasure_store.remove(conn, vdn_id, number)
            for (kind, task_id), (_, values) in rewrites.items():
                erasure_store.rewrite_file_task(conn, kind, task_id, values)
            removed["importFiles"] = len(rewrites)
            keyed = suppression_store.hasher(conn, now)
            suppression_store.suppress(conn, vdn_id, keyed(number), erasure_id, now)
            # the contact ledger keeps the calls, pseudonymised (docs/contact-policies.md)
            key = contacts.keying(
                conn, vdn_id, {}, self.settings.zone_table.international_prefix
            ).keys({"called": number})["number_key"]
            contact_store.pseudonymise(conn, vdn_id, number, key or number, keyed(number))
            receipt = {kind: removed[kind] for kind in RECEIPT_KINDS}
            audit.record(
                conn,
                actor=actor,
                operation="erasure",
                vdn=vdn_id,
                request_id=request_id,
                detail={"erasureId": erasure_id, "removed": receipt},
                at=now,
            )
        return Receipt(erasure_id, receipt)
