"""Outbound-number use cases: add (v1/v2), read one, delete (the seed interface), history."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .. import events
from ..clock import Clock
from ..config import Settings
from ..domain import states
from ..domain.states import KEPT_REASON, NumberState
from ..domain.time_zones import ZoneTable
from ..errors import (
    BatchNotFound,
    Blacklisted,
    CalledTooFrequently,
    CampaignNotFound,
    DuplicateNumbers,
    ExpectedCountMismatch,
    NumberNotFound,
    StateForbidsAdding,
    StateForbidsNumberDelete,
    TooManyUncompleted,
)
from ..store import Store, audit
from ..store import batches as batch_store
from ..store import blacklist as blacklist_store
from ..store import campaigns as campaign_store
from ..store import numbers as number_store
from ..store import suppressions as suppression_store
from ..store.numbers import NumberFilter


@dataclass(frozen=True)
class AddOutcome:
    data_ids: list[int]
    uncompleted: int


@dataclass(frozen=True)
class DeleteOutcome:
    removed: int
    kept: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        if not self.kept:
            return ""
        reasons = ", ".join(
            f"{count} {KEPT_REASON[NumberState(state)]}"
            for state, count in sorted(self.kept.items())
        )
        return f"{sum(self.kept.values())} matched numbers were kept: {reasons}"


def _duplicates(records: list[dict[str, Any]], per_session: bool) -> list[str]:
    """v1: a called number twice in one request; v2: twice for the same sessionId."""
    keys: Counter = Counter()
    for record in records:
        for called in record["called_all"]:
            keys[(record["session_id"] if per_session else None, called)] += 1
    return sorted(called for (_, called), count in keys.items() if count > 1)


def lock_campaign_for_adding(conn: Any, vdn_id: int, campaign_id: int, now: datetime) -> dict:
    """The campaign, row-locked, that numbers may be added to (or restored into).

    The row lock serialises adds, imports, restores and deletes of one campaign, so the
    uncompleted-numbers cap is exact. Missing: 0200007; completed: 0200019.
    """
    campaign = campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update")
    if campaign is None:
        raise CampaignNotFound()
    status = states.effective_status(campaign["status"], campaign["end_time"], now)
    if not states.may_add_numbers(status):
        raise StateForbidsAdding("the outbound campaign has completed")
    return campaign


def new_number(
    record: dict[str, Any], campaign_id: int, vdn_id: int, now: datetime, zones: ZoneTable
) -> dict:
    """The numbers row of an added record: pending, never attempted, due now.

    Its time zone: the record's ``timeZone``, else the prefix table's key for its (first)
    number, else none (the server's zone).
    """
    return {
        **{k: v for k, v in record.items() if k != "called_all"},
        "time_zone": record.get("time_zone") or zones.key_for(record["called"]),
        "campaign_id": campaign_id,
        "vdn_id": vdn_id,
        "state": NumberState.PENDING,
        "attempts": 0,
        "next_due_at": now,
        "created_at": now,
    }


def filter_detail(number_filter: NumberFilter, keyed: Callable[[str], str]) -> dict[str, Any]:
    """A delete filter as the audit log keeps it: a number only as its keyed hash."""
    recycle = number_filter.recycle
    detail = {
        "sessionId": number_filter.session_id,
        "calledHash": keyed(number_filter.called) if number_filter.called else None,
        "customField": number_filter.custom_field,
        "batchId": number_filter.batch_id,
        "recycleFrom": recycle.lower.isoformat() if recycle and recycle.lower else None,
        "recycleBefore": recycle.upper.isoformat() if recycle else None,
    }
    return {name: value for name, value in detail.items() if value is not None}


class NumberService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def add(
        self, vdn_id: int, campaign_id: int, records: list[dict[str, Any]], per_session: bool
    ) -> AddOutcome:
        """Add numbers; each record has the number columns plus ``called_all``."""
        duplicates = _duplicates(records, per_session)
        if duplicates:
            raise DuplicateNumbers(f"duplicate numbers in the request: {', '.join(duplicates)}")
        now = self.clock()
        with self.store.write() as conn:
            lock_campaign_for_adding(conn, vdn_id, campaign_id, now)
            for batch_id in {r["batch_id"] for r in records if r.get("batch_id") is not None}:
                if batch_store.get_batch(conn, campaign_id, batch_id) is None:
                    raise BatchNotFound(f"batchId {batch_id} is not a call batch of this campaign")
            # a number blacklisted with a call quota may be added: the claim enforces the quota
            all_called = [number for record in records for number in record["called_all"]]
            blocked = blacklist_store.blocked_for_add(conn, vdn_id, all_called, now)
            if blocked:
                raise Blacklisted(f"blacklisted numbers in the request: {', '.join(blocked)}")
            if suppression_store.suppressed(conn, vdn_id, all_called, now):
                raise Blacklisted("the request holds a number erased from this VDN")
            if self.settings.add_min_interval_enabled:
                gap = timedelta(seconds=self.settings.add_min_interval_seconds)
                if not campaign_store.mark_add_call(conn, campaign_id, now, now - gap):
                    raise CalledTooFrequently()
            uncompleted = number_store.count_uncompleted(conn, campaign_id)
            cap = self.settings.max_uncompleted_per_campaign
            if uncompleted + len(records) > cap:
                raise TooManyUncompleted(
                    f"the campaign has {uncompleted} uncompleted numbers; adding {len(records)} "
                    f"would exceed the limit of {cap}"
                )
            zones = self.settings.zone_table
            rows = [new_number(record, campaign_id, vdn_id, now, zones) for record in records]
            ids = number_store.insert_numbers(conn, rows)
            return AddOutcome(ids, uncompleted + len(records))

    def get(self, vdn_id: int, campaign_id: int, data_id: int) -> dict:
        with self.store.read() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            row = number_store.get_number(conn, campaign_id, data_id)
        if row is None:
            raise NumberNotFound()
        return row

    def delete(
        self,
        vdn_id: int,
        campaign_id: int,
        number_filter: NumberFilter,
        archive: bool,
        access_key: str,
        request_id: str,
        expected_count: int | None = None,
    ) -> DeleteOutcome:
        """The seed interface: spec/delete-calldata.md, "Which numbers may be deleted".

        ``expected_count`` (spec/lifecycle.md §2) is compared with what was deleted inside
        the same transaction; a difference rolls the delete back.
        """
        now = self.clock()
        with self.store.write() as conn:
            # FOR UPDATE: a resume (or an import, or a claim's FOR SHARE) waits for us
            campaign = campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update")
            if campaign is None:
                raise CampaignNotFound()
            status = states.effective_status(campaign["status"], campaign["end_time"], now)
            if not states.may_delete_numbers(status):
                raise StateForbidsNumberDelete(
                    "the outbound campaign is executing; pause it before deleting numbers"
                )
            # a claim whose lease ran out is no longer a call in progress
            number_store.release_lapsed_claims(conn, now, campaign_id)
            removed = number_store.remove_matching(
                conn,
                campaign_id,
                number_filter,
                archive=archive,
                now=now,
                archived_by=access_key,
                request_id=request_id,
                reason="number-delete",
            )
            if expected_count is not None and removed != expected_count:
                raise ExpectedCountMismatch(removed)
            kept = number_store.kept_by_state(conn, campaign_id, number_filter)
            outcome = DeleteOutcome(removed, kept)
            if removed == 0 and kept:
                raise StateForbidsNumberDelete(
                    f"none of the matched numbers can be deleted: {outcome.describe()}"
                )
            if removed:
                keyed = suppression_store.hasher(conn, now)
                audit.record(
                    conn,
                    actor=access_key,
                    operation="number-delete",
                    vdn=vdn_id,
                    request_id=request_id,
                    detail={
                        "campaignId": campaign_id,
                        "filter": filter_detail(number_filter, keyed),
                        "archiveHistory": archive,
                        "deleted": removed,
                        "kept": kept,
                    },
                    at=now,
                )
        events.numbers_deleted(
            vdn_id, campaign_id, removed, sum(kept.values()), archive, request_id
        )
        return outcome

    def history(
        self,
        vdn_id: int,
        campaign_id: int | None,
        filters: dict[str, Any],
        page: int,
        page_size: int,
    ) -> tuple[int, list[dict]]:
        with self.store.read() as conn:
            return number_store.history_page(
                conn, vdn_id, campaign_id, filters, (page - 1) * page_size, page_size
            )

    def list_page(
        self, vdn_id: int, campaign_id: int, state: str | None, after: int, limit: int
    ) -> list[dict]:
        """A page of a campaign's live numbers after dataId ``after`` (the export extension)."""
        with self.store.read() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            return number_store.page_after(conn, campaign_id, state, after, limit)
