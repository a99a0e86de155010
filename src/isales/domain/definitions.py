"""Tenant definitions a write-back is judged against.

The rules: docs/api.md#business-result-write-back and
docs/api.md#business-result-definitions-and-display-results.

Once a VDN defines business results, ``callBusiResult`` may only write a defined result
code, and a sub-status only as one of that result's defined children.
"""

from __future__ import annotations

from enum import Enum


class Verdict(Enum):
    ALLOWED = "allowed"
    UNKNOWN_RESULT = "unknown result"
    SUB_STATUS_MISMATCH = "sub-status mismatch"


def judge_write_back(
    defines_any: bool, child_codes: list[str] | None, sub_status: str | None
) -> Verdict:
    """``child_codes``: the children of the defined result with that code (None: no such result)."""
    if not defines_any:
        return Verdict.ALLOWED
    if child_codes is None:
        return Verdict.UNKNOWN_RESULT
    if sub_status is not None and sub_status not in child_codes:
        return Verdict.SUB_STATUS_MISMATCH
    return Verdict.ALLOWED
