"""The dialer against a real server: idle backoff, and a refused key ends it (operations.md)."""

from __future__ import annotations

import threading

import pytest

from isales.client import IsalesClient
from isales.dialer import Dialer, SimulatedDriver
from isales.errors import DialerKeyRefused
from tests.support.processes import ISALES, clean_env, one_line_failure

pytestmark = pytest.mark.usefixtures("backend")


class CountedStop(threading.Event):
    """A stop event that records each wait the dialer asks for, and stops after ``rounds``."""

    def __init__(self, rounds: int) -> None:
        super().__init__()
        self.rounds = rounds
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout or 0.0)
        if len(self.waits) >= self.rounds:
            self.set()
        return self.is_set()


def dialer_for(server, secret: str | None = None) -> Dialer:  # type: ignore[no-untyped-def]
    key = server.services.access.create_key([12])
    return Dialer(
        lambda: IsalesClient(server.base_url, key.access_key, secret or key.secret_key),
        [12],
        SimulatedDriver(time_scale=0),
        poll_seconds=0.5,
        idle_max_seconds=10.0,
    )


def test_an_idle_dialer_doubles_its_wait_up_to_the_cap(server):
    stop = CountedStop(rounds=7)
    dialer_for(server).run(stop)
    assert stop.waits == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_a_refused_key_ends_the_run(server):
    with pytest.raises(DialerKeyRefused, match="HTTP 401"):
        dialer_for(server, secret="wrong").run(CountedStop(rounds=3))


def test_isales_dialer_exits_with_one_line_on_a_refused_key(server, tmp_path):
    import subprocess

    key = server.services.access.create_key([13])  # not granted VDN 12: 403
    for secret, status in (("not-the-secret", "HTTP 401"), (key.secret_key, "HTTP 403")):
        env = clean_env(ISALES_DIALER_ACCESS_KEY=key.access_key, ISALES_DIALER_SECRET_KEY=secret)
        result = subprocess.run(
            [*ISALES, "dialer", "--server", server.base_url, "--vdn", "12"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        line = one_line_failure(result, 3)
        assert status in line and key.access_key in line and secret not in line
