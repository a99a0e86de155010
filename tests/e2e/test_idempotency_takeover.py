"""A keyed request whose server is killed mid-request is taken over by its retry on another
server within one lease, and its effect happens once (docs/api.md, "Idempotency keys")."""

from __future__ import annotations

import signal
import threading
import time
import uuid

import httpx
import pytest

from isales.client import IsalesClient
from isales.config import Settings
from isales.services import Services
from tests.support.api import SUCCESS, count, create_campaign, delete_path, rows
from tests.support.processes import serving
from tests.support.stores import fill_campaign

pytestmark = pytest.mark.usefixtures("backend")

NUMBERS = 50_000  # an archived delete of these takes seconds: long enough to be killed in
TAKEOVER_BOUND_SECONDS = 10


def key_row(services: Services, key: str) -> dict | None:
    found = rows(services, "idempotency_keys", key=key)
    return found[0] if found else None


def test_a_killed_servers_key_is_taken_over_and_runs_once(db_url, services, tmp_path):
    key = uuid.uuid4().hex
    body = {"customField": "doomed", "archiveHistory": 1}
    with serving(db_url, tmp_path) as first, serving(db_url, tmp_path) as second:
        with first.client() as signed:
            campaign_id = create_campaign(signed)
        fill_campaign(services, campaign_id, NUMBERS, "doomed")

        def send_to_first() -> None:
            with first.client() as signed:
                try:
                    signed.post(
                        delete_path(campaign_id), json=body, headers={"Idempotency-Key": key}
                    )
                except httpx.HTTPError:
                    pass  # killed under it

        worker = threading.Thread(target=send_to_first, daemon=True)
        worker.start()
        deadline = time.monotonic() + 30
        while (row := key_row(services, key)) is None:
            assert time.monotonic() < deadline, "the first server never took the key"
            time.sleep(0.01)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(30)
        died = time.monotonic()
        worker.join(30)
        # killed mid-request: its transaction rolled back, the key is still running
        assert count(services, "number_history", campaign_id=campaign_id) == 0
        assert count(services, "numbers", campaign_id=campaign_id) == NUMBERS
        assert key_row(services, key)["state"] == "running"

        answers: list[httpx.Response] = []

        def retry_on_second() -> None:
            same_key = IsalesClient(second.base_url, first.access_key, first.secret_key)
            with same_key:
                answers.append(
                    same_key.post(
                        delete_path(campaign_id),
                        json=body,
                        headers={"Idempotency-Key": key},
                    )
                )

        retry = threading.Thread(target=retry_on_second, daemon=True)
        retry.start()
        while (now := key_row(services, key)) is not None and now["owner"] == row["owner"]:
            assert time.monotonic() - died < 60, "the key was never taken over"
            time.sleep(0.05)
        taken_over = time.monotonic() - died
        retry.join(120)
        answered = time.monotonic() - died
    print(
        f"\nkey taken over {taken_over:.1f} s after the first server's death "
        f"(lease {Settings().idempotency_lease_seconds} s); answered after {answered:.1f} s"
    )
    assert taken_over < TAKEOVER_BOUND_SECONDS
    [answer] = answers
    assert answer.status_code == 200 and "idempotent-replayed" not in answer.headers
    assert answer.json()["resultCode"] == SUCCESS
    assert answer.json()["successCount"] == NUMBERS
    # the effect happened exactly once
    assert count(services, "numbers", campaign_id=campaign_id) == 0
    assert count(services, "number_history", campaign_id=campaign_id) == NUMBERS
    deletes = [
        e
        for e in services.audit.entries(vdn_id=12)
        if e["operation"] == "number-delete" and f'"campaignId":{campaign_id}' in e["detail"]
    ]
    assert len(deletes) == 1
    assert key_row(services, key)["state"] == "done"
