"""Access log, business events and /metrics of a real `isales serve` (docs/operations.md#logs)."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from tests.support.api import (
    SUCCESS,
    add_numbers,
    claim,
    create_campaign,
    delete,
    numbers,
    report,
    set_status,
)
from tests.support.processes import clean_env, start_serve
from tests.support.servers import free_port

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture(scope="module")
def live(db_url, tmp_path_factory):
    server = start_serve(
        db_url,
        tmp_path_factory.mktemp("observe"),
        "--log-format",
        "json",
        env=clean_env(ISALES_CALLBACK_ALLOW_PRIVATE="true"),  # the receiver is on loopback
    )
    yield server
    server.stop()


def scrape(url: str) -> dict[str, float]:
    """Samples of the text format: 'name{labels}' -> value (without *_created samples)."""
    text = httpx.get(f"{url}/metrics").text
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            if not name.split("{")[0].endswith("_created"):
                samples[name] = float(value)
    return samples


def moved(before: dict[str, float], after: dict[str, float], prefix: str) -> dict[str, float]:
    return {
        name: after[name] - before.get(name, 0.0)
        for name in after
        if name.startswith(prefix) and after[name] != before.get(name, 0.0)
    }


def test_counters_move_by_exactly_one_delete_one_claim_one_result(live):
    client = live.client(12)
    closed_port = free_port()  # the callback receiver is down: the push stays in the outbox
    campaign = create_campaign(
        client, init_status=1, callBackUrl=f"http://127.0.0.1:{closed_port}/cb"
    )
    add_numbers(client, campaign, numbers(5, customField="gone") + numbers(1, prefix="1390000"))
    before = scrape(live.url)

    assert (
        delete(client, campaign, {"customField": "gone", "archiveHistory": 1})["resultCode"]
        == SUCCESS
    )
    assert set_status(client, campaign, "resume")["resultCode"] == SUCCESS
    claimed = claim(client, campaign, 1)
    assert len(claimed) == 1
    assert report(client, campaign, claimed[0]["uniqueId"], status="6")["result"] == "0"

    after = scrape(live.url)
    assert moved(before, after, "isales_numbers_deleted_total") == {
        'isales_numbers_deleted_total{archived="1"}': 5.0
    }
    assert moved(before, after, "isales_dialer_claims_total") == {"isales_dialer_claims_total": 1.0}
    assert moved(before, after, "isales_call_results_total") == {
        'isales_call_results_total{status="6"}': 1.0
    }
    assert after["isales_callback_outbox_depth"] == before["isales_callback_outbox_depth"] + 1
    assert after["isales_callback_outbox_oldest_age_seconds"] >= 0
    requests = moved(before, after, "isales_requests_total")
    route = "/rest/isales/v1/openapi/campaigns/{vdnId}/calldata/{campaignId}/delete"
    assert (
        requests[f'isales_requests_total{{method="POST",result_code="0200000",route="{route}"}}']
        == 1.0
    )


def test_metrics_labels_carry_no_tenant_data(live):
    client = live.client(12)
    campaign = create_campaign(client)
    client.get(f"/rest/isales/v1/openapi/campaigns/12/calldata/{campaign}/424242")
    text = httpx.get(f"{live.url}/metrics").text
    assert "424242" not in text and f"/{campaign}/" not in text and "/12/" not in text
    for key in live.keys:
        assert key["accessKey"] not in text


def test_result_code_is_counted_not_only_the_http_status(live):
    client = live.client(12)
    campaign = create_campaign(client, init_status=0)
    before = scrape(live.url)
    refused = delete(client, campaign, {"customField": "x"})
    assert refused["resultCode"] == "0200028"
    after = scrape(live.url)
    changed = moved(before, after, "isales_requests_total")
    assert any('result_code="0200028"' in name and "/delete" in name for name in changed), changed


def log_records(live) -> list[dict]:
    return [json.loads(line) for line in live.log_lines() if line.startswith("{")]


def logged(live, predicate) -> list[dict]:  # type: ignore[no-untyped-def]
    """The JSON log records once one matches ``predicate`` (a line is written after the
    answer is sent, so it may lag the answer a little)."""
    deadline = time.monotonic() + 30
    while True:
        records = log_records(live)
        if any(predicate(r) for r in records):
            return records
        assert time.monotonic() < deadline, "the expected log line was not written"
        time.sleep(0.05)


def test_one_json_line_per_request_with_result_code_and_access_key(live):
    key = live.key(12)
    from isales.client import IsalesClient

    client = IsalesClient(live.url, key["accessKey"], key["secretKey"])
    campaign = create_campaign(client, init_status=0)
    answer = client.post(
        f"/rest/isales/v1/openapi/campaigns/12/calldata/{campaign}/delete",
        json={"customField": "x"},
    )
    request_id = answer.headers["x-request-id"]
    records = logged(live, lambda r: r.get("request_id") == request_id)
    line = next(r for r in records if r.get("request_id") == request_id)
    assert line["logger"] == "isales.access"
    assert line["method"] == "POST"
    assert line["path"] == f"/rest/isales/v1/openapi/campaigns/12/calldata/{campaign}/delete"
    assert line["status"] == 200 and line["result_code"] == "0200028"
    assert line["access_key"] == key["accessKey"]
    assert isinstance(line["duration_ms"], float)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line["time"])


def test_business_events_are_their_own_lines(live):
    client = live.client(12)
    campaign = create_campaign(client, init_status=1)
    add_numbers(client, campaign, numbers(3, customField="b"))
    delete(client, campaign, {"customField": "b"})
    set_status(client, campaign, "resume")
    set_status(client, campaign, "pause")
    client.delete(f"/rest/isales/v1/openapi/campaigns/12/{campaign}")
    records = logged(
        live, lambda r: r.get("event") == "campaign.deleted" and r.get("campaign_id") == campaign
    )
    events = [r for r in records if r.get("campaign_id") == campaign and "event" in r]
    names = [e["event"] for e in events]
    assert names == [
        "campaign.status",
        "numbers.deleted",
        "campaign.status",
        "campaign.status",
        "campaign.deleted",
    ]
    assert events[0]["operation"] == "create" and events[0]["status"] == 3
    assert events[1]["deleted"] == 3 and events[1]["archived"] is False
    assert [e["operation"] for e in events[2:4]] == ["resume", "pause"]


def test_no_secret_reaches_the_log(live):
    client = live.client(12)
    create_campaign(client)
    client.get("/rest/isales/v1/openapi/campaigns/12", params={"status": 0, "deviceType": 0})
    text = live.log.read_text()
    for key in live.keys:
        assert key["secretKey"] not in text
    assert "auth-v2/" not in text


def test_healthz_and_readyz_are_unsigned(live):
    assert httpx.get(f"{live.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{live.url}/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


def test_metrics_off(db_url, tmp_path):
    server = start_serve(db_url, tmp_path, env=clean_env(ISALES_METRICS="off"))
    try:
        assert httpx.get(f"{server.url}/metrics").status_code == 404
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()


def test_text_log_format(db_url, tmp_path):
    server = start_serve(db_url, tmp_path)
    try:
        client = server.client(12)
        answer = client.get(
            "/rest/isales/v1/openapi/campaigns/12", params={"status": 0, "deviceType": 0}
        )
        request_id = answer.headers["x-request-id"]
        server.stop()
        line = next(line for line in server.log_lines() if request_id in line)
        assert "isales.access GET /rest/isales/v1/openapi/campaigns/12 200 0200000" in line
    finally:
        server.stop()


def test_metrics_in_multiprocess_mode(db_url, tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR (several workers), a scrape reads the shared folder."""
    shared = tmp_path / "metrics"
    shared.mkdir()
    server = start_serve(db_url, tmp_path, env=clean_env(PROMETHEUS_MULTIPROC_DIR=str(shared)))
    try:
        client = server.client(12)
        client.get("/rest/isales/v1/openapi/campaigns/12", params={"status": 0, "deviceType": 0})
        samples = scrape(server.url)
        route = "/rest/isales/v1/openapi/campaigns/{vdnId}"
        key = f'isales_requests_total{{method="GET",result_code="0200000",route="{route}"}}'
        assert samples[key] == 1.0
        assert "isales_callback_outbox_depth" in samples
        assert any(shared.iterdir())  # the processes' values live in the shared folder
    finally:
        server.stop()


def test_metrics_are_summed_over_workers(db_url, tmp_path):
    server = start_serve(db_url, tmp_path, "--workers", "2")
    try:
        client = server.client(12)
        for _ in range(20):
            client.get(
                "/rest/isales/v1/openapi/campaigns/12", params={"status": 0, "deviceType": 0}
            )
        route = "/rest/isales/v1/openapi/campaigns/{vdnId}"
        key = f'isales_requests_total{{method="GET",result_code="0200000",route="{route}"}}'
        deadline = time.monotonic() + 30
        while scrape(server.url).get(key) != 20.0:  # whichever worker answers the scrape
            assert time.monotonic() < deadline, scrape(server.url).get(key)
            time.sleep(0.1)
    finally:
        server.stop()
