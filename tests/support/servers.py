"""A real uvicorn server on a free loopback port, in a thread of the test process."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC

import uvicorn

from isales.api.app import create_app
from isales.client import IsalesClient
from isales.clock import Clock, system_clock
from isales.config import Settings
from isales.services import Services


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    base_url: str
    services: Services
    settings: Settings
    clock: Clock
    _server: uvicorn.Server
    _thread: threading.Thread

    def client(self, vdns: tuple[int, ...] = (12,)) -> IsalesClient:
        """A client signing with a new key, on the server's clock."""
        key = self.services.access.create_key(list(vdns))
        return IsalesClient(
            self.base_url,
            key.access_key,
            key.secret_key,
            now=lambda: self.clock().replace(tzinfo=UTC),
        )

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_server(db_url: str, clock: Clock = system_clock, **settings: object) -> RunningServer:
    """A real uvicorn server on a free port, in a thread of this process."""
    config = Settings(db=db_url, **settings)
    app = create_app(config, clock=clock)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    return RunningServer(
        f"http://127.0.0.1:{port}", app.state.services, config, clock, server, thread
    )
