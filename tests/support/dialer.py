"""The built-in dialer against a test server, on a simulated driver that never waits."""

from __future__ import annotations

import time
from datetime import UTC

from isales.client import IsalesClient
from isales.dialer import Dialer, SimulatedDriver


def make_dialer(server, driver, concurrency=5) -> Dialer:  # type: ignore[no-untyped-def]
    key = server.services.access.create_key([12])
    return Dialer(
        lambda: IsalesClient(
            server.base_url,
            key.access_key,
            key.secret_key,
            now=lambda: server.clock().replace(tzinfo=UTC),
        ),
        [12],
        driver,
        concurrency=concurrency,
        calls_per_second=1000,
        poll_seconds=0.02,
    )


def instant(outcomes=None) -> SimulatedDriver:  # type: ignore[no-untyped-def]
    return SimulatedDriver(
        outcomes or {"00000": 1}, ring_seconds=(1, 1), talk_seconds=(1, 1), time_scale=0, seed=1
    )


def wait_until(predicate, seconds=30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)
