"""`isales dialer` and `isales serve --dialer` as real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from isales.client import IsalesClient
from isales.store import Store
from tests.support.api import MovableClock, add_numbers, create_campaign, numbers, rows
from tests.support.servers import free_port

pytestmark = pytest.mark.usefixtures("backend")

ISALES = [sys.executable, "-m", "isales"]


def wait_until(predicate, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def test_a_killed_dialer_leaves_no_number_stuck(make_server):
    clock = MovableClock()
    server = make_server(clock=clock, lease_seconds=60)
    with server.client() as admin:
        campaign_id = create_campaign(admin, init_status=0)
        add_numbers(admin, campaign_id, numbers(8))
    key = server.services.access.create_key([12])
    env = {
        **os.environ,
        "ISALES_DIALER_ACCESS_KEY": key.access_key,
        "ISALES_DIALER_SECRET_KEY": key.secret_key,
    }
    dialer = subprocess.Popen(
        [
            *ISALES,
            "dialer",
            "--server",
            server.base_url,
            "--vdn",
            "12",
            "--concurrency",
            "5",
            "--cps",
            "100",
            "--outcomes",
            "00000=1",
            "--ring",
            "0",
            "--talk",
            "3600",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def calling() -> int:
        return sum(
            r["state"] == "calling"
            for r in rows(server.services, "numbers", campaign_id=campaign_id)
        )

    try:
        wait_until(lambda: calling() == 5)
    finally:
        dialer.send_signal(signal.SIGKILL)
        dialer.wait(10)
    assert calling() == 5
    clock.advance(61)
    assert server.services.dialer.release_lapsed_claims() == 5
    left = rows(server.services, "numbers", campaign_id=campaign_id)
    assert [(r["state"], r["attempts"], r["lease_owner"]) for r in left] == [
        ("pending", 0, None)
    ] * 8
    assert rows(server.services, "call_results", campaign_id=campaign_id) == []


def test_serve_with_the_built_in_dialer(tmp_path: Path, templates, backend):
    url = templates.url(backend)
    made = subprocess.run(
        [*ISALES, "keys", "create", "--vdn", "12", "--db", url, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    key = json.loads(made.stdout)
    port = free_port()
    server = subprocess.Popen(
        [
            *ISALES,
            "serve",
            "--db",
            url,
            "--port",
            str(port),
            "--dialer",
            "--dialer-vdn",
            "12",
            "--outcomes",
            "00000=1",
            "--time-scale",
            "0",
            "--cps",
            "100",
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(base))
        with IsalesClient(base, key["accessKey"], key["secretKey"]) as admin:
            campaign_id = create_campaign(admin, init_status=0)
            add_numbers(admin, campaign_id, numbers(12))
        store = SimpleNamespace(store=Store(url))
        wait_until(lambda: {r["state"] for r in rows(store, "numbers")} == {"completed"})
        assert len(rows(store, "call_results", campaign_id=campaign_id)) == 12
        store.store.dispose()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    listed = subprocess.run(
        [*ISALES, "keys", "list", "--db", url, "--json"], capture_output=True, text=True, check=True
    )
    keys = json.loads(listed.stdout)
    dialer_keys = [k for k in keys if k["accessKey"] != key["accessKey"]]
    assert len(dialer_keys) == 1 and dialer_keys[0]["revokedAt"] is not None


def _answers(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
