"""Use cases: call batches of a campaign (reference §5).

A batch groups numbers added with its ``batchId`` (v2 add). Pausing it keeps its numbers
from being claimed; deleting it deletes its numbers under the seed's rules.
"""

from __future__ import annotations

import uuid

from ..clock import Clock
from ..config import Settings
from ..domain import batches as rules
from ..domain import states
from ..domain.batches import BATCH_TRANSITIONS, BatchStatus
from ..errors import (
    BatchAlreadyPaused,
    BatchNameTaken,
    BatchNotFound,
    BatchNotPaused,
    BatchRenameTaken,
    CampaignForbidsBatchChange,
    CampaignNotFound,
    StateForbidsNumberDelete,
    TooManyBatches,
)
from ..store import Store, audit
from ..store import batches as batch_store
from ..store import campaigns as campaign_store
from ..store import numbers as number_store
from ..store.numbers import NumberFilter
from .numbers import DeleteOutcome

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
            if campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update") is None:
                raise CampaignNotFound()
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
            if campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update") is None:
                raise CampaignNotFound()
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
    ) -> tuple[int, list[dict]]:
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
            campaign = campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update")
            if campaign is None:
                raise CampaignNotFound()
            status = states.effective_status(campaign["status"], campaign["end_time"], now)
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
        with self.store.write() as conn:
            campaign = campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update")
            if campaign is None:
                raise CampaignNotFound()
            status = states.effective_status(campaign["status"], campaign["end_time"], now)
            if not rules.may_delete_batch(status):
                raise StateForbidsNumberDelete(
                    "the outbound campaign is executing; pause it before deleting a batch"
                )
            if batch_store.get_batch(conn, campaign_id, batch_id) is None:
                raise BatchNotFound()
            number_store.release_lapsed_claims(conn, now, campaign_id)
            number_filter = NumberFilter(batch_id=batch_id)
            removed = number_store.remove_numbers(
                conn,
                number_store.deletable_conditions(campaign_id, number_filter),
                archive=archive,
                now=now,
                archived_by=access_key,
                request_id=request_id,
                reason="batch-delete",
            )
            kept = number_store.kept_by_state(conn, campaign_id, number_filter)
            outcome = DeleteOutcome(removed, kept)
            if kept and removed == 0:
                raise StateForbidsNumberDelete(
                    f"none of the batch's numbers can be deleted: {outcome.describe()}"
                )
            if not kept:
                batch_store.delete_batch(conn, campaign_id, batch_id)
            if removed:
                audit.record(
                    conn,
                    actor=access_key,
                    operation="batch-delete",
                    vdn=vdn_id,
                    request_id=request_id,
                    detail={
                        "campaignId": campaign_id,
                        "batchId": batch_id,
                        "archiveHistory": archive,
                        "deleted": removed,
                        "kept": kept,
                    },
                    at=now,
                )
            return outcome
