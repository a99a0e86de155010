"""Reserved calls: when one is due, and how its id is told from a dataId.

The rules: docs/api.md, "Reserved calls".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

MANUAL, AUTOMATIC = 1, 2


class ReservationState(StrEnum):
    """A reserved call: waiting for its time, being dialled (under a lease), or done."""

    PENDING = "pending"
    CALLING = "calling"  # claimed by a dialer; a lapsed lease makes it claimable again
    EXECUTED = "executed"  # dialled and its result recorded, or its result reported by hand


#: an automatic reserved call is dialled this long before its time (Huawei's rule)
AUTOMATIC_LEAD = timedelta(minutes=5)
#: appointIds start here; dataIds are numbered from 1 and never reach it, so the dialer's
#: ``uniqueId`` names a number or a reserved call without another field
ID_BASE = 2**62


def due_at(appoint_at: datetime, call_type: int) -> datetime:
    return appoint_at - AUTOMATIC_LEAD if call_type == AUTOMATIC else appoint_at


def appoint_id(row_id: int) -> int:
    return ID_BASE + row_id


def is_appoint_id(unique_id: int) -> bool:
    return unique_id >= ID_BASE


def row_id(appoint_id_: int) -> int | None:
    """The reservation row of an appointId, or None when it cannot be one."""
    return appoint_id_ - ID_BASE if appoint_id_ > ID_BASE else None
