"""Callback delivery is fair across VDNs (docs/api.md#limits-and-protections), against a
real `isales serve`: one VDN whose receivers all hang never delays another VDN's callbacks."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from isales.client import IsalesClient
from isales.config import Settings
from isales.services import Services
from tests.support.api import add_numbers, claim, create_campaign, numbers, report
from tests.support.callbacks import Receiver
from tests.support.processes import serving, wait_until

pytestmark = pytest.mark.usefixtures("backend")

HANGING_RECEIVERS = 40
#: the defaults: 32 pushes per process at once, 8 of them for one VDN
MAX_RECEIVERS = Settings.model_fields["callback_max_receivers"].default
PER_VDN = Settings.model_fields["callback_max_per_vdn"].default


class Hanging:
    """Receivers that accept every connection, read the request and never answer a byte;
    they count the connections open at once (the server's pushes in flight)."""

    def __init__(self, count: int) -> None:
        self.sockets = []
        for _ in range(count):
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            self.sockets.append(listener)
        self.accepted: list[socket.socket] = []
        self.open = 0
        self.peak = 0
        self._lock = threading.Lock()
        for listener in self.sockets:
            threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self.accepted.append(connection)
                self.open += 1
                self.peak = max(self.peak, self.open)
            threading.Thread(target=self._hold, args=(connection,), daemon=True).start()

    def _hold(self, connection: socket.socket) -> None:
        try:
            while connection.recv(65536):
                pass
        except OSError:
            pass
        with self._lock:
            self.open -= 1

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{s.getsockname()[1]}/cb" for s in self.sockets]

    def in_flight(self) -> int:
        with self._lock:
            return self.open

    def close(self) -> None:
        for listener in self.sockets:
            with contextlib.suppress(OSError):  # wakes the thread in accept()
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            for connection in self.accepted:
                connection.close()


@pytest.fixture
def hanging() -> Iterator[Hanging]:
    receivers = Hanging(HANGING_RECEIVERS)
    yield receivers
    receivers.close()


@pytest.fixture
def healthy() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


def test_a_vdn_whose_receivers_hang_delays_no_other_vdns_callbacks(
    db_url, tmp_path, hanging, healthy
):
    assert HANGING_RECEIVERS > MAX_RECEIVERS > PER_VDN  # enough to take every thread
    services = Services.build(Settings(db=db_url))
    try:
        key = services.access.create_key([12, 13])
    finally:
        services.close()
    settings = {"callback_allow_private": True, "callback_sweep_seconds": 0.2}
    with (
        serving(db_url, tmp_path, **settings) as served,
        IsalesClient(served.base_url, key.access_key, key.secret_key) as client,
    ):
        # VDN 13: one result for each of 40 receivers that never answer
        for url in hanging.urls:
            campaign = create_campaign(client, vdn=13, init_status=0, callBackUrl=url)
            add_numbers(client, campaign, numbers(1), vdn=13)
            [item] = claim(client, campaign, 1, vdn=13)
            assert report(client, campaign, item["uniqueId"], vdn=13) == {"result": "0"}
        fine = create_campaign(client, init_status=0, callBackUrl=healthy.url)
        add_numbers(client, fine, numbers(1))
        [item] = claim(client, fine, 1)
        # VDN 13 holds its share of the pushes, each waiting 10 s for an answer
        wait_until(lambda: hanging.in_flight() >= PER_VDN)

        reported = time.monotonic()
        assert report(client, fine, item["uniqueId"]) == {"result": "0"}
        wait_until(lambda: healthy.received != [], seconds=60)
        delay = time.monotonic() - reported
        print(
            f"\nanother VDN's callback delivered {delay:.2f} s after its result, while "
            f"{HANGING_RECEIVERS} receivers of one VDN hang "
            f"({hanging.in_flight()} of their pushes in flight, at most {hanging.peak} at once)"
        )
        assert [body[0]["called"] for body in healthy.bodies] == [numbers(1)[0]["called"]]
        assert delay < 2.0
        # the hanging VDN never had more than its share of the pushes at once
        assert hanging.peak == PER_VDN
