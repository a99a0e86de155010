"""The telephony interface: one blocking call per ``place``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..domain.states import CONNECTED, FAILED  # noqa: F401  (re-exported to drivers)

SUCCESS_CODE = "00000"
NO_ANSWER = "00603"


@dataclass(frozen=True)
class CallRequest:
    campaign_id: int
    data_id: str
    numbers: list[str]
    caller: str
    call_data: str
    max_alerting_seconds: int


@dataclass(frozen=True)
class CallOutcome:
    status: str  # "6" connected, "5" failed
    fail_code: str  # reference §3.4; "00000" when connected
    call_id: str
    ring_started: str  # yyyy-MM-dd HH:mm:ss, UTC
    answered: str  # "" when not answered
    ended: str


class Driver(Protocol):
    def place(self, call: CallRequest) -> CallOutcome:
        """Place the call and return when it has ended."""
        ...
