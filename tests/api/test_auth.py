"""Signed access (docs/api.md#authentication) against the real server, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from isales.client import IsalesClient
from isales.clock import fixed_clock
from tests.support.api import (
    OBS,
    SUCCESS,
    add_numbers,
    campaign_body,
    campaigns_path,
    count,
    create_campaign,
    delete_path,
    execute_sql,
    numbers,
    rows,
)

pytestmark = pytest.mark.usefixtures("backend")

JSON_TYPE = "application/json; charset=UTF-8"
MOMENT = datetime(2026, 11, 27, 8, 0, 0, tzinfo=UTC)

EX1_PATH = "/rest/isales/v1/openapi/campaigns/12/calldata/46/delete"
EX1_BODY = b'{"customField":"batch-7","archiveHistory":1}'
EX1_AUTH = (
    "auth-v2/AKEXAMPLE0001/2026-11-27T08:00:00Z/content-type;host/"
    "51fdb0340e6c467910b8481a5d1e413eab63d3857a4a0169a480701122fd08df"
)
EX2_TARGET = (
    "/rest/isales/v1/openapi/campaigns/12"
    "?status=0&deviceType=0&curPage=1&rowsPerPage=10&name=spring%20sale"
)
EX2_AUTH = (
    "auth-v2/AKEXAMPLE0001/2026-11-27T08:00:00Z/content-type;host/"
    "74ff5024eae3e4cbb22c8ae4dc61a6d83ee8576cb01f0ffc6bda802640eb296e"
)


def body_bytes(body: dict) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def send(server, method: str, target: str, body: bytes = b"", headers: dict | None = None):
    """Exactly these bytes and headers, to the server's real port."""
    return httpx.request(
        method, server.base_url + target, content=body, headers=headers or {}, timeout=30
    )


def assert_401(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert "resultCode" not in response.json()


def key_client(server, vdns=(12,), now=None) -> IsalesClient:
    key = server.services.access.create_key(list(vdns))
    return IsalesClient(server.base_url, key.access_key, key.secret_key, now=now)


# --- refused requests: 401, nothing executed ------------------------------------------------------


def signed_create(client: IsalesClient, body: bytes, path: str | None = None, query=()):
    path = path or campaigns_path(12)
    return client.signed_headers("POST", path, list(query), body)


def case_missing(client, body):
    headers = signed_create(client, body)
    del headers["Authorization"]
    return campaigns_path(12), body, headers


def malformed(replace):
    def case(client, body):
        headers = signed_create(client, body)
        headers["Authorization"] = replace(headers["Authorization"])
        return campaigns_path(12), body, headers

    return case


def case_unknown_ak(client, body):
    other = IsalesClient(client.base_url, "AKNOSUCHKEY000000000", client.secret_key)
    return campaigns_path(12), body, signed_create(other, body)


def case_wrong_sk(client, body):
    other = IsalesClient(client.base_url, client.access_key, client.secret_key + "x")
    return campaigns_path(12), body, signed_create(other, body)


def case_tampered_body(client, body):
    headers = signed_create(client, body)
    return campaigns_path(12), body.replace(b'"deviceType":2', b'"deviceType":1'), headers


def case_appended_body(client, body):
    headers = signed_create(client, body)
    return campaigns_path(12), body + b" ", headers


def case_tampered_path(client, body):
    headers = signed_create(client, body, path=campaigns_path(13))  # the key is granted 13 too
    return campaigns_path(12), body, headers


def case_tampered_query(client, body):
    headers = signed_create(client, body)
    return campaigns_path(12) + "?x=1", body, headers


def case_tampered_content_type(client, body):
    headers = signed_create(client, body)
    headers["Content-Type"] = "application/json"
    return campaigns_path(12), body, headers


def case_tampered_host(client, body):
    headers = signed_create(client, body)
    headers["Host"] = "example.com"
    return campaigns_path(12), body, headers


def case_only_content_type_signed_then_path_changed(client, body):
    from isales import signing

    auth = signing.sign(
        client.access_key,
        client.secret_key,
        "POST",
        campaigns_path(13),
        [],
        {"Content-Type": JSON_TYPE},
        body,
        datetime.now(UTC),
    )
    return campaigns_path(12), body, {"Content-Type": JSON_TYPE, "Authorization": auth}


def case_other_method(client, body):
    headers = client.signed_headers("PUT", campaigns_path(12), [], body)
    return campaigns_path(12), body, headers


REFUSED = {
    "missing": case_missing,
    "empty": malformed(lambda a: ""),
    "garbage": malformed(lambda a: "garbage"),
    "bearer": malformed(lambda a: "Bearer " + a.rsplit("/", 1)[1]),
    "wrong-scheme": malformed(lambda a: a.replace("auth-v2", "auth-v1", 1)),
    "four-parts": malformed(lambda a: a.rsplit("/", 1)[0]),
    "bad-timestamp": malformed(lambda a: a.replace("Z/", "/", 1)),
    "impossible-timestamp": malformed(
        lambda a: (
            a.split("/")[0]
            + "/"
            + a.split("/")[1]
            + "/2026-02-30T08:00:00Z/"
            + "/".join(a.split("/")[3:])
        )
    ),
    "uppercase-signature": malformed(lambda a: a[:-64] + a[-64:].upper()),
    "short-signature": malformed(lambda a: a[:-1]),
    "unsorted-headers": malformed(lambda a: a.replace("content-type;host", "host;content-type")),
    "no-content-type": malformed(lambda a: a.replace("content-type;host", "host")),
    "unknown-ak": case_unknown_ak,
    "wrong-sk": case_wrong_sk,
    "tampered-body": case_tampered_body,
    "appended-body": case_appended_body,
    "tampered-path": case_tampered_path,
    "tampered-query": case_tampered_query,
    "tampered-content-type": case_tampered_content_type,
    "tampered-host": case_tampered_host,
    "unsigned-host-path-changed": case_only_content_type_signed_then_path_changed,
    "other-method": case_other_method,
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_and_nothing_executed(server, client, case):
    body = body_bytes(campaign_body(initStatus=1))
    path, sent_body, headers = REFUSED[case](client, body)
    before = count(server.services, "campaigns")
    response = send(server, "POST", path, sent_body, headers)
    assert_401(response)
    assert count(server.services, "campaigns") == before


def test_the_same_request_signed_correctly_is_accepted(server, client):
    """The control for the refusals above: an intact request creates the campaign."""
    body = body_bytes(campaign_body(initStatus=1))
    before = count(server.services, "campaigns")
    response = send(server, "POST", campaigns_path(12), body, signed_create(client, body))
    assert response.status_code == 200 and response.json()["resultCode"] == SUCCESS
    assert count(server.services, "campaigns") == before + 1


def test_unsigned_extra_headers_do_not_matter(server, client):
    body = body_bytes(campaign_body(initStatus=1))
    headers = {**signed_create(client, body), "X-Forwarded-For": "10.0.0.1", "User-Agent": "other"}
    response = send(server, "POST", campaigns_path(12), body, headers)
    assert response.json()["resultCode"] == SUCCESS


def test_query_order_does_not_matter(server, client):
    query = [("status", "0"), ("deviceType", "0"), ("name", "x y")]
    headers = client.signed_headers("GET", campaigns_path(12), query, b"")
    response = send(
        server, "GET", campaigns_path(12) + "?name=x%20y&deviceType=0&status=0", headers=headers
    )
    assert response.status_code == 200 and response.json()["resultCode"] == SUCCESS


def test_tampered_query_on_a_list(server, client):
    headers = client.signed_headers(
        "GET", campaigns_path(12), [("status", "0"), ("deviceType", "0")], b""
    )
    response = send(server, "GET", campaigns_path(12) + "?status=2&deviceType=0", headers=headers)
    assert_401(response)


def test_tampered_delete_deletes_nothing(server, client):
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, numbers(3, customField="b7"))
    signed = body_bytes({"customField": "other"})
    headers = client.signed_headers("POST", delete_path(campaign_id), [], signed)
    response = send(
        server, "POST", delete_path(campaign_id), body_bytes({"customField": "b7"}), headers
    )
    assert_401(response)
    assert count(server.services, "numbers", campaign_id=campaign_id) == 3


# --- the time window ---


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (timedelta(minutes=-16), False),
        (timedelta(minutes=16), False),
        (timedelta(minutes=15, seconds=1), False),
        (timedelta(minutes=-15, seconds=-1), False),
        (timedelta(days=1), False),
        (timedelta(minutes=15), True),
        (timedelta(minutes=-15), True),
        (timedelta(minutes=14), True),
        (timedelta(minutes=-14), True),
        (timedelta(0), True),
    ],
)
def test_timestamp_window(make_server, offset, accepted):
    running = make_server(clock=fixed_clock(MOMENT))
    with key_client(running, now=lambda: MOMENT + offset) as signed:
        response = signed.get(campaigns_path(12), params={"status": 0, "deviceType": 0})
    if accepted:
        assert response.status_code == 200 and response.json()["resultCode"] == SUCCESS
    else:
        assert_401(response)


def test_late_request_executes_nothing(make_server):
    running = make_server(clock=fixed_clock(MOMENT))
    with key_client(running, now=lambda: MOMENT - timedelta(minutes=16)) as late:
        response = late.post(
            campaigns_path(12),
            json=campaign_body(
                initStatus=1, strBeginTime="2026-11-28 00:00:00", strEndTime="2026-12-28 00:00:00"
            ),
        )
    assert_401(response)
    assert count(running.services, "campaigns") == 0


# --- revocation ---


def test_revoked_key_is_refused_from_the_next_request_on(server):
    with key_client(server) as signed:
        assert (
            signed.get(campaigns_path(12), params={"status": 0, "deviceType": 0}).json()[
                "resultCode"
            ]
            == SUCCESS
        )
        assert server.services.access.revoke_key(signed.access_key) is True
        assert_401(signed.get(campaigns_path(12), params={"status": 0, "deviceType": 0}))
        before = count(server.services, "campaigns")
        assert_401(signed.post(campaigns_path(12), json=campaign_body(initStatus=1)))
        assert count(server.services, "campaigns") == before
    assert server.services.access.revoke_key(signed.access_key) is False


def test_revoking_one_key_leaves_the_others(server):
    with key_client(server) as first, key_client(server) as second:
        server.services.access.revoke_key(first.access_key)
        assert_401(first.get(campaigns_path(12), params={"status": 0, "deviceType": 0}))
        assert (
            second.get(campaigns_path(12), params={"status": 0, "deviceType": 0}).json()[
                "resultCode"
            ]
            == SUCCESS
        )


def test_revoking_an_unknown_key(server):
    assert server.services.access.revoke_key("AKNOSUCHKEY") is False


# --- VDN grants: 403 ------------------------------------------------------------------------------


def test_vdn_not_granted_create(server):
    with key_client(server, vdns=(13,)) as only13:
        before = count(server.services, "campaigns", vdn_id=12)
        response = only13.post(campaigns_path(12), json=campaign_body(initStatus=1))
        assert response.status_code == 403, response.text
        assert "resultCode" not in response.json()
        assert count(server.services, "campaigns", vdn_id=12) == before
        assert (
            only13.post(campaigns_path(13), json=campaign_body(initStatus=1)).json()["resultCode"]
            == SUCCESS
        )


def test_vdn_not_granted_delete(server, client):
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, numbers(4, customField="b7"))
    with key_client(server, vdns=(13,)) as only13:
        response = only13.post(delete_path(campaign_id), json={"customField": "b7"})
    assert response.status_code == 403
    assert count(server.services, "numbers", campaign_id=campaign_id) == 4
    assert count(server.services, "number_history", campaign_id=campaign_id) == 0


def test_vdn_not_granted_dialer(server, client):
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(2))
    with key_client(server, vdns=(13,)) as only13:
        response = only13.post(
            f"{OBS}/callnos",
            json={"subCCNo": 1, "vdnId": 12, "serviceId": campaign_id, "batchCount": 10},
        )
    assert response.status_code == 403
    assert {r["state"] for r in rows(server.services, "numbers", campaign_id=campaign_id)} == {
        "pending"
    }


def test_vdn_judged_only_for_a_valid_vdn(server):
    with key_client(server, vdns=(13,)) as only13:
        answer = only13.post("/rest/isales/v1/openapi/campaigns/0", json=campaign_body()).json()
    assert answer["resultCode"] == "02000007"


def test_signature_judged_before_the_vdn(server):
    with key_client(server, vdns=(13,)) as only13:
        wrong = IsalesClient(server.base_url, only13.access_key, "not-the-secret")
        assert_401(wrong.post(campaigns_path(12), json=campaign_body()))


# --- what a refusal answers ---


def test_refusals_do_not_echo_secrets(server, client):
    body = body_bytes(campaign_body(initStatus=1))
    headers = signed_create(client, body)
    signature = headers["Authorization"].rsplit("/", 1)[1]
    tampered = send(server, "POST", campaigns_path(12), body + b" ", headers)
    wrong_sk = signed_create(
        IsalesClient(server.base_url, client.access_key, "guessed-secret"), body
    )
    wrong = send(server, "POST", campaigns_path(12), body, wrong_sk)
    with key_client(server, vdns=(13,)) as only13:
        forbidden_headers = signed_create(only13, body)
        forbidden = send(server, "POST", campaigns_path(12), body, forbidden_headers)
        only13_secret = only13.secret_key
    assert (tampered.status_code, wrong.status_code, forbidden.status_code) == (401, 401, 403)
    for response, auth in (
        (tampered, headers["Authorization"]),
        (wrong, wrong_sk["Authorization"]),
        (forbidden, forbidden_headers["Authorization"]),
    ):
        text = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        assert client.secret_key not in text
        assert only13_secret not in text
        assert "guessed-secret" not in text
        assert auth not in text
        assert auth.rsplit("/", 1)[1] not in text
        assert signature not in text
        assert set(response.json()) == {"error"}


# --- the worked examples of docs/api.md#worked-examples, byte for byte --------------------------


@pytest.fixture
def example_server(make_server):
    running = make_server(clock=fixed_clock(MOMENT))
    running.services.access.create_key(
        [12], access_key="AKEXAMPLE0001", secret_key="skexample-secret-0001"
    )
    return running


EXAMPLE_HEADERS = {"Content-Type": JSON_TYPE, "Host": "127.0.0.1:8080"}


def test_example_1_is_accepted(example_server):
    response = send(
        example_server, "POST", EX1_PATH, EX1_BODY, {**EXAMPLE_HEADERS, "Authorization": EX1_AUTH}
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["resultCode"] == answer["returnCode"] == "0200007"
    assert answer["successCount"] == 0


def test_example_2_is_accepted(example_server):
    response = send(
        example_server, "GET", EX2_TARGET, b"", {**EXAMPLE_HEADERS, "Authorization": EX2_AUTH}
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["resultCode"] == answer["returnCode"] == SUCCESS
    assert answer["totalSize"] == 0 and answer["data"] == []
    assert answer["curPage"] == 1 and answer["rowsPerPage"] == 10


def test_example_1_with_a_campaign_46(example_server):
    """With campaign 46 in VDN 12, the example deletes and archives its batch-7 numbers."""
    with IsalesClient(
        example_server.base_url, "AKEXAMPLE0001", "skexample-secret-0001", now=lambda: MOMENT
    ) as signed:
        body = campaign_body(
            initStatus=1, strBeginTime="2026-11-27 00:00:00", strEndTime="2026-12-27 00:00:00"
        )
        campaign_id = signed.post(campaigns_path(12), json=body).json()["returnObject"]["id"]
        assert campaign_id != 46
        execute_sql(
            example_server.services, f"UPDATE campaigns SET id = 46 WHERE id = {campaign_id}"
        )
        add_numbers(signed, 46, numbers(2, customField="batch-7") + numbers(1, prefix="1390000"))
    response = send(
        example_server, "POST", EX1_PATH, EX1_BODY, {**EXAMPLE_HEADERS, "Authorization": EX1_AUTH}
    )
    answer = response.json()
    assert answer["resultCode"] == SUCCESS and answer["successCount"] == 2
    assert count(example_server.services, "number_history", campaign_id=46) == 2
    archived = rows(example_server.services, "number_history", campaign_id=46)
    assert {r["archived_by"] for r in archived} == {"AKEXAMPLE0001"}


def test_example_replayed_outside_the_window_is_refused(make_server):
    running = make_server(clock=fixed_clock(MOMENT + timedelta(minutes=16)))
    running.services.access.create_key(
        [12], access_key="AKEXAMPLE0001", secret_key="skexample-secret-0001"
    )
    response = send(
        running, "POST", EX1_PATH, EX1_BODY, {**EXAMPLE_HEADERS, "Authorization": EX1_AUTH}
    )
    assert_401(response)


def test_example_with_another_host_is_refused(example_server):
    response = httpx.post(
        example_server.base_url + EX1_PATH,
        content=EX1_BODY,
        headers={"Content-Type": JSON_TYPE, "Authorization": EX1_AUTH},
    )
    assert_401(response)


# --- logs ---


def test_logs_never_contain_secrets(make_server, caplog):
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")]
    saved = [(lg, lg.level) for lg in loggers]
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="isales")
    sent: list[str] = []
    try:
        running = make_server()
        # uvicorn sets its loggers' levels when the server is configured: open them up after
        for lg in loggers:
            lg.addHandler(caplog.handler)
            lg.setLevel(logging.DEBUG)
        key = running.services.access.create_key([12])
        with IsalesClient(running.base_url, key.access_key, key.secret_key) as signed:
            body = body_bytes(campaign_body(initStatus=1))
            for headers, sent_body in (
                (signed.signed_headers("POST", campaigns_path(12), [], body), body),  # accepted
                (signed.signed_headers("POST", campaigns_path(12), [], body), body + b" "),  # 401
                (signed.signed_headers("POST", campaigns_path(13), [], body), body),  # 401
                (
                    signed.signed_headers("POST", campaigns_path(12), [], b"{bad"),
                    b"{bad",
                ),  # 02000008
            ):
                sent.append(headers["Authorization"])
                send(running, "POST", campaigns_path(12), sent_body, headers)
            headers = signed.signed_headers("POST", campaigns_path(12), [], body)
            headers["Authorization"] = headers["Authorization"].replace("content-type;host", "host")
            sent.append(headers["Authorization"])
            assert send(running, "POST", campaigns_path(12), body, headers).status_code == 401
            with key_client(running, vdns=(13,)) as only13:
                headers = only13.signed_headers("POST", campaigns_path(12), [], body)
                sent.append(headers["Authorization"])
                assert send(running, "POST", campaigns_path(12), body, headers).status_code == 403
                secrets = [key.secret_key, only13.secret_key]
        running.stop()
    finally:
        for lg, level in saved:
            lg.removeHandler(caplog.handler)
            lg.setLevel(level)

    access = [r for r in caplog.records if r.name == "uvicorn.access"]
    assert any(campaigns_path(12) in r.getMessage() for r in access), "no access log recorded"
    assert any(r.name == "isales.api" and "refused" in r.getMessage() for r in caplog.records)
    texts = (
        [caplog.text]
        + [r.getMessage() for r in caplog.records]
        + [repr(r.args) for r in caplog.records]
    )
    forbidden = secrets + sent + [auth.rsplit("/", 1)[1] for auth in sent]
    for text in texts:
        for secret in forbidden:
            assert secret not in text
