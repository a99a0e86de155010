"""`isales serve --workers N` as real processes, and key revocation across processes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from isales.client import IsalesClient
from tests.support.api import add_numbers, create_campaign, delete, numbers
from tests.support.servers import free_port

pytestmark = pytest.mark.usefixtures("backend")

ISALES = [sys.executable, "-m", "isales"]


def serve(db_url: str, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [*ISALES, "serve", "--db", db_url, "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            assert process.poll() is None, "isales serve exited"
            assert time.monotonic() < deadline, "isales serve did not answer"
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    return process, base
            except httpx.TransportError:
                time.sleep(0.1)
    except AssertionError:
        stop(process)
        raise


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_two_workers_serve_one_port_and_one_store(db_url, services):
    key = services.access.create_key([12])
    process, base = serve(db_url, "--workers", "2")
    try:
        workers = [
            child
            for child in children(process.pid)
            if "spawn_main" in Path(f"/proc/{child}/cmdline").read_text()
        ]
        assert len(workers) == 2
        with IsalesClient(base, key.access_key, key.secret_key) as client:
            campaign_id = create_campaign(client)
            # many connections, so both workers answer some; every answer is right
            added = []
            for start in range(0, 60, 20):
                with IsalesClient(base, key.access_key, key.secret_key) as fresh:
                    added += add_numbers(
                        fresh, campaign_id, numbers(20, prefix=f"13{start:02d}0", customField="w")
                    )
            assert len(set(added)) == 60
            assert (
                delete(client, campaign_id, {"customField": "w", "archiveHistory": 1})[
                    "successCount"
                ]
                == 60
            )
    finally:
        stop(process)
    assert process.returncode is not None


def test_a_revoke_holds_at_once_in_every_serving_process(db_url, services):
    key = services.access.create_key([12])
    first, first_base = serve(db_url)
    second, second_base = serve(db_url)
    try:
        clients = [
            IsalesClient(base, key.access_key, key.secret_key) for base in (first_base, second_base)
        ]
        campaign_id = create_campaign(clients[0])
        for client in clients:  # both processes have seen (and cached) the key
            assert delete(client, campaign_id, {"customField": "none"})["resultCode"] == "0200000"
        revoked = subprocess.run(
            [*ISALES, "keys", "revoke", key.access_key, "--db", db_url],
            capture_output=True,
            timeout=60,
        )
        assert revoked.returncode == 0, revoked.stderr
        for client in clients:  # the very next request, on the same connection
            answer = client.post(
                f"/rest/isales/v1/openapi/campaigns/12/calldata/{campaign_id}/delete",
                json={"customField": "none"},
            )
            assert answer.status_code == 401, answer.text
            client.close()
    finally:
        stop(first)
        stop(second)
