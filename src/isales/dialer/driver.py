"""The telephony interface: one blocking call per ``place``."""

from __future__ import annotations

from collections.abc import Callable
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
    #: agent campaigns (docs/telephony.md#agents-progressive-preview-and-predictive-campaigns):
    #: the agent whose leg an answer is bridged to (progressive, preview: reserved when the
    #: number was claimed) ...
    work_no: str | None = None
    #: ... or, when None (predictive), asked on the answer until it names one or
    #: ``agent_wait_seconds`` have passed; then the compliance message is played
    take_agent: Callable[[], str | None] | None = None
    agent_wait_seconds: float = 1.0
    #: told (on the driver's worker thread) the agent an answer was bridged to
    bridged: Callable[[str], None] | None = None

    @property
    def for_agent(self) -> bool:
        """Whether an answer goes to an agent (else: a notification's prompt)."""
        return self.work_no is not None or self.take_agent is not None


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
    #: the agent the call was bridged to (agent campaigns), reported with the result
    work_no: str | None = None


class Driver(Protocol):
    """Places calls. A driver may also have (the loop asks with ``getattr``):

    * ``admit(campaign)``: check a campaign (its detail as the campaign query answers it)
      before any number of it is claimed; raise :class:`CampaignRefused` to skip it;
    * ``line_limit()``: how many calls it can have in flight now (None: no limit);
    * ``open_leg(work_no, sip_uri)`` (blocking: True when the agent answered),
      ``close_leg(work_no)``, ``legs_up()`` and ``legs_dropped()``: the nailed-up legs to
      agents; a driver without them dials agent campaigns without agents;
    * ``fatal``: an exception that, once set, stops the dialer from claiming more numbers
      and ends :meth:`Dialer.run` with it after the calls in flight have reported.
    """

    def place(self, call: CallRequest) -> CallOutcome:
        """Place the call and return when it has ended."""
        ...


class CampaignRefused(Exception):
    """A driver cannot dial this campaign; the message says why (logged once)."""
