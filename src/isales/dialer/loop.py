"""The dialer loop: tasks → callnos → place → call/result, over signed HTTP."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from ..client import IsalesClient
from ..errors import DialerKeyRefused
from .driver import CallRequest, CampaignRefused, Driver

log = logging.getLogger("isales.dialer")

OBS = IsalesClient.DIALER_BASE
CAMPAIGN_CACHE_SECONDS = 30.0
REPORT_ATTEMPTS = 5


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
            for campaign_id in self._tasks(vdn_id):
                if self._fatal() is not None:
                    return started
                free = self._lines() - self.in_flight
                if free <= 0:
                    return started
                if not self._admitted(vdn_id, campaign_id):
                    continue
                for item in self._claim(vdn_id, campaign_id, free):
                    self._start(vdn_id, campaign_id, item)
                    started += 1
        return started

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
        body = {
            "subCCNo": 1,
            "vdnId": vdn_id,
            "serviceId": campaign_id,
            "batchCount": min(count, 100),
        }
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
        )
        with self._lock:
            self._in_flight += 1
        self._pool.submit(self._place_and_report, vdn_id, call)

    def _place_and_report(self, vdn_id: int, call: CallRequest) -> None:
        try:
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
            with self._lock:
                self._in_flight -= 1
