"""Use cases: agents, their public interfaces and the dialer's reports on their legs.

The rules: docs/api.md, "Agents" and "Dialer-facing agent interfaces". The states and
transitions are ``domain/agents.py``'s; every change is one guarded statement of
``store/agents.py``; each public method here is one transaction (the login's wait polls
in short read transactions of its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import Connection

from ..clock import Clock
from ..config import Settings
from ..domain import dialing
from ..domain.agents import (
    PREVIEW_HOLD_EXTRA_SECONDS,
    TRANSITIONS,
    AgentState,
    lease_owner,
)
from ..domain.blacklist import quota_periods
from ..errors import (
    AgentLoginFailed,
    AgentNotFound,
    AgentNotInCampaign,
    AgentStateForbids,
    CampaignNotFound,
    CampaignNotPreview,
    DialerCode,
    DialerRefused,
    RecordNotReserved,
    WorkNoTaken,
)
from ..store import Store
from ..store import agents as agent_store
from ..store import campaigns as campaign_store
from ..store.agents import CALL_CLEARED, Row
from ..store.numbers import Claimant
from . import campaign_numbers
from .dialer import DialerService

#: how often a waiting login reads the agent's state
LOGIN_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Preview:
    """A record held for a preview agent, and until when."""

    campaign: Row
    number: Row
    until: datetime


class AgentService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        self.dialing = DialerService(store, settings, clock)

    # --- the agents ---------------------------------------------------------------------

    def create(self, vdn_id: int, work_no: str, sip_uri: str, campaign_ids: list[int]) -> Row:
        now = self.clock()
        with self.store.write() as conn:
            for campaign_id in campaign_ids:
                if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                    raise CampaignNotFound(f"campaign {campaign_id} does not exist in this VDN")
            row = agent_store.create(conn, vdn_id, work_no, sip_uri, campaign_ids, now)
            if row is None:
                raise WorkNoTaken()
            return row

    def list_page(
        self, vdn_id: int, campaign_id: int | None, offset: int, limit: int
    ) -> tuple[int, list[Row]]:
        with self.store.read() as conn:
            return agent_store.page(conn, vdn_id, campaign_id, offset, limit, self.clock())

    def delete(self, vdn_id: int, work_no: str) -> None:
        with self.store.write() as conn:
            self._agent(conn, vdn_id, work_no)
            if not agent_store.delete_logged_out(conn, vdn_id, work_no):
                raise AgentStateForbids("an agent is deleted only when logged out")

    def _agent(self, conn: Connection, vdn_id: int, work_no: str) -> Row:
        row = agent_store.get(conn, vdn_id, work_no, self.clock())
        if row is None:
            raise AgentNotFound()
        return row

    def _change(
        self,
        conn: Connection,
        vdn_id: int,
        work_no: str,
        transition: str,
        now: datetime,
        **kwargs: Any,
    ) -> Row:
        """One guarded transition, refused (nothing changed) when the state does not allow it."""
        row = agent_store.change(conn, vdn_id, work_no, transition, now, **kwargs)
        if row is None:
            _refuse(transition, self._agent(conn, vdn_id, work_no))
        return row

    # --- login, ready, pause, logout -------------------------------------------------------

    def begin_login(self, vdn_id: int, work_no: str) -> float:
        """Mark the agent LOGGING_IN (a dialer will call it) and answer how many seconds the
        login waits for the dialer's report (``agent_login_timeout_seconds``).

        The waiting itself is the caller's, between short reads (``login_outcome``), so a
        login in progress holds no worker thread: logins waiting for phones must not starve
        every other request of the server's threads."""
        with self.store.write() as conn:
            self._change(
                conn,
                vdn_id,
                work_no,
                "login",
                self.clock(),
                values={"login_holder": None, "login_until": None, "leg_holder": None},
            )
        return float(self.settings.agent_login_timeout_seconds)

    def login_outcome(self, vdn_id: int, work_no: str) -> Row | None:
        """The agent once a dialer reported its login call (READY; ``AgentLoginFailed`` when
        the call was not answered), or None while it is still LOGGING_IN."""
        with self.store.read() as conn:
            row = self._agent(conn, vdn_id, work_no)
        if row["effective"] == AgentState.LOGGING_IN:
            return None
        return self._login_outcome(row)

    def end_login(self, vdn_id: int, work_no: str) -> Row:
        """The wait is over: a login still in progress fails (``AgentLoginFailed``, the agent
        LOGGED_OUT); one a dialer reported meanwhile answers as ``login_outcome`` does."""
        with self.store.write() as conn:
            timed_out = agent_store.change(
                conn,
                vdn_id,
                work_no,
                "login_timeout",
                self.clock(),
                values={"login_holder": None, "login_until": None},
            )
            row = timed_out or self._agent(conn, vdn_id, work_no)
        if timed_out is not None:
            raise AgentLoginFailed("no dialer reported the agent's login call in time")
        return self._login_outcome(row)

    @staticmethod
    def _login_outcome(row: Row) -> Row:
        if row["effective"] == AgentState.LOGGED_OUT:
            raise AgentLoginFailed()
        return row

    def ready(self, vdn_id: int, work_no: str) -> Row:
        with self.store.write() as conn:
            return self._change(
                conn, vdn_id, work_no, "ready", self.clock(), values={**CALL_CLEARED}
            )

    def pause(self, vdn_id: int, work_no: str) -> Row:
        with self.store.write() as conn:
            return self._pause(conn, vdn_id, work_no)

    def pause_in_campaign(self, vdn_id: int, work_no: str, campaign_id: int) -> Row:
        """The same pause, from a campaign's page (the console's Live tab): only an agent
        working for that campaign."""
        with self.store.write() as conn:
            agent = self._agent(conn, vdn_id, work_no)
            if campaign_id not in agent_store.campaigns_of(conn, [agent["id"]])[agent["id"]]:
                raise AgentNotInCampaign()
            return self._pause(conn, vdn_id, work_no)

    def _pause(self, conn: Connection, vdn_id: int, work_no: str) -> Row:
        """READY or WRAP_UP -> PAUSED (domain/agents.TRANSITIONS["pause"])."""
        return self._change(conn, vdn_id, work_no, "pause", self.clock(), values={**CALL_CLEARED})

    def logout(self, vdn_id: int, work_no: str) -> Row:
        """LOGGED_OUT; the dialer holding the leg drops it at its next ``legs`` poll."""
        with self.store.write() as conn:
            return self._change(
                conn,
                vdn_id,
                work_no,
                "logout",
                self.clock(),
                values={
                    **CALL_CLEARED,
                    "leg_holder": None,
                    "login_holder": None,
                    "login_until": None,
                },
            )

    # --- preview ---------------------------------------------------------------------------

    def next(self, vdn_id: int, work_no: str, campaign_id: int | None) -> Preview | None:
        """Hold the next due record of a preview campaign for the agent (READY → RESERVED)
        for the campaign's ``maxAlertingTime`` + 60 s; None when no record is due now."""
        now = self.clock()
        with self.store.write() as conn:
            agent = self._agent(conn, vdn_id, work_no)
            # refused before any record is held (the guarded change below holds the rule too)
            if agent["effective"] not in TRANSITIONS["next"].sources:
                _refuse("next", agent)
            for campaign in self._preview_campaigns(conn, vdn_id, agent, campaign_id):
                dialable, zone_keys = self.dialing.dialable(conn, campaign, now)
                if not dialable:
                    continue
                until = now + timedelta(
                    seconds=campaign["max_alerting_time"] + PREVIEW_HOLD_EXTRA_SECONDS
                )
                holder = Claimant(
                    lease_owner(agent["id"]), now, until, quota_periods(now, self.settings.zone)
                )
                number = campaign_numbers.claim_for_preview(conn, campaign, holder, zone_keys)
                if number is None:
                    continue
                self._change(
                    conn,
                    vdn_id,
                    work_no,
                    "next",
                    now,
                    values={
                        "state_until": until,
                        "campaign_id": campaign["id"],
                        "data_id": number["id"],
                        "dial_asked": 0,
                    },
                )
                return Preview(campaign, number, until)
        return None

    def _preview_campaigns(
        self, conn: Connection, vdn_id: int, agent: Row, campaign_id: int | None
    ) -> list[Row]:
        """The campaigns ``next`` may take a record from: the one named, or every preview
        campaign the agent works for, in id order. The campaign row is held FOR SHARE, as
        by every claim."""
        if campaign_id is not None:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            if campaign_id not in agent["campaign_ids"]:
                raise AgentNotInCampaign()
            chosen = [campaign_id]
        else:
            chosen = agent["campaign_ids"]
        campaigns = []
        for chosen_id in chosen:
            campaign = campaign_store.get_campaign(conn, vdn_id, chosen_id, lock="share")
            if campaign is None:
                continue
            if campaign["device_type"] != dialing.PREVIEW:
                if campaign_id is not None:
                    raise CampaignNotPreview()
                continue
            campaigns.append(campaign)
        return campaigns

    def dial(self, vdn_id: int, work_no: str, data_id: int) -> Row:
        """The agent accepts its record: the holding dialer's next preview claim gets it."""
        with self.store.write() as conn:
            agent = self._reserved_for(conn, vdn_id, work_no, data_id)
            if agent["dial_asked"]:
                raise AgentStateForbids("the agent already asked to dial this record")
            return self._change(
                conn,
                vdn_id,
                work_no,
                "dial",
                self.clock(),
                where={"data_id": data_id, "dial_asked": 0},
                values={"dial_asked": 1},
            )

    def skip(self, vdn_id: int, work_no: str, data_id: int) -> Row:
        """The agent refuses its record: it returns to the campaign, the agent is READY."""
        now = self.clock()
        with self.store.write() as conn:
            agent = self._reserved_for(conn, vdn_id, work_no, data_id)
            if agent["dial_asked"]:
                raise AgentStateForbids("the record is being dialled; it can no longer be skipped")
            row = self._change(
                conn,
                vdn_id,
                work_no,
                "skip",
                now,
                where={"data_id": data_id, "dial_asked": 0},
                values={**CALL_CLEARED},
            )
            campaign_numbers.give_back(conn, data_id, lease_owner(agent["id"]), now)
            return row

    def _reserved_for(self, conn: Connection, vdn_id: int, work_no: str, data_id: int) -> Row:
        agent = self._agent(conn, vdn_id, work_no)
        if agent["effective"] != AgentState.RESERVED:
            raise AgentStateForbids(
                f"the agent is {agent['effective'].value}, not holding a preview record"
            )
        if agent["data_id"] != data_id:
            raise RecordNotReserved()
        return agent

    # --- the dialer's side ---------------------------------------------------------------------

    def legs(self, vdn_id: int, dialer_id: str) -> list[Row]:
        """Every agent of the VDN, after giving this dialer the pending logins nobody holds."""
        now = self.clock()
        with self.store.write() as conn:
            agent_store.grant_logins(conn, vdn_id, dialer_id, now)
            rows = agent_store.all_of_vdn(conn, vdn_id, now)
        for row in rows:
            row["login"] = (
                row["effective"] == AgentState.LOGGING_IN
                and row["login_holder"] == dialer_id
                and row["login_until"] is not None
                and row["login_until"] >= now
            )
        return rows

    def event(
        self, vdn_id: int, dialer_id: str, work_no: str, event: str, data_id: int | None
    ) -> Row:
        """What happened on an agent's leg; refused (nothing changed) when it does not fit."""
        now = self.clock()
        with self.store.write() as conn:
            agent = agent_store.get(conn, vdn_id, work_no, now)
            if agent is None:
                raise DialerRefused(DialerCode.AGENT_UNKNOWN, "no such agent in this VDN")
            if event in ("up", "failed"):
                where: dict[str, Any] = {"login_holder": dialer_id}
                values: dict[str, Any] = {"login_holder": None, "login_until": None}
                if event == "up":
                    values["leg_holder"] = dialer_id
            elif event == "down":
                where = {"leg_holder": dialer_id}
                values = {**CALL_CLEARED, "leg_holder": None}
            else:  # talking
                where = {"leg_holder": dialer_id, "data_id": data_id}
                values = {"state_until": None}
            row = agent_store.change(conn, vdn_id, work_no, event, now, where=where, values=values)
            if row is None:
                raise DialerRefused(
                    DialerCode.AGENT_STATE,
                    f"{event} does not fit agent {work_no}: {agent['effective'].value}"
                    + ("" if agent["leg_holder"] in (None, dialer_id) else " on another dialer"),
                )
            if event == "down" and agent["data_id"] is not None and not agent["dial_asked"]:
                # a preview record still held for the agent goes back to its campaign
                campaign_numbers.give_back(conn, agent["data_id"], lease_owner(agent["id"]), now)
            return row

    def take(self, vdn_id: int, dialer_id: str, campaign_id: int, data_id: int) -> str | None:
        """Predictive: the longest-READY agent of the campaign on this dialer's legs becomes
        TALKING for ``data_id``; its workNo, or None when none is free."""
        now = self.clock()
        with self.store.write() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise DialerRefused(DialerCode.INVALID_REQUEST, "no such campaign in this VDN")
            row = agent_store.take_ready(conn, campaign_id, dialer_id, data_id, now)
            return None if row is None else str(row["work_no"])

    def counts(self, vdn_id: int | None = None) -> list[tuple[int, int | None, str, int]]:
        """(vdn, campaign, public state, agents) for /metrics."""
        with self.store.read() as conn:
            return agent_store.counts_by_state(conn, self.clock(), vdn_id)


def _refuse(transition: str, agent: Row) -> NoReturn:
    raise AgentStateForbids(
        f"{transition} is not allowed while the agent is {agent['effective'].value}"
    )
