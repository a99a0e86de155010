"""The protections of docs/api.md#limits-and-protections on a real HTTP server: single-use
signatures, duplicate JSON keys, callback targets (SSRF) and isolation per receiver,
secrets at rest."""

from __future__ import annotations

import json
import os
import socket
import stat
import time
from datetime import datetime

import httpx
import pytest
from sqlalchemy import insert, select

from isales.api.gate import changes_data
from isales.api.route_table import ROUTES
from isales.client import IsalesClient
from isales.config import Settings
from isales.services import Services
from isales.store import schema
from isales.store.engine import make_engine
from isales.store.migrate import upgrade
from tests.support.api import (
    SUCCESS,
    add_numbers,
    assert_code,
    calldata_path,
    campaign_body,
    campaigns_path,
    count,
    create_campaign,
    delete_path,
    numbers,
    rows,
    set_status,
    template_body,
)
from tests.support.callbacks import MANUAL, Receiver, dial
from tests.support.servers import start_server
from tests.support.stores import empty_store

pytestmark = pytest.mark.usefixtures("backend")


def replay(client: IsalesClient, method: str, path: str, body: object, times: int) -> list:
    """Send one signed request ``times`` times, byte for byte."""
    raw = json.dumps(body, separators=(",", ":")).encode()
    headers = client.signed_headers(method, path, [], raw)
    return [
        httpx.request(method, client.base_url + path, content=raw, headers=headers)
        for _ in range(times)
    ]


# --- replay ------------------------------------------------------------------------


def test_a_replayed_add_adds_nothing(client, server):
    campaign_id = create_campaign(client)
    answers = replay(client, "POST", calldata_path(campaign_id), {"callDataList": numbers(20)}, 5)
    assert answers[0].json()["resultCode"] == SUCCESS
    assert [a.status_code for a in answers[1:]] == [401] * 4
    assert all(a.json() == {"error": "replayed request"} for a in answers[1:])
    assert count(server.services, "numbers", campaign_id=campaign_id) == 20


def test_a_replayed_delete_deletes_nothing_reloaded_since(client, server):
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, numbers(3, customField="batch"))
    body = {"customField": "batch", "archiveHistory": 1}
    [first] = replay(client, "POST", delete_path(campaign_id), body, 1)
    assert first.json()["resultCode"] == SUCCESS
    add_numbers(client, campaign_id, numbers(3, prefix="1390000", customField="batch"))
    raw = json.dumps(body, separators=(",", ":")).encode()
    again = httpx.post(
        client.base_url + delete_path(campaign_id), content=raw, headers=first.request.headers
    )
    assert again.status_code == 401
    assert count(server.services, "numbers", campaign_id=campaign_id) == 3


def test_a_refused_request_cannot_be_sent_again_once_it_would_succeed(client, server):
    # the signature is recorded in the request's own transaction; a refusal rolls that
    # back, and the record is then made on its own (docs/api.md, single-use signatures)
    campaign_id = create_campaign(client, init_status=0)  # executing: deletes are refused
    add_numbers(client, campaign_id, numbers(3, customField="held"))
    body = {"customField": "held"}
    [refused] = replay(client, "POST", delete_path(campaign_id), body, 1)
    assert_code(refused.json(), "0200028")
    for bad in ({"customField": "held", "archiveHistory": 7}, {"called": 5}):
        [invalid] = replay(client, "POST", delete_path(campaign_id), bad, 1)
        assert invalid.status_code == 200 and invalid.json()["resultCode"] != SUCCESS
        raw = json.dumps(bad, separators=(",", ":")).encode()
        again = httpx.post(
            client.base_url + delete_path(campaign_id), content=raw, headers=invalid.request.headers
        )
        assert again.status_code == 401 and again.json() == {"error": "replayed request"}
    assert set_status(client, campaign_id, "pause")["resultCode"] == SUCCESS
    raw = json.dumps(body, separators=(",", ":")).encode()
    again = httpx.post(
        client.base_url + delete_path(campaign_id), content=raw, headers=refused.request.headers
    )
    assert again.status_code == 401 and again.json() == {"error": "replayed request"}
    assert count(server.services, "numbers", campaign_id=campaign_id) == 3


def test_a_replay_is_refused_by_another_server_on_the_same_store(client, server):
    campaign_id = create_campaign(client)
    body = {"callDataList": numbers(1, prefix="1370000")}
    [first] = replay(client, "POST", calldata_path(campaign_id), body, 1)
    assert first.json()["resultCode"] == SUCCESS
    other = start_server(server.settings.db)
    try:
        raw = json.dumps(body, separators=(",", ":")).encode()
        path = calldata_path(campaign_id)
        again = httpx.post(other.base_url + path, content=raw, headers=first.request.headers)
        assert again.status_code == 401 and again.json() == {"error": "replayed request"}
    finally:
        other.stop()


def test_reads_and_dialer_polls_may_repeat(client, server):
    campaign_id = create_campaign(client)
    query = replay(client, "POST", f"{campaigns_path()}/callresult/{campaign_id}", {}, 3)
    assert all(a.json()["resultCode"] == SUCCESS for a in query)
    polls = replay(
        client, "POST", "/rest/isales/v1/openapi/obs/business/tasks", {"vdnId": 12, "subCCNo": 1}, 3
    )
    assert all(a.status_code == 200 and a.json()["result"] == "0" for a in polls)


#: the POST interfaces that only read: their signature may be used again in its window
READ_ONLY_POSTS = {
    "blacklist.query",
    "lifecycle.preview",
    "call_records.records_v1",
    "call_records.records_v2",
    "blackfile.query",
    "reservations.list_",
    "obs.interface",
    "obs.is_holiday",
    "file_servers.query_servers",
    "numbers.history",
    "dialer.tasks",
    "dialer.callnos",
    "results.query",
    "imports.query",
    "export.list_numbers",
    "agents.list_",
    "contacts.policy_list",
    "contacts.explain",
}


def test_every_post_interface_repeats_if_and_only_if_it_only_reads(client, server):
    """Each POST of the route table, one signature sent twice: a read answers again, a
    change is refused as a replay (whatever the body makes of the first answer)."""
    posts = [r for r in ROUTES if r.documented and "POST" in r.methods]
    assert {r.key for r in posts} >= READ_ONLY_POSTS
    wrong = []
    for route in posts:
        path = route.path
        for name in route.path_parameters:
            path = path.replace("{" + name + "}", "12" if name == "vdnId" else "1")
        first, second = replay(client, "POST", path, {}, 2)
        assert first.status_code != 401 or first.json() != {"error": "replayed request"}
        refused = second.status_code == 401 and second.json() == {"error": "replayed request"}
        if refused == (route.key in READ_ONLY_POSTS):
            wrong.append((route.key, second.status_code, second.text[:80]))
    assert wrong == []


def test_the_exemptions_are_exactly_the_listed_reads():
    v1 = "/rest/isales/v1/openapi"
    assert not changes_data("GET", f"{v1}/campaigns/12")
    assert not changes_data("POST", f"{v1}/campaigns/12/calldata/5/history")
    assert not changes_data("POST", f"{v1}/campaigns/12/calldata/5/delete/preview")
    assert not changes_data("POST", f"{v1}/obs/business/callnos")
    assert not changes_data("POST", "/rest/isales/v2/openapi/campaigns/12/callRecord")
    assert changes_data("POST", f"{v1}/campaigns/12/calldata/5/delete")
    assert changes_data("POST", f"{v1}/obs/business/call/result")
    assert changes_data("PUT", f"{v1}/campaigns/12/5/pause")
    assert changes_data("DELETE", f"{v1}/campaigns/12/5")


# --- duplicate JSON keys --------------------------------------------------------------


def test_a_duplicate_json_key_is_02000008(client, server):
    raw = b'{"customField":"keep","customField":"x","archiveHistory":1}'
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(2, customField="keep"))
    answer = client.post(delete_path(campaign_id), content=raw).json()
    assert_code(answer, "02000008")
    assert count(server.services, "numbers", campaign_id=campaign_id) == 2


# --- SSRF ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/cb",
        "http://localhost/cb",
        "http://10.1.2.3/cb",
        "http://169.254.169.254/latest",
        "http://[::1]/cb",
        "http://0.0.0.0/cb",
        "http://224.0.0.1/cb",
        "http://[::ffff:127.0.0.1]/cb",
        "http://100.64.0.1/cb",
        "http://100.100.100.200/latest/meta-data",
        "http://192.0.0.170/cb",
        "http://198.18.0.1/cb",
        "http://240.0.0.1/cb",
        "http://255.255.255.255/cb",
        "http://[64:ff9b::a00:1]/cb",
        "http://[64:ff9b::808:808]/cb",
        "http://[64:ff9b:1::1]/cb",
        "http://[2002:7f00:1::1]/cb",
        "http://[2002:808:808::1]/cb",
        "http://[::7f00:1]/cb",
        "http://[::a00:1]/cb",
        "http://[2001::1]/cb",
        "http://[2001:db8::1]/cb",
        "http://[100::1]/cb",
        "http://[fc00::1]/cb",
        "http://[fe80::1]/cb",
        "http://[ff02::1]/cb",
        "http://[3fff::1]/cb",
        "http://[5f00::1]/cb",
    ],
)
def test_a_private_callback_url_is_refused_when_set(client, url):
    assert_code(
        client.post(campaigns_path(), json=campaign_body(callBackUrl=url)).json(), "0200001"
    )
    template = template_body(callBackUrl=url)
    assert_code(client.post(campaigns_path() + "/template", json=template).json(), "0200001")


@pytest.mark.parametrize("url", ["http://8.8.8.8/cb", "http://[2606:4700:4700::1111]/cb"])
def test_a_public_callback_url_is_accepted(client, url):
    assert_code(client.post(campaigns_path(), json=campaign_body(callBackUrl=url)).json(), SUCCESS)
    template = template_body(callBackUrl=url)
    assert_code(client.post(campaigns_path() + "/template", json=template).json(), SUCCESS)


def test_a_template_copy_checks_the_callback_url_again(make_server):
    allowed = make_server(callback_allow_private=True)
    with allowed.client() as client:
        campaign_id = create_campaign(client, callBackUrl="http://100.100.100.200/latest")
    allowed.stop()
    strict = start_server(allowed.settings.db)
    try:
        with strict.client() as client:
            body = {"name": "copied", "description": "", "from": campaign_id}
            answer = client.post(campaigns_path() + "/template/copy", json=body).json()
            assert_code(answer, "0200001")
            assert count(strict.services, "campaign_templates") == 0
    finally:
        strict.stop()


def test_a_private_receiver_is_refused_again_at_delivery(make_server):
    receiver = Receiver()
    try:
        allowed = make_server(**MANUAL)
        with allowed.client() as client:
            campaign_id = create_campaign(client, init_status=0, callBackUrl=receiver.url)
            add_numbers(client, campaign_id, numbers(1))
            dial(client, campaign_id, ["6"])
        allowed.stop()
        strict = start_server(allowed.settings.db, callback_sweep_seconds=3600)
        try:
            assert strict.services.callbacks.deliver_due() == 1
            assert receiver.received == []
            [row] = rows(strict.services, "callback_outbox")
            assert "private" in row["last_error"] and row["delivered_at"] is None
        finally:
            strict.stop()
    finally:
        receiver.close()


# --- one receiver stalls nobody else -------------------------------------------------


def test_a_hanging_receiver_delays_no_other_receiver(make_server):
    hanging = socket.socket()
    hanging.bind(("127.0.0.1", 0))
    hanging.listen(16)  # accepts connections, never answers
    healthy = Receiver()
    try:
        server = make_server(**MANUAL, callback_timeout_seconds=600)
        with server.client((12, 13)) as client:
            stuck = create_campaign(
                client,
                vdn=13,
                init_status=0,
                callBackUrl=f"http://127.0.0.1:{hanging.getsockname()[1]}/cb",
            )
            fine = create_campaign(client, init_status=0, callBackUrl=healthy.url)
            add_numbers(client, stuck, numbers(5), vdn=13)
            add_numbers(client, fine, numbers(1))
            claimed = client.post(
                "/rest/isales/v1/openapi/obs/business/callnos",
                json={"subCCNo": 1, "vdnId": 13, "serviceId": stuck, "batchCount": 5},
            ).json()["resultData"]
            for item in claimed:
                client.post(
                    "/rest/isales/v1/openapi/obs/business/call/result",
                    json={
                        "subCCNo": 1,
                        "vdnId": 13,
                        "serviceId": str(stuck),
                        "uniqueId": item["uniqueId"],
                        "status": "6",
                        "failCode": "00000",
                        "callId": "c" + item["uniqueId"],
                    },
                )
            dial(client, fine, ["6"])
        assert server.services.callbacks.dispatch_due() == 2  # both receivers, at once

        def pending() -> set[int]:
            outbox = rows(server.services, "callback_outbox")
            return {r["campaign_id"] for r in outbox if r["delivered_at"] is None}

        end = time.monotonic() + 30
        while pending() != {stuck} and time.monotonic() < end:
            time.sleep(0.02)
        # delivered and recorded while the hanging receiver still holds its first push
        assert [body[0]["called"] for body in healthy.bodies] == ["13800000000"]
        assert pending() == {stuck}
    finally:
        hanging.close()
        healthy.close()


# --- secrets at rest -----------------------------------------------------------------


def test_secrets_are_not_stored_in_plain_text(server):
    key = server.services.access.create_key([12])
    stored = [r["secret_key"] for r in rows(server.services, "access_keys")]
    assert key.secret_key not in stored and all(s.startswith("gcm1.") for s in stored)
    with IsalesClient(server.base_url, key.access_key, key.secret_key) as signed:
        answer = signed.get(campaigns_path(12), params={"status": 0, "deviceType": 0}).json()
    assert answer["resultCode"] == SUCCESS


def test_the_migration_seals_plain_secrets_that_still_sign(backend, tmp_path):
    with empty_store(backend, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine, "0002")
        with engine.begin() as conn:
            conn.execute(
                insert(schema.access_keys).values(
                    access_key="AKOLD", secret_key="old-plain-secret", created_at=datetime.now()
                )
            )
            conn.execute(insert(schema.key_vdns).values(access_key="AKOLD", vdn_id=12))
        upgrade(engine)
        with engine.connect() as conn:
            [sealed] = conn.execute(select(schema.access_keys.c.secret_key)).scalars()
        engine.dispose()
        assert "old-plain-secret" not in sealed
        running = start_server(url)
        try:
            with IsalesClient(running.base_url, "AKOLD", "old-plain-secret") as signed:
                answer = signed.get(campaigns_path(12), params={"status": 0, "deviceType": 0})
            assert answer.json()["resultCode"] == SUCCESS
        finally:
            running.stop()
            running.services.close()


def test_sqlite_without_a_master_key_uses_a_0600_key_file(backend, tmp_path, monkeypatch):
    monkeypatch.delenv("ISALES_MASTER_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'own.db'}"
    if backend == "postgresql":
        from isales.secret_box import MasterKeyMissing

        with pytest.raises(MasterKeyMissing):
            Services.build(Settings(db="postgresql+psycopg://nobody@127.0.0.1:5432/none"))
        return
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    services = Services.build(Settings(db=url))
    try:
        services.access.create_key([12])
    finally:
        services.close()
    key_file = tmp_path / "own.db.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert key_file.read_bytes() not in (tmp_path / "own.db").read_bytes()


def test_the_spool_dir_must_be_an_existing_directory(tmp_path):
    """Bodies over 1 MiB are received there (api/body.py): a missing one is refused when
    the settings are read, not at the first large upload."""
    with pytest.raises(ValueError, match="is not a directory"):
        Settings(spool_dir=str(tmp_path / "missing"))
    assert Settings(spool_dir=str(tmp_path)).spool_dir == str(tmp_path)
