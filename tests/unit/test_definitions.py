"""The write-back judged against business-result definitions (domain/definitions.py)."""

from __future__ import annotations

import pytest

from isales.domain.definitions import Verdict, judge_write_back


@pytest.mark.parametrize(
    ("defines_any", "children", "sub_status", "verdict"),
    [
        (False, None, None, Verdict.ALLOWED),
        (False, None, "anything", Verdict.ALLOWED),
        (True, None, None, Verdict.UNKNOWN_RESULT),
        (True, [], None, Verdict.ALLOWED),
        (True, [], "paid", Verdict.SUB_STATUS_MISMATCH),
        (True, ["paid", "later"], "paid", Verdict.ALLOWED),
        (True, ["paid", "later"], "PAID", Verdict.SUB_STATUS_MISMATCH),
        (True, ["paid"], None, Verdict.ALLOWED),
    ],
)
def test_judge_write_back(defines_any, children, sub_status, verdict):
    assert judge_write_back(defines_any, children, sub_status) is verdict
