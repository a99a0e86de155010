"""Campaign and number states, and every rule that moves between them.

The store embeds these rules in guarded UPDATEs (the source state is part of the WHERE
clause); this module is where a reader finds what the rules are.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum


class CampaignStatus(IntEnum):
    EXECUTING = 2
    PAUSED = 3
    COMPLETED = 4


#: initStatus on create -> stored status
INIT_STATUS = {0: CampaignStatus.EXECUTING, 1: CampaignStatus.PAUSED}

#: operation -> (status it must be in, status it leads to)
CAMPAIGN_TRANSITIONS = {
    "pause": (CampaignStatus.EXECUTING, CampaignStatus.PAUSED),
    "resume": (CampaignStatus.PAUSED, CampaignStatus.EXECUTING),
}


def effective_status(stored: int, end_time: datetime, now: datetime) -> CampaignStatus:
    """A campaign is completed once its strEndTime has passed, whatever was stored."""
    if end_time <= now:
        return CampaignStatus.COMPLETED
    return CampaignStatus(stored)


def may_add_numbers(status: CampaignStatus) -> bool:
    return status != CampaignStatus.COMPLETED


def may_delete_numbers(status: CampaignStatus) -> bool:
    return status != CampaignStatus.EXECUTING


def may_delete_campaign(status: CampaignStatus) -> bool:
    return status != CampaignStatus.EXECUTING


def may_modify_campaign(status: CampaignStatus) -> bool:
    return status != CampaignStatus.COMPLETED


class NumberState(StrEnum):
    PENDING = "pending"  # never attempted
    CALLING = "calling"  # claimed by a dialer, no result yet
    RETRY = "retry"  # at least one attempt reported, another one allowed
    COMPLETED = "completed"  # final attempt reported


#: states a dialer may claim from (claim -> CALLING)
CLAIMABLE = (NumberState.PENDING, NumberState.RETRY)
#: the only state the delete interface removes: no call in progress, no call history
DELETABLE = (NumberState.PENDING,)
#: states counted against the per-campaign cap of uncompleted numbers (the store keeps the
#: count with triggers, migration 0003: changing this set needs a migration)
UNCOMPLETED = (NumberState.PENDING, NumberState.CALLING, NumberState.RETRY)

#: why a matched number was kept by a delete, for resultDesc
KEPT_REASON = {
    NumberState.CALLING: "call in progress",
    NumberState.RETRY: "call attempted, awaiting retry",
    NumberState.COMPLETED: "call completed",
}

CONNECTED = "6"
FAILED = "5"
