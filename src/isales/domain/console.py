"""Console roles and the sign-in throttle: what each role may do, and how long to wait."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class Role(StrEnum):
    """Each role may do everything the roles before it may."""

    VIEWER = "viewer"  # reads everything of its VDNs
    OPERATOR = "operator"  # also imports, adds, deletes, restores numbers; pauses, resumes
    ADMIN = "admin"  # also campaigns, blacklist, holds, access keys


_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}


def may(role: Role, needed: Role) -> bool:
    return _RANK[role] >= _RANK[needed]


#: failed sign-ins in a row that cost nothing more than the fixed delay
FREE_FAILURES = 3
#: the longest a user name stays blocked after failures
MAX_BLOCK = timedelta(minutes=5)


def block_after(failures: int) -> timedelta:
    """How long the user name is refused unchecked after ``failures`` failures in a row.

    Doubles from one second after the free failures, so guessing a password online costs
    hours while a person who mistypes a few times notices nothing.
    """
    if failures <= FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES - 1, 20)  # 2**20 s is far past the cap already
    return min(timedelta(seconds=2**doublings), MAX_BLOCK)
