"""Call batches (docs/api.md#call-batches): their states and when a campaign lets them change.

A paused batch's numbers are never claimed; numbers outside any batch are not affected.
"""

from __future__ import annotations

from enum import IntEnum

from .states import CampaignStatus


class BatchStatus(IntEnum):
    STARTED = 1
    PAUSED = 2


#: operation -> (status it must be in, status it leads to)
BATCH_TRANSITIONS = {
    "pause": (BatchStatus.STARTED, BatchStatus.PAUSED),
    "resume": (BatchStatus.PAUSED, BatchStatus.STARTED),
}


def may_pause_or_resume_batches(status: CampaignStatus, operation: str = "pause") -> bool:
    """Huawei's pause page (cec_07_0773): a draft, executing or completed campaign; its
    resume page (cec_07_0774) adds paused ones, so a batch can be resumed in any state."""
    return operation == "resume" or status != CampaignStatus.PAUSED


def may_delete_batch(status: CampaignStatus) -> bool:
    """Deleting a batch deletes numbers: the seed's rule, never while executing."""
    return status != CampaignStatus.EXECUTING
