"""The telephony interface: one blocking call per ``place``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

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
    fail_code: str  # docs/api.md#platform-failcodes; "00000" when connected
    call_id: str
    ring_started: str  # yyyy-MM-dd HH:mm:ss, UTC
    answered: str  # "" when not answered
    ended: str
    #: what a real driver saw, reported with the result and kept in its detail
    #: (``sipCode``, ``q850Cause``, ``ringMs``, ``talkMs``, ``amd``); None: nothing to add
    detail: dict[str, Any] | None = None


class Driver(Protocol):
    """Places calls. A driver may also have (the loop asks with ``getattr``):

    * ``admit(campaign)``: check a campaign (its detail as the campaign query answers it)
      before any number of it is claimed; raise :class:`CampaignRefused` to skip it;
    * ``line_limit()``: how many calls it can have in flight now (None: no limit);
    * ``fatal``: an exception that, once set, stops the dialer from claiming more numbers
      and ends :meth:`Dialer.run` with it after the calls in flight have reported.
    """

    def place(self, call: CallRequest) -> CallOutcome:
        """Place the call and return when it has ended."""
        ...


class CampaignRefused(Exception):
    """A driver cannot dial this campaign; the message says why (logged once)."""
