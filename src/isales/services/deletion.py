"""Deletion safety (spec/lifecycle.md): delete preview (§1), restore from history (§4),
import rollback (§8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..domain import states
from ..domain.states import DELETABLE
from ..errors import (
    Blacklisted,
    CampaignNotFound,
    ImportTaskNotFound,
    RestoreRefused,
    StateForbidsNumberDelete,
    TooManyUncompleted,
)
from ..store import Store, audit
from ..store import blacklist as blacklist_store
from ..store import campaigns as campaign_store
from ..store import deletion as deletion_store
from ..store import imports as import_store
from ..store import numbers as number_store
from ..store import suppressions as suppression_store
from ..store.imports import IN_PROGRESS
from ..store.numbers import NumberFilter
from .numbers import DeleteOutcome, lock_campaign_for_adding


@dataclass(frozen=True)
class Preview:
    matched: int
    deletable: int
    kept: dict[str, int]
    sample: list[dict]


def _called_all(row: dict) -> list[str]:
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
        with self.store.write() as conn:
            campaign = campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update")
            if campaign is None:
                raise CampaignNotFound()
            task = import_store.find_task(conn, vdn_id, campaign_id, task_id)
            if task is None:
                raise ImportTaskNotFound()
            status = states.effective_status(campaign["status"], campaign["end_time"], now)
            if not states.may_delete_numbers(status):
                raise StateForbidsNumberDelete(
                    "the outbound campaign is executing; pause it before rolling back an import"
                )
            if task["status"] in IN_PROGRESS:
                raise StateForbidsNumberDelete(
                    "the import task is still running; roll it back once it has ended"
                )
            number_store.release_lapsed_claims(conn, now, campaign_id)
            added = deletion_store.added_by_import(campaign_id, task_id)
            removed = number_store.remove_numbers(
                conn,
                [*added, deletion_store.state_in(DELETABLE)],
                archive=archive,
                now=now,
                archived_by=actor,
                request_id=request_id,
                reason="import-rollback",
            )
            kept = deletion_store.kept_by_state(conn, added)
            audit.record(
                conn,
                actor=actor,
                operation="import-rollback",
                vdn=vdn_id,
                request_id=request_id,
                detail={
                    "campaignId": campaign_id,
                    "taskId": task_id,
                    "archiveHistory": archive,
                    "deleted": removed,
                    "kept": kept,
                },
                at=now,
            )
            return DeleteOutcome(removed, kept)

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
            lock_campaign_for_adding(conn, vdn_id, campaign_id, now)
            history = deletion_store.history_for_restore(
                conn, vdn_id, campaign_id, data_ids, request_id
            )
            self._check_restorable(conn, history, data_ids, request_id)
            self._check_admissible(conn, vdn_id, campaign_id, history, now)
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
        conn: Any,
        history: list[dict],
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

    def _check_admissible(
        self, conn: Any, vdn_id: int, campaign_id: int, history: list[dict], now: datetime
    ) -> None:
        """The add's rules: blacklist and erasure suppression, then the uncompleted cap."""
        called = [number for row in history for number in _called_all(row)]
        blocked = blacklist_store.blocked_for_add(conn, vdn_id, called, now)
        if blocked:
            raise Blacklisted(f"blacklisted numbers among them: {', '.join(blocked)}")
        if suppression_store.suppressed(conn, vdn_id, called, now):
            raise Blacklisted("a number among them was erased from this VDN")
        uncompleted = number_store.count_uncompleted(conn, campaign_id)
        cap = self.settings.max_uncompleted_per_campaign
        if uncompleted + len(history) > cap:
            raise TooManyUncompleted(
                f"the campaign has {uncompleted} uncompleted numbers; restoring {len(history)} "
                f"would exceed the limit of {cap}"
            )
