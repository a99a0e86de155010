"""The limits of docs/api.md#limits-and-protections against a real `isales serve` process:
each limit gets the hostile input, the answer is checked, the server's resident memory
stays bounded, and a normal signed request is served meanwhile."""

from __future__ import annotations

import base64
import json
import resource
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from isales.client import IsalesClient
from isales.config import Settings
from isales.services import Services
from tests.support.api import (
    SUCCESS,
    assert_code,
    campaign_body,
    campaigns_path,
    count,
    create_campaign,
)
from tests.support.processes import Served, _answers, new_key, serving, wait_until
from tests.support.servers import free_port

pytestmark = pytest.mark.usefixtures("backend")

ISALES = [sys.executable, "-m", "isales"]
UPLOAD = "/rest/isales/v1/openapi/campaigns/12/calldatafile/upload/{}"
#: resident memory a server may gain under an attack (a body it buffered would exceed it)
RSS_MARGIN = 60 * 1024 * 1024


@pytest.fixture(scope="module")
def server(db_url, tmp_path_factory) -> Iterator[Served]:
    with serving(
        db_url, tmp_path_factory.mktemp("serve"), header_timeout_seconds=2, body_timeout_seconds=2
    ) as running:
        yield running


@pytest.fixture(scope="module", autouse=True)
def many_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096 <= hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (4096, hard))


def read_answer(sock: socket.socket) -> tuple[int, bytes]:
    """Status and everything up to the server closing the connection."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    status = int(data.split(b" ", 2)[1]) if data else 0
    return status, data


def closed_by_server(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
        return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


# --- memory before authentication --------------------------------------------------


def test_unsigned_uploads_are_refused_before_their_body_is_read(server):
    before = server.rss()
    socks = []
    for _ in range(16):
        sock = server.connect()
        sock.sendall(
            (
                f"POST {UPLOAD.format(1)} HTTP/1.1\r\nHost: x\r\n"
                "Content-Type: application/json; charset=UTF-8\r\n"
                f"Authorization: auth-v2/NOSUCHKEY/2026-11-27T08:00:00Z/content-type/{'0' * 64}\r\n"
                f"Content-Length: {90 * 1024 * 1024}\r\n\r\n"
            ).encode()
        )
        socks.append(sock)
    server.still_serves()  # while 16 attackers are connected
    chunk = b"x" * 65536
    for sock in socks:  # the server reads at most 64 KiB, answers, and closes
        try:
            for _ in range(64):
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
    answers = [read_answer(sock) for sock in socks]
    assert all(status == 401 for status, _ in answers), answers[0]
    assert all(b"connection: close" in data.lower() for _, data in answers)
    assert server.rss() - before < RSS_MARGIN
    server.still_serves()


def test_a_declared_body_over_the_limit_is_413_before_reading(server):
    sock = server.connect()
    sock.sendall(
        b"POST /rest/isales/v1/openapi/campaigns/12 HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 9000000\r\n\r\n{"
    )
    status, _ = read_answer(sock)
    assert status == 413
    server.still_serves()


def test_two_authorization_headers_are_refused(server):
    with server.client() as signed:
        headers = signed.signed_headers("GET", campaigns_path(12), [], b"")
    sock = server.connect()
    request = (
        f"GET {campaigns_path(12)} HTTP/1.1\r\nHost: {headers['Host']}\r\n"
        f"Content-Type: {headers['Content-Type']}\r\n"
        f"Authorization: {headers['Authorization']}\r\n"
        f"Authorization: {headers['Authorization']}\r\n\r\n"
    )
    sock.sendall(request.encode())
    status, data = read_answer(sock)
    assert status == 401 and b"more than one Authorization header" in data


# --- slow and unfinished requests, huge headers -----------------------------------


def test_huge_headers_are_431_without_buffering_them(server):
    before = server.rss()
    sock = server.connect()
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
    try:
        for _ in range(256):  # 16 MiB
            sock.sendall(b"a" * 65536)
    except (BrokenPipeError, ConnectionResetError):
        pass
    status, _ = read_answer(sock)
    assert status == 431
    many = server.connect()
    many.sendall(
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
        + b"".join(f"X-H{i}: v\r\n".encode() for i in range(20_000))
        + b"\r\n"
    )
    assert read_answer(many)[0] == 431
    assert server.rss() - before < RSS_MARGIN
    server.still_serves()


def test_slow_clients_are_disconnected_and_a_healthy_one_is_served(server):
    before = server.rss()
    slow = []
    for _ in range(900):
        sock = server.connect()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
        slow.append(sock)
    server.still_serves()  # while 900 slow ones are held
    assert all(closed_by_server(sock, 30) for sock in slow)
    assert server.rss() - before < RSS_MARGIN
    for sock in slow:
        sock.close()


def test_an_unfinished_body_is_disconnected(server):
    before = server.rss()
    with server.client() as signed:
        body = b'{"name":"x"}'
        headers = signed.signed_headers("POST", campaigns_path(12), [], body)
    sock = server.connect()
    sock.sendall(
        (
            f"POST {campaigns_path(12)} HTTP/1.1\r\nHost: {headers['Host']}\r\n"
            f"Content-Type: {headers['Content-Type']}\r\n"
            f"Authorization: {headers['Authorization']}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body[:3]
    )
    server.still_serves()  # while the body is unfinished
    assert closed_by_server(sock, 30)
    assert server.rss() - before < RSS_MARGIN


def test_connections_past_the_cap_are_closed_at_once(db_url, tmp_path):
    with serving(db_url, tmp_path, max_connections=20, header_timeout_seconds=60) as capped:
        held = [capped.connect() for _ in range(20)]
        for sock in held:
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        extra = capped.connect()
        # the header deadline is a minute away: only the cap closes it this soon
        assert closed_by_server(extra, 10)
        for sock in held:
            sock.close()
        wait_until(lambda: _answers(capped.base_url))
        capped.still_serves()


# --- XLSX bombs ------------------------------------------------------------------


def test_xlsx_bombs_are_refused_at_upload_with_bounded_memory(server):
    from tests.support.xlsx import giant_cell, row_far_away

    before = server.rss()
    with server.client() as signed:
        campaign_id = create_campaign(signed)
        for content in (giant_cell(400 * 1024 * 1024), row_far_away(20_000_000)):
            answer = signed.post(
                UPLOAD.format(campaign_id),
                json={
                    "fileName": "bomb.xlsx",
                    "fileContent": base64.b64encode(content).decode(),
                },
            ).json()
            assert_code(answer, "02000008")
    assert server.rss() - before < RSS_MARGIN
    server.still_serves()


def test_a_row_reference_the_check_cannot_read_is_refused_at_upload(server):
    """``r="2e7"`` is row 20,000,000 to the reader: refused at upload, no task created."""
    from tests.support.xlsx import moved_sheet, sheet_xml, workbook

    hostile = sheet_xml([b'<row r="2e7"><c><v>1380000001</v></c></row>'])
    with server.client() as signed:
        campaign_id = create_campaign(signed)
        for content in (workbook([hostile]), moved_sheet(hostile)):
            answer = signed.post(
                UPLOAD.format(campaign_id),
                json={"fileName": "rows.xlsx", "fileContent": base64.b64encode(content).decode()},
            ).json()
            assert_code(answer, "02000008")
            assert "is not a row number" in answer["resultDesc"]
    server.still_serves()


def test_a_flood_of_hostile_workbooks_leaves_other_keys_and_readyz_served(server, db_url):
    """40 uploads of the 1.5 KB ``r="2e7"`` workbook by one key, 8 at a time: another key's
    signed requests and ``/readyz`` are each answered within 1 s meanwhile."""
    import threading
    import time

    import httpx

    from tests.support.xlsx import sheet_xml, workbook

    hostile = workbook([sheet_xml([b'<row r="2e7"><c><v>1380000001</v></c></row>'])])
    body = {"fileName": "rows.xlsx", "fileContent": base64.b64encode(hostile).decode()}
    with server.client() as signed:
        campaign_id = create_campaign(signed)
    codes: list[str] = []

    def flood() -> None:
        with server.client() as own:
            for _ in range(5):
                answer = own.post(UPLOAD.format(campaign_id), json=body)
                codes.append(answer.json()["resultCode"])

    threads = [threading.Thread(target=flood) for _ in range(8)]
    for thread in threads:
        thread.start()
    other_key, other_secret = new_key(db_url)
    latencies: dict[str, list[float]] = {"signed": [], "readyz": []}
    with IsalesClient(server.base_url, other_key, other_secret) as other:
        while any(thread.is_alive() for thread in threads) or not latencies["signed"]:
            began = time.monotonic()
            answer = other.get(campaigns_path(12), params={"status": 0, "deviceType": 0})
            latencies["signed"].append(time.monotonic() - began)
            assert answer.json()["resultCode"] == SUCCESS
            began = time.monotonic()
            ready = httpx.get(server.base_url + "/readyz", timeout=10)
            latencies["readyz"].append(time.monotonic() - began)
            assert ready.status_code == 200
    for thread in threads:
        thread.join()
    worst = {name: max(values) for name, values in latencies.items()}
    print(
        f"\nflood of 40 hostile workbooks: another key's worst latency {worst['signed']:.3f} s"
        f" over {len(latencies['signed'])} requests, /readyz {worst['readyz']:.3f} s"
    )
    assert codes == ["02000008"] * 40
    assert worst["signed"] < 1.0 and worst["readyz"] < 1.0


# --- one built-in dialer key -----------------------------------------------------


def test_serve_dialer_reuses_one_key_even_after_kill_9(db_url, tmp_path):
    for _ in range(3):
        port = free_port()
        process = subprocess.Popen(
            [*ISALES, "serve", "--db", db_url, "--port", str(port)]
            + ["--dialer", "--dialer-vdn", "12"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until(lambda port=port: _answers(f"http://127.0.0.1:{port}"))
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(30)
    listed = subprocess.run(
        [*ISALES, "keys", "list", "--db", db_url, "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    dialer_keys = [k for k in json.loads(listed.stdout) if k["accessKey"] == "ISALESBUILTINDIALER"]
    assert len(dialer_keys) == 1


# --- rate limits ----------------------------------------------------------------------------


def test_a_key_past_its_rate_gets_429_and_nothing_runs(db_url, tmp_path):
    with serving(db_url, tmp_path, rate_limit_per_second=0.01, rate_limit_burst=2) as limited:
        bodies = [campaign_body(initStatus=1) for _ in range(3)]
        with limited.client() as signed:
            answers = [signed.post(campaigns_path(12), json=body) for body in bodies]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert int(answers[2].headers["Retry-After"]) >= 1
        other = IsalesClient(limited.base_url, *new_key(db_url))
        with other:
            assert_code(other.post(campaigns_path(12), json=campaign_body()).json(), SUCCESS)
        services = Services.build(Settings(db=db_url))
        try:
            assert count(services, "campaigns", name=bodies[1]["name"]) == 1
            assert count(services, "campaigns", name=bodies[2]["name"]) == 0
        finally:
            services.close()
