"""Use cases: result callbacks from the durable outbox (reference §3.3).

The dialer's result report writes the outbox row in its own transaction; delivery runs
only here, in a background job, so a slow or dead receiver never slows dialling.

One *push* (``callback_outbox.pushes`` counts them) is a delivery round: a POST of the
row's JSON array to its ``callBackUrl`` and, when that is not answered HTTP 200, one
immediate re-POST. A round neither POST of which got a 200 is a failed push; the next
one is due ``callback_retry_seconds`` later, until ``callback_max_pushes`` pushes failed:
then the row is given up (``gave_up_at``), its ``last_error`` kept.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx

from .. import events
from ..clock import Clock
from ..config import Settings
from ..store import Store
from ..store import callbacks as callback_store

log = logging.getLogger("isales.callbacks")

#: rows one sweep delivers at most
DELIVERY_BATCH = 100
#: a lease lasts two POSTs' timeouts plus this margin
LEASE_MARGIN_SECONDS = 60.0


def post(http: httpx.Client, url: str, payload: Any) -> str | None:
    """One POST: None when the receiver answered HTTP 200, else what went wrong."""
    try:
        response = http.post(url, json=payload)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return f"{type(exc).__name__}: {exc}"
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    return None


class CallbackService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def deliver_due(self, limit: int = DELIVERY_BATCH) -> int:
        """Push due rows, oldest due first, at most ``limit``; returns how many pushes."""
        leased = self.lease_next()
        if leased is None:
            return 0
        pushes = 0
        with httpx.Client(timeout=self.settings.callback_timeout_seconds) as http:
            while leased is not None:
                first = post(http, leased["url"], leased["payload"])
                error = first and post(http, leased["url"], leased["payload"])
                self.record_push(leased, delivered=error is None, error=error or first)
                pushes += 1
                leased = self.lease_next() if pushes < limit else None
        return pushes

    def lease_next(self) -> dict | None:
        """Lease the first due row for one push (None when nothing is due)."""
        now = self.clock()
        lease = 2 * self.settings.callback_timeout_seconds + LEASE_MARGIN_SECONDS
        with self.store.write() as conn:
            return callback_store.lease_next_due(conn, now, now + timedelta(seconds=lease))

    def record_push(self, leased: dict, *, delivered: bool, error: str | None) -> bool:
        """Record one push of a leased row; False when its lease was lost meanwhile."""
        now = self.clock()
        values: dict[str, Any] = {}
        if error is not None:
            values["last_error"] = error[:512]
        if delivered:
            values.update(delivered_at=now, next_attempt_at=None)
        elif leased["pushes"] + 1 >= self.settings.callback_max_pushes:
            values.update(gave_up_at=now, next_attempt_at=None)
        else:
            retry = timedelta(seconds=self.settings.callback_retry_seconds)
            values["next_attempt_at"] = now + retry
        with self.store.write() as conn:
            recorded = callback_store.record_push(conn, leased, values)
        if not recorded:
            log.warning("callback %s: lease lost before the push was recorded", leased["id"])
        elif "gave_up_at" in values:
            events.callback_given_up(
                leased["id"], leased["campaign_id"], leased["pushes"] + 1, error
            )
        elif not delivered:
            log.info("callback %s: push %s failed: %s", leased["id"], leased["pushes"] + 1, error)
        return recorded

    def outbox_waiting(self) -> tuple[int, float]:
        """Callbacks waiting for delivery, and the oldest one's age in seconds (0: none)."""
        with self.store.read() as conn:
            depth, oldest = callback_store.waiting(conn)
        age = (self.clock() - oldest).total_seconds() if oldest else 0.0
        return depth, max(age, 0.0)
