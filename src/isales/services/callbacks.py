"""Use cases: result callbacks from the durable outbox (docs/api.md#result-callbacks).

The dialer's result report writes the outbox row in its own transaction; delivery runs
only here, in a background job, so a slow or dead receiver never slows dialling.

One *push* (``callback_outbox.pushes`` counts them) is a delivery round: a POST of the
row's JSON array to its ``callBackUrl`` and, when that is not answered HTTP 200, one
immediate re-POST. A round neither POST of which got a 200 is a failed push; the next
one is due ``callback_retry_seconds`` later, until ``callback_max_pushes`` pushes failed:
then the row is given up (``gave_up_at``), its ``last_error`` kept.

Receivers and VDNs are isolated (docs/api.md#limits-and-protections): a receiver is one
``callBackUrl``; each is served by at most one push at a time per process, its rows
oldest first; different receivers are served at once, up to ``callback_max_receivers``
pushes per process, of which at most ``callback_max_per_vdn`` for one VDN. The engine
leases fairly (``FairShare`` in :mod:`.tasks`): the next row is the oldest due one outside
the busy receivers and the VDNs at their share, and a push is leased only when a thread is
free for it, so a VDN whose receivers all hang holds up only its own rows. Every POST goes
to the address :mod:`.callback_targets` checked.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as first_of
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Connection

from .. import events
from ..clock import Clock
from ..config import Settings
from ..store import Store
from ..store import callbacks as callback_store
from ..store.tasks import Row
from . import callback_targets
from .tasks import FailurePolicy, FairShare, LeasedTasks

log = logging.getLogger("isales.callbacks")

#: rows one sweep delivers at most
DELIVERY_BATCH = 100
#: a lease lasts two POSTs' timeouts plus this margin
LEASE_MARGIN_SECONDS = 60.0


def post(http: httpx.Client, url: str, payload: Any, allow_private: bool) -> str | None:
    """One POST: None when the receiver answered HTTP 200, else what went wrong."""
    try:
        target = callback_targets.check(url, allow_private)
    except callback_targets.UnsafeTarget as exc:
        return str(exc)
    try:
        response = http.post(
            target.url,
            json=payload,
            headers={"Host": target.host_header},
            extensions={"sni_hostname": target.server_name},
        )
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return f"{type(exc).__name__}: {exc}"
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    return None


class _Budget:
    """Pushes still allowed in one ``deliver_due``, shared by its receivers' deliveries."""

    def __init__(self, pushes: int) -> None:
        self._left = pushes
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self._left += 1


class CallbackService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        self._closed = False
        self._pool = ThreadPoolExecutor(
            max_workers=settings.callback_max_receivers, thread_name_prefix="callback"
        )
        #: a lease lasts a round's two POSTs plus a margin; a round the receiver did not
        #: accept is retried ``callback_retry_seconds`` later, up to ``callback_max_pushes``
        lease = 2 * settings.callback_timeout_seconds + LEASE_MARGIN_SECONDS
        self.tasks = LeasedTasks(
            store,
            clock,
            timedelta(seconds=lease),
            FailurePolicy(
                settings.callback_max_pushes, timedelta(seconds=settings.callback_retry_seconds)
            ),
            FairShare(
                share="vdn_id",
                per_share=settings.callback_max_per_vdn,
                lane="url",
                at_once=settings.callback_max_receivers,
            ),
        )

    def deliver_due(self, limit: int = DELIVERY_BATCH, wait: bool = True) -> int:
        """Push due rows, at most ``limit``, each receiver's oldest due first.

        Returns how many pushes were made, or, without ``wait``, how many were started
        (they go on in the background, and each one finished starts the next due push).
        """
        budget = _Budget(limit)
        if not wait:
            return len(self._start(budget, refill=True))
        pushes = 0
        running: set[Future[int]] = set()
        while True:
            running.update(self._start(budget, refill=False))
            if not running:
                return pushes
            finished, running = first_of(running, return_when=FIRST_COMPLETED)
            pushes += sum(future.result() for future in finished)

    def dispatch_due(self) -> int:
        """The background job: start the due deliveries, never wait for a receiver."""
        return self.deliver_due(wait=False)

    def _start(self, budget: _Budget, refill: bool) -> list[Future[int]]:
        """Lease due rows fairly while a thread is free for them, and push each on one."""
        started = []
        while not self._closed and budget.take():
            leased = self.tasks.lease_fair(self._lease_due)
            if leased is None:
                budget.give_back()
                break
            started.append(self._pool.submit(self._push, leased, budget, refill))
        return started

    def _lease_due(
        self, conn: Connection, now: datetime, until: datetime, skip: Mapping[str, Collection[Any]]
    ) -> Row | None:
        return callback_store.lease_next_due(conn, now, until, skip=skip)

    def _push(self, leased: Row, budget: _Budget, refill: bool) -> int:
        """One push of a leased row; then, in the background, the next due push."""
        allow_private = self.settings.callback_allow_private
        url = leased["url"]
        try:
            with httpx.Client(timeout=self.settings.callback_timeout_seconds) as http:
                first = post(http, url, leased["payload"], allow_private)
                error = first and post(http, url, leased["payload"], allow_private)
            self.record_push(leased, delivered=error is None, error=error or first)
        except Exception:
            log.exception("callback delivery to a receiver failed")
        finally:
            self.tasks.done(leased)
        if refill:
            try:
                self._start(budget, refill=True)
            except Exception:
                log.exception("starting the next callback delivery failed")
        return 1

    def lease_next(self, url: str | None = None) -> Row | None:
        """Lease the first due row (of one receiver) for one push (None: nothing due)."""
        return self.tasks.lease_next(
            lambda conn, owner, now, until: callback_store.lease_next_due(conn, now, until, url)
        )

    def close(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def record_push(self, leased: Row, *, delivered: bool, error: str | None) -> bool:
        """Record one push of a leased row; False when its lease was lost meanwhile."""
        now = self.clock()
        values: dict[str, Any] = {}
        if error is not None:
            values["last_error"] = error[:512]
        if delivered:
            values.update(delivered_at=now, next_attempt_at=None)
        elif self.tasks.policy.gives_up(leased["pushes"] + 1):
            values.update(gave_up_at=now, next_attempt_at=None)
        else:
            values["next_attempt_at"] = self.tasks.policy.next_attempt(now)
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
