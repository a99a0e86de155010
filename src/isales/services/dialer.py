"""The dialer-facing ("OBS") use cases: list executing campaigns, claim numbers, report results.

External dialers and the built-in one use these same paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from .. import events
from ..clock import Clock
from ..config import Settings
from ..domain import dialing, reservations, retry, schedule, states, time_zones
from ..domain.blacklist import quota_periods
from ..domain.days import day_bounds
from ..domain.states import CampaignStatus, NumberState
from ..errors import DialerCode, DialerRefused
from ..store import Store
from ..store import callbacks as callback_store
from ..store import campaigns as campaign_store
from ..store import numbers as number_store
from ..store import policies as policy_store
from ..store import reservations as reservation_store
from ..store import special_dates as special_date_store
from ..store.numbers import Claimant
from ..wire.schemas.campaigns import effective
from ..wire.schemas.results import wire_callback
from . import agent_calls, campaign_numbers, contacts


@dataclass(frozen=True)
class CallReport:
    campaign_id: int
    data_id: int
    call_status: str  # "6" connected, "5" failed
    fail_code: str | None
    call_id: str | None
    fetch_time: str | None
    write_start_time: str | None
    end_call_time: str | None
    #: what a telephony driver saw (sipCode, q850Cause, ringMs, talkMs, amd); None: nothing
    telephony: dict[str, Any] | None = None
    #: the agent the call was for (agent campaigns); it moves to WRAP_UP or READY
    work_no: str | None = None


@dataclass(frozen=True)
class Claim:
    campaign: dict[str, Any]
    numbers: list[dict[str, Any]]
    #: reserved calls, dialled first
    reservations: list[dict[str, Any]] = field(default_factory=list)
    #: agent campaigns: dataId (a reserved call's appointId) -> the agent's workNo
    work_nos: dict[int, str] = field(default_factory=dict)


def _end_attempt(conn: Connection, report: CallReport, now: datetime) -> None:
    """The reported result ends the record's attempt in the contact ledger."""
    contacts.finish(
        conn,
        report.data_id,
        report.campaign_id,
        now,
        report.call_status,
        report.fail_code,
        _amd(report),
    )


def _amd(report: CallReport) -> str | None:
    """What answering-machine detection said, when a telephony driver reported it."""
    amd = (report.telephony or {}).get("amd")
    return str(amd) if amd is not None else None


class DialerService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def _may_dial(
        self, campaign: dict[str, Any], specials: list[dict[str, Any]], now: datetime
    ) -> bool:
        return schedule.may_dial(
            now, campaign["schedule_param"] or {}, specials, self.settings.zone
        )

    def _zone_filter(
        self, conn: Any, campaign: dict[str, Any], specials: list[dict[str, Any]], now: datetime
    ) -> tuple[bool, list[str | None] | None]:
        """(may the campaign dial now, the zone keys it may claim from — None: any).

        With ``calleeLocalTime`` the windows are judged per zone key of its numbers; when
        every key is open the claim needs no filter. The campaign row is locked FOR SHARE
        by the claim, so no import adds a key between this read and the claim.
        """
        schedule_param = campaign["schedule_param"] or {}
        if not schedule_param.get("calleeLocalTime"):
            return self._may_dial(campaign, specials, now), None
        keys = number_store.zone_keys(conn, campaign["id"])
        open_keys = [
            key
            for key in keys
            if time_zones.window_open(now, schedule_param, specials, key, self.settings.zone)
        ]
        return bool(open_keys), None if len(open_keys) == len(keys) else open_keys

    def executing_campaigns(self, vdn_id: int) -> list[int]:
        """Campaigns that may dial now: executing, begun, not ended, inside a window (in
        some number's local time, for a campaign with ``calleeLocalTime``)."""
        now = self.clock()
        with self.store.read() as conn:
            candidates = campaign_store.executing_campaigns(conn, vdn_id, now)
            specials = special_date_store.by_campaign(conn, [c["id"] for c in candidates])
            return [
                c["id"] for c in candidates if self._zone_filter(conn, c, specials[c["id"]], now)[0]
            ]

    def dialable(
        self, conn: Any, campaign: dict[str, Any], now: datetime
    ) -> tuple[bool, list[str | None] | None]:
        """(may the campaign dial now, the zone keys it may claim from — None: any):
        executing, begun, inside a window (per zone key with ``calleeLocalTime``)."""
        status = states.effective_status(campaign["status"], campaign["end_time"], now)
        if status != CampaignStatus.EXECUTING or campaign["begin_time"] > now:
            return False, None
        specials = special_date_store.list_for_campaign(conn, campaign["id"])
        return self._zone_filter(conn, campaign, specials, now)

    def claim(
        self, vdn_id: int, campaign_id: int, owner: str, batch: int, dialer_id: str | None = None
    ) -> Claim | None:
        """Claim up to ``batch`` due numbers; None when the campaign may not dial now.

        With a ``dialer_id`` an agent campaign's claim follows its agents: progressive
        reserves one READY agent on that dialer's legs per number, preview hands out only
        the records agents asked to dial (docs/api.md, "Dialer-facing agent interfaces")."""
        now = self.clock()
        with self.store.write() as conn:
            # FOR SHARE: a pause, resume, import or delete of this campaign waits for the claim,
            # and the claim waits for them; claims do not wait for each other.
            campaign = campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="share")
            if campaign is None:
                return None
            dialable, zone_keys = self.dialable(conn, campaign, now)
            if not dialable:
                return None
            lease_until = now + timedelta(seconds=self.settings.lease_seconds)
            quota = quota_periods(now, self.settings.zone)  # blacklist call quotas
            by = Claimant(owner, now, lease_until, quota)
            work_nos: dict[int, str] = {}
            mode = campaign["device_type"]
            if dialer_id is not None and mode == dialing.PROGRESSIVE:
                claimed, reserved, work_nos = campaign_numbers.claim_for_agents(
                    conn, campaign, batch, by, zone_keys, dialer_id
                )
            elif dialer_id is not None and mode == dialing.PREVIEW:
                reserved = []
                claimed, work_nos = campaign_numbers.hand_over_previews(
                    conn, campaign_id, dialer_id, batch, by
                )
            else:
                claimed, reserved = campaign_numbers.claim(conn, campaign, batch, by, zone_keys)
            events.numbers_claimed(len(claimed) + len(reserved))
            return Claim(campaign, claimed, reserved, work_nos)

    def report(self, vdn_id: int, owner: str, report: CallReport) -> NumberState:
        """Record one attempt and move the number on; refused unless it is *calling* for us."""
        now = self.clock()
        if reservations.is_appoint_id(report.data_id):
            return self._report_reservation(owner, report, now)
        with self.store.write() as conn:
            current = number_store.get_number(conn, report.campaign_id, report.data_id)
            if current is None or current["vdn_id"] != vdn_id:
                raise DialerRefused(DialerCode.NOT_CALLING, "no such number in that campaign")
            # the campaign's retry policy decides (domain/retry.py); no policy: one attempt
            campaign = campaign_store.get_campaign(conn, vdn_id, report.campaign_id)
            policy = retry.read_policy(campaign["retry_policy"] if campaign else None)
            history = policy_store.attempt_history(
                conn, current["id"], report.fail_code, *day_bounds(now, self.settings.zone)
            )
            target, next_due_at = retry.after_result(
                policy.item_for(retry.number_type(current["called_nos"])),
                report.call_status,
                report.fail_code,
                history,
                now,
                self.settings.zone,
                self.settings.retry_ordinary_interval_seconds,
            )
            if target == NumberState.RETRY and campaign is not None:
                # an abandoned call holds its number back
                # (docs/api.md, "Dialing settings of agent campaigns"); the claim walks
                # due times, so a later due time is all the rule needs
                hours = effective(campaign["abandon_redial_hours"], "abandonRedialHours")
                held_until = dialing.redial_not_before(report.fail_code, now, hours)
                if held_until is not None and next_due_at is not None:
                    next_due_at = max(next_due_at, held_until)
            row = number_store.finish_call(
                conn, report.campaign_id, report.data_id, owner, target, next_due_at, now
            )
            if row is not None:
                _end_attempt(conn, report, now)
                self._recorded(conn, vdn_id, report, campaign, row, target, now)
        if row is None:
            self._late_result(owner, report)
            raise DialerRefused(
                DialerCode.NOT_CALLING, "the number is not being called under this key's claim"
            )
        events.call_reported(report.call_status)
        return target

    def _recorded(
        self,
        conn: Any,
        vdn_id: int,
        report: CallReport,
        campaign: dict[str, Any] | None,
        row: dict[str, Any],
        target: NumberState,
        now: datetime,
    ) -> None:
        """What a recorded result does beyond the number: its agent, the result row, the
        callback (in the report's transaction)."""
        if report.work_no is not None:
            agent_calls.after_call(
                conn,
                vdn_id,
                report.work_no,
                campaign,
                report.data_id,
                report.call_status == states.CONNECTED,
                now,
            )
        result = {
            "data_id": row["id"],
            "campaign_id": row["campaign_id"],
            "vdn_id": row["vdn_id"],
            "session_id": row["session_id"],
            "called": row["called"],
            "custom_field": row["custom_field"],
            "call_id": report.call_id,
            "call_status": report.call_status,
            "fail_code": report.fail_code,
            "fetch_time": report.fetch_time,
            "write_start_time": report.write_start_time,
            "end_call_time": report.end_call_time,
            "telephony": report.telephony,
            "work_no": report.work_no,
            "attempt": row["attempts"],
            "final": int(target == NumberState.COMPLETED),
            "reported_at": now,
        }
        number_store.insert_result(conn, result)
        if target == NumberState.COMPLETED and campaign and campaign["call_back_url"]:
            # queued with the result, delivered by the callback job (at least once)
            callback_store.enqueue(
                conn,
                report.campaign_id,
                vdn_id,
                campaign["call_back_url"],
                [wire_callback(result)],
                now,
            )

    def _late_result(self, owner: str, report: CallReport) -> None:
        """A result refused because its lease had lapsed still completes that attempt's
        ledger row, un-voiding it (the call happened); the number is left as it is."""
        with self.store.write() as conn:
            contacts.finish_late(
                conn,
                report.data_id,
                report.campaign_id,
                owner,
                report.call_status,
                report.fail_code,
                _amd(report),
            )

    def _report_reservation(self, owner: str, report: CallReport, now: datetime) -> NumberState:
        """A reserved call's result is kept on the reservation (appoint/list shows it)."""
        with self.store.write() as conn:
            row = reservation_store.finish_call(
                conn,
                reservations.row_id(report.data_id) or 0,
                owner,
                {
                    "call_status": report.call_status,
                    "fail_code": report.fail_code,
                    "call_id": report.call_id,
                    "executed_at": now,
                },
            )
            if row is None or row["campaign_id"] != report.campaign_id:
                raise DialerRefused(
                    DialerCode.NOT_CALLING,
                    "the reserved call is not being dialled under this key's claim",
                )
            _end_attempt(conn, report, now)
        return NumberState.COMPLETED

    def release_lapsed_claims(self) -> int:
        with self.store.write() as conn:
            return campaign_numbers.release_lapsed(conn, self.clock())
