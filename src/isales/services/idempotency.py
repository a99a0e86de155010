"""Idempotency keys (docs/api.md, "Idempotency keys"): run a request once, answer its duplicates.

``begin`` decides what a request carrying a key does: run (it holds the key's row), replay
the stored answer, or stop with 0209002. A duplicate that arrives while the first request
runs waits for the stored answer; if the first request's server died (its lease lapsed)
the duplicate takes the key over and runs instead.

The lease is short (``idempotency_lease_seconds``) and renewed every eighth of it by a
heartbeat thread of the process that runs the request, for as long as it runs: a live
server's key is never taken over, a dead server's lapses within one lease.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clock import Clock
from ..config import Settings
from ..domain.idempotency import KeyState
from ..errors import IdempotencyKeyReused
from ..store import Store
from ..store import idempotency as key_store

#: seconds between two looks at a key another request is running
POLL_SECONDS = 0.05
#: expired keys removed per statement batch
PURGE_BATCH = 1000
#: renewals per lease: a live runner renews its key this many times before it could lapse
RENEWALS_PER_LEASE = 8


@dataclass(frozen=True)
class Fingerprint:
    """What must match for a request to be "the same request"."""

    access_key: str
    key: str
    method: str
    path: str
    body_sha256: str


@dataclass(frozen=True)
class Run:
    """This request runs; its answer is stored under ``owner``."""

    fingerprint: Fingerprint
    owner: str


@dataclass(frozen=True)
class Replay:
    status: int
    media_type: str
    body: str


class IdempotencyService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        self._running: set[Run] = set()
        self._guard = threading.Lock()
        self._heartbeat: threading.Thread | None = None

    def _lease_until(self) -> datetime:
        return self.clock() + timedelta(seconds=self.settings.idempotency_lease_seconds)

    def _hold(self, run: Run) -> Run:
        """Renew ``run``'s lease from now until it is finished or abandoned."""
        with self._guard:
            self._running.add(run)
            if self._heartbeat is None:
                self._heartbeat = threading.Thread(
                    target=self._renew_while_running, name="idempotency-heartbeat", daemon=True
                )
                self._heartbeat.start()
        return run

    def _drop(self, run: Run) -> None:
        with self._guard:
            self._running.discard(run)

    def _renew_while_running(self) -> None:
        interval = self.settings.idempotency_lease_seconds / RENEWALS_PER_LEASE
        while True:
            time.sleep(interval)
            with self._guard:
                held = [
                    (run.fingerprint.access_key, run.fingerprint.key, run.owner)
                    for run in self._running
                ]
                if not held:
                    self._heartbeat = None
                    return
            try:
                with self.store.write() as conn:
                    key_store.renew(conn, held, self._lease_until())
            except Exception:  # noqa: BLE001 - a store hiccup: the next beat tries again
                continue

    def _row_values(self, fingerprint: Fingerprint, vdn_id: int | None, owner: str) -> dict:
        now = self.clock()
        return {
            "access_key": fingerprint.access_key,
            "key": fingerprint.key,
            "vdn_id": vdn_id,
            "method": fingerprint.method,
            "path": fingerprint.path,
            "body_sha256": fingerprint.body_sha256,
            "owner": owner,
            "lease_until": self._lease_until(),
            "created_at": now,
            "expires_at": now + timedelta(seconds=self.settings.idempotency_ttl_seconds),
        }

    def begin(self, fingerprint: Fingerprint, vdn_id: int | None) -> Run | Replay:
        owner = uuid.uuid4().hex
        values = self._row_values(fingerprint, vdn_id, owner)
        while True:
            with self.store.write() as conn:
                if key_store.claim(conn, values):
                    return self._hold(Run(fingerprint, owner))
                row = key_store.get(conn, fingerprint.access_key, fingerprint.key)
                if row is None:
                    continue  # released between our insert and our read: try again
                now = self.clock()
                if row["expires_at"] <= now or (
                    row["state"] == KeyState.RUNNING and row["lease_until"] < now
                ):
                    values = self._row_values(fingerprint, vdn_id, owner)
                    if key_store.take_over(
                        conn, fingerprint.access_key, fingerprint.key, row["owner"], now, values
                    ):
                        return self._hold(Run(fingerprint, owner))
                    continue
                if (row["method"], row["path"], row["body_sha256"]) != (
                    fingerprint.method,
                    fingerprint.path,
                    fingerprint.body_sha256,
                ):
                    raise IdempotencyKeyReused(
                        "Idempotency-Key already used for a different request; nothing was executed"
                    )
                if row["state"] == KeyState.DONE:
                    return Replay(
                        row["response_status"], row["response_type"], row["response_body"]
                    )
            time.sleep(POLL_SECONDS)

    def finish(self, run: Run, status: int, media_type: str, body: str) -> None:
        # renewed until the answer is stored: a lapse in between would let a retry run it again;
        # never after (a key whose answer could not be stored must lapse, not live for ever)
        try:
            with self.store.write() as conn:
                key_store.complete(
                    conn,
                    run.fingerprint.access_key,
                    run.fingerprint.key,
                    run.owner,
                    status,
                    media_type,
                    body,
                )
        finally:
            self._drop(run)

    def abandon(self, run: Run) -> None:
        """The request ended without an answer worth keeping: a retry runs afresh."""
        try:
            with self.store.write() as conn:
                key_store.release(conn, run.fingerprint.access_key, run.fingerprint.key, run.owner)
        finally:
            self._drop(run)

    def purge_expired(self) -> int:
        removed, now = 0, self.clock()
        while True:
            with self.store.write() as conn:
                batch = key_store.purge_expired(conn, now, PURGE_BATCH)
            removed += batch
            if batch < PURGE_BATCH:
                return removed
