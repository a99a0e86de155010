"""Use cases: call batches of a campaign (docs/api.md#call-batches).

A batch groups numbers added with its ``batchId`` (v2 add). Pausing it keeps its numbers
from being claimed; deleting it deletes its numbers under the seed's rules.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection

from ..clock import Clock
from ..config import Settings
from ..domain import batches as rules
from ..domain.batches import BATCH_TRANSITIONS, BatchStatus
from ..domain.number_filter import NumberFilter
from ..errors import (
    BatchAlreadyPaused,
    BatchNameTaken,
    BatchNotFound,
    BatchNotPaused,
    BatchRenameTaken,
    CampaignForbidsBatchChange,
    CampaignNotFound,
    TooManyBatches,
)
from ..store import Store
from ..store import batches as batch_store
from ..store import campaigns as campaign_store
from ..store.numbers import Row
from . import campaign_numbers as owner
from .campaign_numbers import DeleteOutcome

#: batches one campaign may hold: Huawei's default for its tenant parameter "maximum batch
#: quantity in the task" (cec_07_0770; 1-1000 there, fixed here)
MAX_PER_CAMPAIGN = 100


def new_batch_id() -> str:
    """A decimal string, like Huawei's batch ids; random, so ids reveal nothing."""
    return str(uuid.uuid4().int)


class BatchService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def create(self, vdn_id: int, campaign_id: int, name: str, status: BatchStatus) -> str:
        now = self.clock()
        with self.store.write() as conn:
            # the row lock serialises creates in one campaign: the name and count checks are exact
            owner.locked_campaign(conn, vdn_id, campaign_id)
            if batch_store.name_taken(conn, campaign_id, name):
                raise BatchNameTaken()
            if batch_store.count_for_campaign(conn, campaign_id) >= MAX_PER_CAMPAIGN:
                raise TooManyBatches(
                    f"the campaign already has {MAX_PER_CAMPAIGN} call batches; delete one first"
                )
            batch_id = new_batch_id()
            batch_store.insert_batch(
                conn,
                {
                    "id": batch_id,
                    "campaign_id": campaign_id,
                    "vdn_id": vdn_id,
                    "name": name,
                    "status": int(status),
                    "created_at": now,
                    "updated_at": now,
                },
            )
            return batch_id

    def rename(self, vdn_id: int, campaign_id: int, batch_id: str, name: str) -> None:
        now = self.clock()
        with self.store.write() as conn:
            # the row lock serialises renames and creates in one campaign: names stay unique
            owner.locked_campaign(conn, vdn_id, campaign_id)
            batch = batch_store.get_batch(conn, campaign_id, batch_id)
            if batch is None:
                raise BatchNotFound()
            if batch["name"] != name and batch_store.name_taken(conn, campaign_id, name):
                raise BatchRenameTaken()
            if not batch_store.rename_batch(conn, campaign_id, batch_id, name, now):
                raise BatchNotFound()

    def list(
        self,
        vdn_id: int,
        campaign_id: int,
        status: int | None,
        name: str | None,
        offset: int,
        limit: int,
    ) -> tuple[int, list[Row]]:
        with self.store.read() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            return batch_store.list_batches(conn, campaign_id, status, name, offset, limit)

    def change(self, vdn_id: int, campaign_id: int, batch_id: str, operation: str) -> None:
        """Pause or resume a batch."""
        source, target = BATCH_TRANSITIONS[operation]
        now = self.clock()
        with self.store.write() as conn:
            # FOR UPDATE waits for claims in flight (they hold FOR SHARE): once a pause is
            # answered, no claim returns a number of the batch
            campaign = owner.locked_campaign(conn, vdn_id, campaign_id)
            status = owner.effective_status(campaign, now)
            if not rules.may_pause_or_resume_batches(status, operation):
                raise CampaignForbidsBatchChange(
                    "the outbound campaign is paused: its batches cannot be paused"
                )
            if batch_store.get_batch(conn, campaign_id, batch_id) is None:
                raise BatchNotFound()
            if not batch_store.change_status(conn, campaign_id, batch_id, source, target, now):
                raise BatchAlreadyPaused() if operation == "pause" else BatchNotPaused()

    def delete(
        self,
        vdn_id: int,
        campaign_id: int,
        batch_id: str,
        archive: bool,
        access_key: str,
        request_id: str,
    ) -> DeleteOutcome:
        """Delete the batch's deletable numbers (the seed's rules), then the batch if empty.

        A batch that keeps numbers (a call in progress, or call history) stays.
        """
        now = self.clock()

        def batch_exists(conn: Connection, campaign: Row) -> None:
            if batch_store.get_batch(conn, campaign_id, batch_id) is None:
                raise BatchNotFound()

        removal = owner.Removal(
            "batch-delete",
            NumberFilter(batch_id=batch_id),
            archive,
            access_key,
            request_id,
            executing="the outbound campaign is executing; pause it before deleting a batch",
            all_kept="none of the batch's numbers can be deleted",
            after_status=batch_exists,
            may_remove=rules.may_delete_batch,
            detail=lambda conn: {"batchId": batch_id},
        )
        with self.store.write() as conn:
            outcome = owner.remove(conn, removal, vdn_id, campaign_id, now)
            if not outcome.kept:
                batch_store.delete_batch(conn, campaign_id, batch_id)
            return outcome
