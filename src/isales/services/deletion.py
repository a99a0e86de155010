"""Deletion safety (docs/api.md, "Data lifecycle"): delete preview, restore from history,
import rollback. Locking, admission and removal are the owner's
(``services/campaign_numbers.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from ..clock import Clock
from ..config import Settings
from ..domain.imports import IN_PROGRESS
from ..domain.number_filter import NumberFilter
from ..domain.states import DELETABLE
from ..errors import (
    CampaignNotFound,
    ImportTaskNotFound,
    RestoreRefused,
    StateForbidsNumberDelete,
)
from ..store import Store, audit
from ..store import campaigns as campaign_store
from ..store import deletion as deletion_store
from ..store import imports as import_store
from ..store.numbers import Row
from . import campaign_numbers as owner
from .campaign_numbers import DeleteOutcome


@dataclass(frozen=True)
class Preview:
    matched: int
    deletable: int
    kept: dict[str, int]
    sample: list[Row]


def _called_all(row: Row) -> list[str]:
    """Every number of a record: its first, and the others of a v2 record."""
    others = [n["calledNo"] for n in row["called_nos"] or []]
    return list(dict.fromkeys([row["called"], *others]))


class DeletionService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def preview(self, vdn_id: int, campaign_id: int, number_filter: NumberFilter) -> Preview:
        """What the delete with this filter would do now; changes nothing, any status."""
        now = self.clock()
        with self.store.read() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            counts = deletion_store.preview_counts(conn, campaign_id, number_filter, now)
            sample = deletion_store.deletable_sample(conn, campaign_id, number_filter, now)
        deletable = sum(counts[state] for state in DELETABLE)
        kept = {state: n for state, n in counts.items() if state not in DELETABLE}
        return Preview(sum(counts.values()), deletable, kept, sample)

    def rollback(
        self,
        vdn_id: int,
        campaign_id: int,
        task_id: int,
        archive: bool,
        actor: str,
        request_id: str,
    ) -> DeleteOutcome:
        """Remove the numbers an import task added that are still deletable."""
        now = self.clock()
        found: list[Row] = []

        def task_exists(conn: Connection, campaign: Row) -> None:
            task = import_store.find_task(conn, vdn_id, campaign_id, task_id)
            if task is None:
                raise ImportTaskNotFound()
            found.append(task)

        def task_ended(conn: Connection, campaign: Row) -> None:
            if found[0]["status"] in IN_PROGRESS:
                raise StateForbidsNumberDelete(
                    "the import task is still running; roll it back once it has ended"
                )

        removal = owner.Removal(
            "import-rollback",
            NumberFilter(import_task_id=task_id),
            archive,
            actor,
            request_id,
            executing="the outbound campaign is executing; pause it before rolling back an import",
            before_status=task_exists,
            after_status=task_ended,
            detail=lambda conn: {"taskId": task_id},
            audit_empty=True,
        )
        with self.store.write() as conn:
            return owner.remove(conn, removal, vdn_id, campaign_id, now)

    def restore(
        self,
        vdn_id: int,
        campaign_id: int,
        data_ids: list[int] | None,
        request_id: str | None,
        actor: str,
        audit_request_id: str | None,
    ) -> int:
        """Archived numbers back into their campaign, all or nothing; returns how many."""
        now = self.clock()
        with self.store.write() as conn:
            owner.lock_for_adding(conn, vdn_id, campaign_id, now)
            history = deletion_store.history_for_restore(
                conn, vdn_id, campaign_id, data_ids, request_id
            )
            self._check_restorable(conn, history, data_ids, request_id)
            called = [number for row in history for number in _called_all(row)]
            cap = self.settings.max_uncompleted_per_campaign
            admission = owner.admission(conn, vdn_id, campaign_id, called, now, cap)
            admission.refuse_barred(owner.RESTORING)  # the add's rules
            admission.refuse_over_cap(len(history), owner.RESTORING)
            removed = deletion_store.restore_rows(conn, history, now)
            if removed != len(history):
                raise RestoreRefused("the history changed while restoring; nothing was restored")
            audit.record(
                conn,
                actor=actor,
                operation="restore",
                vdn=vdn_id,
                request_id=audit_request_id,
                detail={
                    "campaignId": campaign_id,
                    "by": "dataIds" if data_ids is not None else "requestId",
                    "deleteRequestId": request_id,
                    "restored": len(history),
                },
                at=now,
            )
            return len(history)

    def _check_restorable(
        self,
        conn: Connection,
        history: list[Row],
        data_ids: list[int] | None,
        request_id: str | None,
    ) -> None:
        if data_ids is not None:
            missing = sorted(set(data_ids) - {row["id"] for row in history})
            if missing:
                shown = ", ".join(map(str, missing[:20]))
                raise RestoreRefused(
                    f"not in this campaign's history: dataId {shown}; nothing was restored"
                )
        elif not history:
            raise RestoreRefused(f"no number of this campaign was archived by request {request_id}")
        live = deletion_store.live_ids(conn, [row["id"] for row in history])
        if live:
            shown = ", ".join(map(str, sorted(live)[:20]))
            raise RestoreRefused(f"dataId {shown} is live again; nothing was restored")
