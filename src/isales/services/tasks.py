"""The one engine of leased background work: file imports, blacklist file imports and
result callbacks.

A runner is one process (``owner``: host, pid and a random tag). It *leases* a unit of
work with a guarded update (``store/tasks.py``: the next row nobody else holds), works on
it outside that transaction, and records the outcome guarded by its lease; a runner that
dies leaves the work to whoever leases it once the lease has run out, so any number of
servers share a store and a restart loses nothing.

One failure policy (:class:`FailurePolicy`) for all of them: a unit of work that failed
``max_failures`` times in a row is given up, its reason kept on the row; until then it
is retried, ``retry_after`` later. For a callback a failure is a push its receiver did not
accept (counted on the row: ``pushes``); for an import task it is a chunk that raised (a
store error: counted per runner, reset by a chunk that succeeds), and the task is then
failed with a row-0 entry ``0200006`` in its error report rather than retried for ever,
which would also hold up every task queued behind it.

Work many parties share (callbacks: every VDN's receivers) is leased *fairly*
(:class:`FairShare`): a runner works on at most ``at_once`` units, at most ``per_share``
of them of one share (a VDN) and one of one lane (a receiver); the lease statement skips
the shares at their limit and the busy lanes, so one party's slow work never takes the
slots everyone else's is waiting for.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection

from ..clock import Clock
from ..store import Store
from ..store.tasks import Row

log = logging.getLogger("isales.tasks")

#: an import task whose work failed this many times in a row is given up
MAX_CONSECUTIVE_FAILURES = 3

Result = TypeVar("Result")
Lease = Callable[[Connection, str, datetime, datetime], Row | None]
#: a fair lease statement: (conn, now, until, skip) where ``skip`` maps a column to the
#: values whose rows are not to be taken now
FairLease = Callable[[Connection, datetime, datetime, Mapping[str, Collection[Any]]], Row | None]


@dataclass(frozen=True)
class FairShare:
    """How a runner shares its slots: ``at_once`` units in flight in all, at most
    ``per_share`` with one value of the column ``share`` (a VDN), at most one with one
    value of the column ``lane`` (a receiver, served in order)."""

    share: str
    per_share: int
    lane: str
    at_once: int


@dataclass(frozen=True)
class FailurePolicy:
    """What follows a failure: retry ``retry_after`` later, or give up at ``max_failures``."""

    max_failures: int
    retry_after: timedelta = timedelta(0)

    def gives_up(self, failures: int) -> bool:
        """True when ``failures`` failures in a row end the work."""
        return failures >= self.max_failures

    def next_attempt(self, now: datetime) -> datetime:
        return now + self.retry_after


def runner_name() -> str:
    """This process as a lease owner: unique among the servers sharing a store."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[-64:]


class LeasedTasks:
    """Lease, run and give up units of one kind of background work, under one policy."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        lease: timedelta,
        policy: FailurePolicy,
        fair: FairShare | None = None,
    ) -> None:
        self.store, self.clock, self.lease, self.policy = store, clock, lease, policy
        self.fair = fair
        self.owner = runner_name()
        self._failures: dict[int, int] = {}
        self._lock = threading.Lock()
        self._shares: Counter[Any] = Counter()
        self._lanes: set[Any] = set()
        self._flight_lock = threading.Lock()

    def lease_next(self, lease: Lease) -> Row | None:
        """Lease the next unit of work (``lease``: its kind's statement), in a transaction
        of its own; None when there is none."""
        now = self.clock()
        with self.store.write() as conn:
            return lease(conn, self.owner, now, now + self.lease)

    def lease_fair(self, lease: FairLease) -> Row | None:
        """Lease the next unit of work under the runner's :class:`FairShare`: None when it
        has ``at_once`` in flight, or nothing is due outside the full shares and busy lanes.
        The unit is in flight until :meth:`done`."""
        fair = self.fair
        assert fair is not None, "a fair lease needs the runner's FairShare"
        # held across the statement: two threads must not both take a share's last slot
        with self._flight_lock:
            if sum(self._shares.values()) >= fair.at_once:
                return None
            full = [share for share, n in self._shares.items() if n >= fair.per_share]
            skip = {fair.share: full, fair.lane: list(self._lanes)}
            now = self.clock()
            with self.store.write() as conn:
                row = lease(conn, now, now + self.lease, skip)
            if row is not None:
                self._shares[row[fair.share]] += 1
                self._lanes.add(row[fair.lane])
            return row

    def done(self, row: Row) -> None:
        """A unit leased by :meth:`lease_fair` is no longer in flight (finished or not)."""
        fair = self.fair
        assert fair is not None
        with self._flight_lock:
            self._shares[row[fair.share]] -= 1
            if self._shares[row[fair.share]] <= 0:
                del self._shares[row[fair.share]]
            self._lanes.discard(row[fair.lane])

    def run(
        self,
        task_id: int,
        work: Callable[[], Result],
        give_up: Callable[[str], None],
        forget: Callable[[], None] = lambda: None,
    ) -> Result:
        """Run ``work`` on a leased task under the failure policy.

        A failure forgets what this runner knew of the task (``forget``: it is rebuilt from
        the committed row), is counted, and is raised; the one that reaches the policy's
        limit first gives the task up (``give_up`` records why, guarded).
        """
        try:
            result = work()
        except Exception:
            forget()
            with self._lock:
                failures = self._failures.get(task_id, 0) + 1
                self._failures[task_id] = failures
            if self.policy.gives_up(failures):
                log.warning("task %s failed %s times in a row: given up", task_id, failures)
                with self._lock:
                    self._failures.pop(task_id, None)
                give_up("the import failed repeatedly on a store error")
            raise
        with self._lock:
            self._failures.pop(task_id, None)
        return result


class LeasedTaskRunner:
    """A service that runs leased tasks: its engine, and the engine's owner and lease."""

    tasks: LeasedTasks

    @property
    def owner(self) -> str:
        """This process as the holder of its tasks' leases."""
        return self.tasks.owner

    @property
    def lease(self) -> timedelta:
        """How long a lease lasts; renewed with every chunk."""
        return self.tasks.lease
