"""The dialer loop: tasks → callnos → place → call/result, over signed HTTP.

With a driver that holds agents' legs (``open_leg``; the SIP driver), agent campaigns are
dialled as docs/telephony.md#agents-progressive-preview-and-predictive-campaigns says:
every round first polls ``agents/legs`` (calls the agents whose login this dialer was
given, hangs up the legs of agents logged out, reports the legs that dropped), then claims
numbers with this process's ``dialerId``; a predictive campaign's batch comes from its
:class:`~isales.domain.pacing.Pacer` and each of its answers asks ``agents/take`` for an
agent. Any other driver dials agent campaigns like the others (the simulated driver has no
agents: it only exercises the claim).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from ..client import IsalesClient
from ..domain import dialing
from ..domain.agents import STAFFED
from ..domain.pacing import Pacer, PacingSettings, PacingSnapshot
from ..errors import DialerKeyRefused
from .driver import CallOutcome, CallRequest, CampaignRefused, Driver

log = logging.getLogger("isales.dialer")

OBS = IsalesClient.DIALER_BASE
CAMPAIGN_CACHE_SECONDS = 30.0
REPORT_ATTEMPTS = 5
#: with agents, the longest wait between rounds: a login waits for our ``legs`` poll
AGENT_POLL_SECONDS = 1.0
_DEFAULT_PACING = PacingSettings()


def leg_key(vdn_id: int, work_no: str) -> str:
    """The driver's name of an agent's leg: workNos are unique within a VDN only."""
    return f"{vdn_id}:{work_no}"


def _wire_id(data_id: str) -> int | str:
    """A dataId as the agent interfaces take it (an integer)."""
    return int(data_id) if data_id.isdigit() else data_id


def _work_no(key: str) -> str:
    return key.split(":", 1)[1]


def pacing_settings(campaign: dict[str, Any]) -> PacingSettings:
    """A campaign's pacing settings from its detail (percent on the wire), defaults for
    what it does not show."""

    def read(name: str, default: float) -> float:
        value = campaign.get(name)
        return default if value is None else float(value)

    try:
        return PacingSettings(
            abandon_target=read("abandonTarget", _DEFAULT_PACING.abandon_target * 100) / 100,
            abandon_cap=read("abandonCap", _DEFAULT_PACING.abandon_cap * 100) / 100,
            min_agents_predictive=int(
                read("minAgentsPredictive", _DEFAULT_PACING.min_agents_predictive)
            ),
            agent_wait_seconds=read("agentWaitSeconds", _DEFAULT_PACING.agent_wait_seconds),
        )
    except ValueError:
        log.warning("campaign %s: dialing settings out of range, defaults used", campaign.get("id"))
        return _DEFAULT_PACING


class Dialer:
    """Dials the VDNs it is given, at most ``concurrency`` calls at once.

    Priority: campaigns are served in the order ``tasks`` lists them (priority first),
    so a higher-priority campaign gets the free lines first. A paused campaign stops
    being listed, so no new number of it is claimed; calls in flight finish and report.
    """

    def __init__(
        self,
        client_factory: Callable[[], IsalesClient],
        vdn_ids: list[int],
        driver: Driver,
        concurrency: int = 10,
        calls_per_second: float = 5.0,
        poll_seconds: float = 0.5,
        idle_max_seconds: float = 10.0,
    ) -> None:
        self.client_factory = client_factory
        self.vdn_ids = vdn_ids
        self.driver = driver
        self.concurrency = concurrency
        self.min_gap = 1.0 / calls_per_second if calls_per_second > 0 else 0.0
        self.poll_seconds = poll_seconds
        self.idle_max_seconds = max(idle_max_seconds, poll_seconds)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._in_flight = 0
        self._last_start = 0.0
        self._campaigns: dict[int, tuple[float, dict[str, Any]]] = {}
        #: campaign -> why the driver refused it (logged once per reason)
        self._refused: dict[int, str] = {}
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="call")
        self.placed = 0
        self.reported = 0
        #: this process, to the server: it holds agents' legs and is handed their numbers
        self.dialer_id = str(uuid.uuid4())
        self._with_agents = callable(getattr(driver, "open_leg", None))
        if self._with_agents:
            self.idle_max_seconds = min(self.idle_max_seconds, AGENT_POLL_SECONDS)
        self._logins = ThreadPoolExecutor(max_workers=4, thread_name_prefix="login")
        self._logging_in: set[str] = set()  # leg keys being called now
        #: per VDN, the latest ``agents/legs`` answer
        self._agents: dict[int, list[dict[str, Any]]] = {}
        self._pacers: dict[int, Pacer] = {}
        #: predictive calls in flight not yet answered: campaign -> dataId -> start
        self._ringing: dict[int, dict[str, float]] = {}
        self._waiting: dict[int, int] = {}  # answers waiting for an agent, per campaign
        self._abandon: dict[int, tuple[float, int, int]] = {}  # stats: (read at, live, abandoned)

    @property
    def client(self) -> IsalesClient:
        if not hasattr(self._local, "client"):
            self._local.client = self.client_factory()
        return self._local.client

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def run(self, stop: threading.Event) -> None:
        """Dial until ``stop`` is set, then let the calls in flight finish and report.

        An idle round doubles the wait before the next (up to ``idle_max_seconds``); a
        refused key (HTTP 401/403) ends the run with :class:`DialerKeyRefused`.
        """
        idle_wait = self.poll_seconds
        try:
            while not stop.is_set() and self._fatal() is None:
                try:
                    started = self.step()
                except httpx.HTTPStatusError as exc:
                    if exc.response.status_code in (401, 403):
                        raise DialerKeyRefused(
                            f"the server refused access key {self.client.access_key} "
                            f"(HTTP {exc.response.status_code}: {exc.response.text[:100]}); "
                            "check the key, its secret and its VDN grants"
                        ) from None
                    log.warning("server error: %s", exc)
                    started = 0
                except httpx.HTTPError as exc:
                    log.warning("server unreachable: %s", exc)
                    started = 0
                if started:
                    idle_wait = self.poll_seconds
                else:
                    stop.wait(idle_wait)
                    idle_wait = min(idle_wait * 2, self.idle_max_seconds)
        finally:
            self._pool.shutdown(wait=True)
            self._logins.shutdown(wait=True)
            if self._with_agents:
                self._release_legs()
        fatal = self._fatal()
        if fatal is not None:
            raise fatal

    def _fatal(self) -> BaseException | None:
        """The driver's reason to stop dialling (e.g. the SIP trunk refuses our credentials)."""
        return getattr(self.driver, "fatal", None)

    def _lines(self) -> int:
        """Calls that may be in flight now: ours, or fewer when the driver says so."""
        limit = getattr(self.driver, "line_limit", None)
        driver_limit = limit() if limit is not None else None
        return self.concurrency if driver_limit is None else min(self.concurrency, driver_limit)

    def _admitted(self, vdn_id: int, campaign_id: int) -> bool:
        """Whether the driver accepts the campaign (asked again when its detail is re-read)."""
        admit = getattr(self.driver, "admit", None)
        if admit is None:
            return True
        cached = self._campaigns.get(campaign_id)
        fresh = cached is None or time.monotonic() - cached[0] >= CAMPAIGN_CACHE_SECONDS
        if not fresh:
            return campaign_id not in self._refused
        campaign = self._campaign(vdn_id, campaign_id)
        try:
            admit(campaign)
        except CampaignRefused as exc:
            reason = str(exc)
            if self._refused.get(campaign_id) != reason:
                log.error(
                    "campaign %s refused, none of its numbers claimed: %s", campaign_id, reason
                )
            self._refused[campaign_id] = reason
            return False
        if self._refused.pop(campaign_id, None) is not None:
            log.info("campaign %s accepted again", campaign_id)
        return True

    def step(self) -> int:
        """One round over the VDNs' dialable campaigns; returns the calls started."""
        started = 0
        for vdn_id in self.vdn_ids:
            if self._with_agents:
                self._sync_legs(vdn_id)
            for campaign_id in self._tasks(vdn_id):
                if self._fatal() is not None:
                    return started
                free = self._lines() - self.in_flight
                if free <= 0:
                    return started
                if not self._admitted(vdn_id, campaign_id):
                    continue
                count = self._batch(vdn_id, campaign_id, free)
                if count <= 0:
                    continue
                for item in self._claim(vdn_id, campaign_id, count):
                    self._start(vdn_id, campaign_id, item)
                    started += 1
        return started

    # --- agents -----------------------------------------------------------------------------
    def _device(self, vdn_id: int, campaign_id: int) -> int:
        return int(self._campaign(vdn_id, campaign_id).get("deviceType") or 0)

    def _agent_campaign(self, vdn_id: int, campaign_id: int) -> bool:
        return self._with_agents and self._device(vdn_id, campaign_id) in dialing.AGENT_MODES

    def _sync_legs(self, vdn_id: int) -> None:
        """Poll ``agents/legs`` and act: logins to call, legs to drop, drops to report."""
        driver: Any = self.driver
        for key in driver.legs_dropped():
            vdn, _, work_no = key.partition(":")
            self._agent_event(int(vdn), work_no, "down")
        try:
            answer = self._post(f"{OBS}/agents/legs", {"vdnId": vdn_id, "dialerId": self.dialer_id})
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code in (401, 403):
                raise
            log.warning("agents/legs failed for VDN %s: %s", vdn_id, exc)
            return
        if answer.get("result") != "0":
            log.warning("agents/legs refused for VDN %s: %s", vdn_id, answer)
            return
        agents = list((answer.get("resultData") or {}).get("agents") or [])
        self._agents[vdn_id] = agents
        listed = {str(a["workNo"]): a for a in agents}
        for work_no, agent in listed.items():
            key = leg_key(vdn_id, work_no)
            if agent.get("login") and key not in self._logging_in:
                self._logging_in.add(key)
                self._logins.submit(self._login, vdn_id, work_no, str(agent["sipUri"]))
        prefix = f"{vdn_id}:"
        for key in driver.legs_up():
            if not key.startswith(prefix) or key in self._logging_in:
                continue
            agent = listed.get(_work_no(key))
            if agent is None or agent.get("state") == "LOGGED_OUT" or not agent.get("holder"):
                log.info("agent %s logged out: its leg is hung up", _work_no(key))
                driver.close_leg(key)

    def _login(self, vdn_id: int, work_no: str, sip_uri: str) -> None:
        key = leg_key(vdn_id, work_no)
        try:
            up = self.driver.open_leg(key, sip_uri)  # type: ignore[attr-defined]
            self._agent_event(vdn_id, work_no, "up" if up else "failed")
        except Exception:
            log.exception("login of agent %s failed", work_no)
        finally:
            self._logging_in.discard(key)

    def _agent_event(self, vdn_id: int, work_no: str, event: str, **extra: Any) -> dict[str, Any]:
        body = {"vdnId": vdn_id, "dialerId": self.dialer_id, "workNo": work_no, "event": event}
        try:
            answer = self._post(f"{OBS}/agents/event", {**body, **extra})
        except httpx.HTTPError as exc:
            log.warning("agent %s event %s not reported: %s", work_no, event, exc)
            return {}
        if answer.get("result") != "0":
            log.warning("agent %s event %s refused: %s", work_no, event, answer)
        return answer

    def _release_legs(self) -> None:
        """On the way out: hang up every leg and tell the server the agents are gone."""
        driver: Any = self.driver
        for key in sorted(driver.legs_up()):
            driver.close_leg(key)
            vdn, _, work_no = key.partition(":")
            self._agent_event(int(vdn), work_no, "down")

    def _take(self, vdn_id: int, campaign_id: int, data_id: str) -> str | None:
        """``agents/take`` for one answered predictive call: the leg of the agent, or None."""
        ringing = self._ringing.get(campaign_id, {})
        with self._lock:
            if ringing.pop(data_id, None) is not None:
                self._waiting[campaign_id] = self._waiting.get(campaign_id, 0) + 1
        body = {
            "vdnId": vdn_id,
            "dialerId": self.dialer_id,
            "serviceId": campaign_id,
            "dataId": _wire_id(data_id),
        }
        answer = self._post(f"{OBS}/agents/take", body)
        if answer.get("result") != "0":
            log.warning("agents/take refused for %s: %s", data_id, answer)
            return None
        work_no = (answer.get("resultData") or {}).get("workNo")
        return leg_key(vdn_id, str(work_no)) if work_no else None

    def _batch(self, vdn_id: int, campaign_id: int, free: int) -> int:
        """How many numbers to claim: the free lines, or the pacer's count (predictive)."""
        if not self._agent_campaign(vdn_id, campaign_id):
            return free
        if self._device(vdn_id, campaign_id) != dialing.PREDICTIVE:
            return free  # the server hands at most one number per READY agent of ours
        campaign = self._campaign(vdn_id, campaign_id)
        pacer = self._pacers.get(campaign_id)
        settings = pacing_settings(campaign)
        if pacer is None or pacer.settings != settings:
            pacer = self._pacers[campaign_id] = Pacer(settings)
        agents = [
            a
            for a in self._agents.get(vdn_id, [])
            if a.get("holder") and campaign_id in {int(c) for c in a.get("campaignIds") or []}
        ]
        live, abandoned = self._abandon_figures(vdn_id, campaign_id)
        now = time.monotonic()
        with self._lock:
            ringing = [now - t for t in self._ringing.get(campaign_id, {}).values()]
            waiting = self._waiting.get(campaign_id, 0)
        snapshot = PacingSnapshot(
            staffed_agents=sum(1 for a in agents if a.get("state") in STAFFED),
            ready_agents=sum(1 for a in agents if a.get("state") == "READY"),
            agents_freeing=0,  # wrap-up ends are not known here; talking ends never are
            ringing=ringing,
            answers_waiting=waiting,
            live_answers=live,
            abandoned=min(abandoned, live),
        )
        return min(pacer.decide(snapshot, now).dials, free)

    def _abandon_figures(self, vdn_id: int, campaign_id: int) -> tuple[int, int]:
        """The campaign's live answers and abandoned calls over its window (statistics,
        read at most every CAMPAIGN_CACHE_SECONDS; zeros until the server shows them)."""
        cached = self._abandon.get(campaign_id)
        if cached and time.monotonic() - cached[0] < CAMPAIGN_CACHE_SECONDS:
            return cached[1], cached[2]
        live = abandoned = 0
        try:
            answer = self.client.get(
                f"/rest/isales/v2/openapi/campaigns/{vdn_id}/statistics",
                params={"campaignId": str(campaign_id)},
            ).json()
            entries = (
                answer.get("countDetail")
                or (answer.get("resultData") or {}).get("countDetail")
                or []
            )
            for entry in entries:
                if str(entry.get("campaignId")) == str(campaign_id):
                    live = int(entry.get("liveAnswerCount") or 0)
                    abandoned = int(entry.get("abandonCount") or 0)
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.debug("statistics of campaign %s not read: %s", campaign_id, exc)
            if cached:
                return cached[1], cached[2]
        self._abandon[campaign_id] = (time.monotonic(), live, abandoned)
        return live, abandoned

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def _tasks(self, vdn_id: int) -> list[int]:
        answer = self._post(f"{OBS}/tasks", {"subCCNo": 1, "vdnId": vdn_id})
        if answer.get("result") != "0":
            log.warning("tasks refused for VDN %s: %s", vdn_id, answer)
            return []
        return [int(task["serviceId"]) for task in answer["resultData"]["taskData"]]

    def _claim(self, vdn_id: int, campaign_id: int, count: int) -> list[dict[str, Any]]:
        body: dict[str, Any] = {
            "subCCNo": 1,
            "vdnId": vdn_id,
            "serviceId": campaign_id,
            "batchCount": min(count, 100),
        }
        if self._agent_campaign(vdn_id, campaign_id):
            body["dialerId"] = self.dialer_id
        answer = self._post(f"{OBS}/callnos", body)
        if answer.get("result") != "0":
            log.warning("claim refused for campaign %s: %s", campaign_id, answer)
            return []
        return answer["resultData"]

    def _campaign(self, vdn_id: int, campaign_id: int) -> dict[str, Any]:
        cached = self._campaigns.get(campaign_id)
        if cached and time.monotonic() - cached[0] < CAMPAIGN_CACHE_SECONDS:
            return cached[1]
        answer = self.client.get(f"/rest/isales/v1/openapi/campaigns/{vdn_id}/{campaign_id}").json()
        detail = answer.get("returnObject") or {}
        self._campaigns[campaign_id] = (time.monotonic(), detail)
        return detail

    def _start(self, vdn_id: int, campaign_id: int, item: dict[str, Any]) -> None:
        wait = self._last_start + self.min_gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_start = time.monotonic()
        campaign = self._campaign(vdn_id, campaign_id)
        call = CallRequest(
            campaign_id=campaign_id,
            data_id=item["uniqueId"],
            numbers=item["phoneNumber"],
            caller=item["callerNumber"],
            call_data=item["callData"],
            max_alerting_seconds=int(campaign.get("maxAlertingTime") or 60),
            **self._agent_fields(vdn_id, campaign_id, item),
        )
        with self._lock:
            self._in_flight += 1
        self._pool.submit(self._place_and_report, vdn_id, call)

    def _agent_fields(self, vdn_id: int, campaign_id: int, item: dict[str, Any]) -> dict[str, Any]:
        """An agent campaign's call: the agent reserved for it, or how to take one."""
        if not self._agent_campaign(vdn_id, campaign_id):
            return {}
        wait = pacing_settings(self._campaign(vdn_id, campaign_id)).agent_wait_seconds
        data_id = str(item["uniqueId"])
        if item.get("workNo"):
            work_no = str(item["workNo"])

            def bridged(_key: str) -> None:
                self._agent_event(vdn_id, work_no, "talking", dataId=_wire_id(data_id))

            return {
                "work_no": leg_key(vdn_id, work_no),
                "agent_wait_seconds": wait,
                "bridged": bridged,
            }
        with self._lock:
            self._ringing.setdefault(campaign_id, {})[data_id] = time.monotonic()
        return {
            "take_agent": lambda: self._take(vdn_id, campaign_id, data_id),
            "agent_wait_seconds": wait,
        }

    def _call_ended(self, call: CallRequest, outcome: CallOutcome | None) -> None:
        """A predictive call is no longer ringing nor waiting; the pacer learns its outcome."""
        if call.take_agent is None:
            return
        data_id = str(call.data_id)
        with self._lock:
            ringing = self._ringing.get(call.campaign_id, {})
            if ringing.pop(data_id, None) is None:  # it was answered, and waited
                self._waiting[call.campaign_id] = max(self._waiting.get(call.campaign_id, 1) - 1, 0)
        pacer = self._pacers.get(call.campaign_id)
        if pacer is not None and outcome is not None:
            ring_ms = (outcome.detail or {}).get("ringMs") or 0
            pacer.record_outcome(bool(outcome.answered), ring_ms / 1000)

    def _place_and_report(self, vdn_id: int, call: CallRequest) -> None:
        outcome: CallOutcome | None = None
        try:
            if call.for_agent:
                # this thread's client is made before the call rings: an answer's agents/take
                # (or talking event) then costs one request, not a client's set-up too
                assert self.client is not None
            outcome = self.driver.place(call)
            self.placed += 1
            body = {
                "subCCNo": 1,
                "vdnId": vdn_id,
                "serviceId": str(call.campaign_id),
                "uniqueId": call.data_id,
                "status": outcome.status,
                "failCode": outcome.fail_code,
                "callId": outcome.call_id,
                "phoneNumber": call.numbers[0],
                "fetchTime": outcome.ring_started,
                "writeStartTime": outcome.answered,
                "endCallTime": outcome.ended,
                **(outcome.detail or {}),
            }
            if outcome.work_no:
                body["workNo"] = _work_no(outcome.work_no)
            for attempt in range(REPORT_ATTEMPTS):
                try:
                    answer = self._post(f"{OBS}/call/result", body)
                except httpx.HTTPError as exc:
                    log.warning("report of %s failed (%s), retrying", call.data_id, exc)
                    time.sleep(min(2**attempt, 10))
                    continue
                if answer.get("result") == "0":
                    self.reported += 1
                else:  # e.g. the lease ran out: the number went back and will be dialled again
                    log.warning("result for %s refused: %s", call.data_id, answer)
                return
        except Exception:
            log.exception("call %s failed", call.data_id)
        finally:
            self._call_ended(call, outcome)
            with self._lock:
                self._in_flight -= 1
