"""An erasure that reads many large stored import files keeps its promise (nothing of the
number left, files included) without making another tenant wait (docs/api.md, "Erasure").
"""

from __future__ import annotations

import base64
import threading
import time

import pytest

from isales.client import IsalesClient
from isales.config import Settings
from isales.services import Services
from tests.support.api import SUCCESS, calldata_path, create_campaign, rows
from tests.support.processes import serving

pytestmark = pytest.mark.usefixtures("backend")

NUMBER = "8613912345678"
FILES = 24
ROWS_PER_FILE = 100_000
OTHER_TENANT_BOUND_SECONDS = 1.0


def big_file(n: int) -> bytes:
    """A CSV of ``ROWS_PER_FILE`` numbers with the erased one last, so a reader must read
    all of it."""
    lines = [f"1{n:02d}{row:08d}" for row in range(ROWS_PER_FILE - 1)]
    return ("called\n" + "\n".join(lines) + f"\n{NUMBER}\n").encode()


def test_erasure_over_large_files_keeps_other_tenants_waiting_under_a_second(
    db_url, tmp_path, backend
):
    services = Services.build(Settings(db=db_url))
    try:
        other = services.access.create_key([13])
    finally:
        services.close()
    # no import runs (the sweep is an hour away): the files stay stored
    with serving(db_url, tmp_path, import_sweep_seconds=3600) as served:
        with served.client() as signed:
            campaign_id = create_campaign(signed)
            path = f"/rest/isales/v1/openapi/campaigns/12/calldatafile/upload/{campaign_id}"
            task_ids = []
            for n in range(FILES):
                body = {
                    "fileName": f"n{n}.csv",
                    "fileContent": base64.b64encode(big_file(n)).decode(),
                }
                answer = signed.post(path, json=body).json()
                assert answer["resultCode"] == SUCCESS, answer
                task_ids.append(answer["returnObject"]["taskId"])
        with IsalesClient(served.base_url, other.access_key, other.secret_key) as tenant:
            other_campaign = create_campaign(tenant, vdn=13)

        latencies: list[float] = []
        erasing = threading.Event()
        erased = threading.Event()

        def add_in_the_other_vdn() -> None:
            with IsalesClient(served.base_url, other.access_key, other.secret_key) as tenant:
                n = 0
                while not erased.is_set():
                    n += 1
                    body = {"callDataList": [{"called": f"1390{n:07d}"}]}
                    started = time.monotonic()
                    answer = tenant.post(calldata_path(other_campaign, 13), json=body)
                    took = time.monotonic() - started
                    assert answer.json()["resultCode"] == SUCCESS, answer.text
                    if erasing.is_set():
                        latencies.append(took)
                    time.sleep(0.02)

        adder = threading.Thread(target=add_in_the_other_vdn, daemon=True)
        adder.start()
        with served.client() as signed:
            erasing.set()
            started = time.monotonic()
            receipt = signed.post(
                "/rest/isales/v1/openapi/campaigns/12/erasure", json={"called": NUMBER}
            ).json()
            took = time.monotonic() - started
            erased.set()
            # nothing re-added: the suppression refuses the number
            again = signed.post(
                calldata_path(campaign_id), json={"callDataList": [{"called": NUMBER}]}
            ).json()
            assert again["resultCode"] == "0200024", again
        adder.join(60)
    print(
        f"\nerasure over {FILES} stored files of {ROWS_PER_FILE:,} rows: {took:.2f} s; "
        f"{len(latencies)} adds of another VDN meanwhile, worst {max(latencies):.3f} s ({backend})"
    )
    assert receipt["resultCode"] == SUCCESS, receipt
    assert receipt["removed"]["importFiles"] == FILES
    assert len(latencies) >= 3
    if backend == "sqlite":
        assert max(latencies) < OTHER_TENANT_BOUND_SECONDS
    services = Services.build(Settings(db=db_url))
    try:
        for task_id in task_ids:
            [task] = rows(services, "import_tasks", id=task_id)
            assert task["content"] is None and task["status"] == "failed"
        assert not rows(services, "numbers", called=NUMBER)
        assert len(rows(services, "numbers", campaign_id=other_campaign)) >= len(latencies)
    finally:
        services.close()
