"""`isales serve --dialer --driver sip`: the SIP dialer runs as a child process of the server
(sippy needs a main thread of its own), with the server's settings, and stops with it."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from isales.client import IsalesClient
from isales.store import Store
from tests.helpers import add_numbers, rows
from tests.live import clean_env, isales, ok, start_serve
from tests.support.sipp import (
    Sipp,
    _udp_free,
    free_rtp_range,
    free_udp_port,
    notification_campaign,
    wait_until,
)

pytestmark = pytest.mark.usefixtures("backend")


def test_serve_starts_and_stops_the_sip_dialer_as_a_child(templates, backend, tmp_path):
    url = templates.url(backend)
    carrier = Sipp("carrier_bynumber.xml", tmp_path)
    sip_port = free_udp_port()
    config = tmp_path / "isales.toml"
    config.write_text(f'[sip]\ntrunk = "{carrier.trunk}"\nrtp_ports = "{free_rtp_range()}"\n')
    env = clean_env(ISALES_SIP_BIND=f"127.0.0.1:{sip_port}", ISALES_PROMPTS_DIR=str(tmp_path))
    server = start_serve(
        url,
        tmp_path,
        "--config",
        str(config),
        "--dialer",
        "--dialer-vdn",
        "12",
        "--driver",
        "sip",
        env=env,
    )
    store = SimpleNamespace(store=Store(url))
    try:
        key = server.key(12)
        with IsalesClient(server.url, key["accessKey"], key["secretKey"]) as admin:
            campaign_id = notification_campaign(admin, tmp_path)
            add_numbers(admin, campaign_id, [{"called": f"486{n:05d}"} for n in range(3)])
        wait_until(
            lambda: len(rows(store, "call_results", campaign_id=campaign_id)) == 3, 60, "results"
        )
        assert not _udp_free(sip_port)  # the child dialer holds the SIP port
    finally:
        server.stop()
        store.store.dispose()
    carrier.stop()
    assert "isales dialer stopped: 3 calls placed, 3 reported" in server.log.read_text()
    results = rows(SimpleNamespace(store=Store(url)), "call_results", campaign_id=campaign_id)
    assert {(r["fail_code"], r["telephony"]["sipCode"]) for r in results} == {("00537", 486)}
    wait_until(lambda: _udp_free(sip_port), 10, "the child dialer gone")
    listed = json.loads(ok(isales("keys", "list", "--db", url, "--json", cwd=tmp_path)).stdout)
    builtin = [k for k in listed if k["accessKey"] != key["accessKey"]]
    assert len(builtin) == 1 and builtin[0]["revokedAt"] is not None
