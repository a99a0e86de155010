"""`kill -9` of `isales serve` at random moments (docs/api.md#how-the-test-suite-proves-it).

An archived delete of 50,000 numbers is all or nothing, and live + history stays what it
was; an import killed repeatedly resumes from its committed chunks and imports no row
twice. Each runs at least ``KILLS`` times per store.
"""

from __future__ import annotations

import base64
import random
import signal
import threading
import time
from datetime import datetime, timedelta

import httpx
import pytest

from isales.client import IsalesClient
from isales.services import Services
from tests.support.api import count, create_campaign, delete_path, execute_sql, rows
from tests.support.processes import serving
from tests.support.stores import fill_campaign

pytestmark = pytest.mark.usefixtures("backend")

KILLS = 5
NUMBERS = 50_000
IMPORT_ROWS = 30_000


def send_and_kill(served, request, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """Start ``request`` in a thread, kill -9 the server ``seconds`` later."""
    worker = threading.Thread(target=request, daemon=True)
    worker.start()
    time.sleep(seconds)
    served.process.send_signal(signal.SIGKILL)
    served.process.wait(30)
    worker.join(30)


def test_an_archived_delete_killed_at_random_is_all_or_nothing(db_url, services, tmp_path):
    chance = random.Random()
    for _ in range(KILLS):
        with serving(db_url, tmp_path) as served:
            with served.client() as signed:
                campaign_id = create_campaign(signed)
            fill_campaign(services, campaign_id, NUMBERS, "doomed")

            def delete(campaign_id: int = campaign_id, served=served) -> None:  # type: ignore[no-untyped-def]
                with served.client() as signed:
                    try:
                        signed.post(
                            delete_path(campaign_id),
                            json={"customField": "doomed", "archiveHistory": 1},
                        )
                    except httpx.HTTPError:
                        pass  # killed under it

            send_and_kill(served, delete, chance.uniform(0.05, 2.0))
        live = count(services, "numbers", campaign_id=campaign_id)
        archived = count(services, "number_history", campaign_id=campaign_id)
        assert live + archived == NUMBERS
        assert (live, archived) in ((NUMBERS, 0), (0, NUMBERS))


def test_an_import_killed_at_random_resumes_without_a_row_twice(db_url, services, tmp_path):
    chance = random.Random()
    content = "called\n" + "".join(f"17{n:09d}\n" for n in range(IMPORT_ROWS))
    body = {"fileName": "n.csv", "fileContent": base64.b64encode(content.encode()).decode()}
    with serving(db_url, tmp_path, import_sweep_seconds=0.05) as served:
        with served.client() as signed:
            campaign_id = create_campaign(signed)
            path = f"/rest/isales/v1/openapi/campaigns/12/calldatafile/upload/{campaign_id}"
            answer = signed.post(path, json=body).json()
            task_id = answer["returnObject"]["taskId"]
        send_and_kill(served, lambda: None, chance.uniform(0.1, 1.0))
    progress = [_done(services, task_id)]
    for _ in range(KILLS - 1):
        # the dead server's lease would run out in a minute: let it run out now
        past = (datetime.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
        execute_sql(
            services, f"UPDATE import_tasks SET leased_until = '{past}' WHERE id = {task_id}"
        )
        with serving(db_url, tmp_path, import_sweep_seconds=0.05) as served:
            send_and_kill(served, lambda: None, chance.uniform(0.3, 1.0))
        progress.append(_done(services, task_id))
    assert min(progress) < IMPORT_ROWS, progress  # at least one kill interrupted it
    execute_sql(services, f"UPDATE import_tasks SET leased_until = NULL WHERE id = {task_id}")
    with serving(db_url, tmp_path, import_sweep_seconds=0.05) as served:
        with served.client() as signed:
            _wait_finished(signed, campaign_id, task_id)
    [task] = rows(services, "import_tasks", id=task_id)
    assert (task["status"], task["success_rows"], task["failed_rows"]) == (
        "finished",
        IMPORT_ROWS,
        0,
    )
    called = [r["called"] for r in rows(services, "numbers", campaign_id=campaign_id)]
    assert len(called) == IMPORT_ROWS and len(set(called)) == IMPORT_ROWS


def _wait_finished(signed: IsalesClient, campaign_id: int, task_id: int) -> None:
    path = f"/rest/isales/v1/openapi/campaigns/12/calldatafile/queryDataImportTask/{campaign_id}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        task = signed.post(path, json={"taskId": task_id}).json()["returnObject"]
        if task["status"] in ("finished", "failed"):
            return
        time.sleep(0.2)
    raise AssertionError("the import did not finish")


def _done(services: Services, task_id: int) -> int:
    [task] = rows(services, "import_tasks", id=task_id)
    return task["success_rows"] + task["failed_rows"]
