"""Outbound-number use cases: add (v1/v2), read one, delete (the seed interface), history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection

from .. import events
from ..clock import Clock
from ..config import Settings
from ..domain.number_filter import NumberFilter
from ..errors import (
    BatchNotFound,
    CalledTooFrequently,
    CampaignNotFound,
    DuplicateNumbers,
    ExpectedCountMismatch,
    NumberNotFound,
)
from ..store import Store
from ..store import batches as batch_store
from ..store import campaigns as campaign_store
from ..store import numbers as number_store
from ..store import suppressions as suppression_store
from ..store.numbers import Row
from . import campaign_numbers as owner

# the owner's names, importable from here as they always were
from .campaign_numbers import DeleteOutcome, filter_detail, new_number
from .campaign_numbers import lock_for_adding as lock_campaign_for_adding


@dataclass(frozen=True)
class AddOutcome:
    data_ids: list[int]
    uncompleted: int


def _duplicates(records: list[dict[str, Any]], per_session: bool) -> list[str]:
    """v1: a called number twice in one request; v2: twice for the same sessionId."""
    keys: Counter[tuple[str | None, str]] = Counter()
    for record in records:
        for called in record["called_all"]:
            keys[(record["session_id"] if per_session else None, called)] += 1
    return sorted(called for (_, called), count in keys.items() if count > 1)


#: a delete of numbers by the delete interface's filter
NUMBER_DELETE = "number-delete"


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
            campaign = owner.lock_for_adding(conn, vdn_id, campaign_id, now)
            for batch_id in {r["batch_id"] for r in records if r.get("batch_id") is not None}:
                if batch_store.get_batch(conn, campaign_id, batch_id) is None:
                    raise BatchNotFound(f"batchId {batch_id} is not a call batch of this campaign")
            all_called = [number for record in records for number in record["called_all"]]
            cap = self.settings.max_uncompleted_per_campaign
            admission = owner.admission(conn, vdn_id, campaign_id, all_called, now, cap)
            admission.refuse_barred(owner.ADDING)
            if self.settings.add_min_interval_enabled:
                gap = timedelta(seconds=self.settings.add_min_interval_seconds)
                if not campaign_store.mark_add_call(conn, campaign_id, now, now - gap):
                    raise CalledTooFrequently()
            admission.refuse_over_cap(len(records), owner.ADDING)
            zones = self.settings.zone_table
            keying = owner.keying(conn, vdn_id, campaign, zones)
            rows = [
                new_number(record, campaign_id, vdn_id, now, zones, keying) for record in records
            ]
            ids = number_store.insert_numbers(conn, rows)
            return AddOutcome(ids, admission.uncompleted + len(records))

    def get(self, vdn_id: int, campaign_id: int, data_id: int) -> Row:
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
        """The seed interface: the deletable numbers the filter matches
        (docs/api.md, "Deleting outbound numbers").

        ``expected_count`` is compared with what was deleted inside the same transaction;
        a difference rolls the delete back.
        """
        now = self.clock()

        def detail(conn: Connection) -> dict[str, Any]:
            keyed = suppression_store.hasher(conn, now)
            return {"filter": filter_detail(number_filter, keyed)}

        def check_removed(removed: int) -> None:
            if expected_count is not None and removed != expected_count:
                raise ExpectedCountMismatch(removed)

        removal = owner.Removal(
            NUMBER_DELETE,
            number_filter,
            archive,
            access_key,
            request_id,
            executing="the outbound campaign is executing; pause it before deleting numbers",
            check_removed=check_removed,
            all_kept="none of the matched numbers can be deleted",
            detail=detail,
        )
        with self.store.write() as conn:
            outcome = owner.remove(conn, removal, vdn_id, campaign_id, now)
        events.numbers_deleted(
            vdn_id, campaign_id, outcome.removed, sum(outcome.kept.values()), archive, request_id
        )
        return outcome

    def history(
        self,
        vdn_id: int,
        campaign_id: int | None,
        filters: dict[str, Any],
        page: int,
        page_size: int,
    ) -> tuple[int, list[Row]]:
        with self.store.read() as conn:
            return number_store.history_page(
                conn, vdn_id, campaign_id, filters, (page - 1) * page_size, page_size
            )

    def list_page(
        self, vdn_id: int, campaign_id: int, state: str | None, after: int, limit: int
    ) -> list[Row]:
        """A page of a campaign's live numbers after dataId ``after`` (the export extension)."""
        with self.store.read() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            return number_store.page_after(conn, campaign_id, state, after, limit)


__all__ = [
    "AddOutcome",
    "DeleteOutcome",
    "NumberService",
    "filter_detail",
    "lock_campaign_for_adding",
    "new_number",
]
