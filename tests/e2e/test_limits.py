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
import time
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


def _refusal_of(server: Served, authorization: str, body: bytes) -> tuple[int, dict, bytes, bool]:
    """Status, headers (without the per-answer ``date`` and ``x-request-id``), body of the
    answer to a POST signed with ``authorization``, and whether the server closed the
    connection after it (within a second: the fixture's idle deadline is two)."""
    sock = server.connect()
    sock.sendall(
        (
            f"POST {campaigns_path(12)} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Content-Type: application/json; charset=UTF-8\r\n"
            f"Authorization: {authorization}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
    )
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, value in (line.split(":", 1) for line in lines[1:])
        if name.strip().lower() not in ("date", "x-request-id")
    }
    while len(rest) < int(headers["content-length"]):
        rest += sock.recv(65536)
    closed = closed_by_server(sock, 1)
    sock.close()
    return int(lines[0].split(" ", 2)[1]), headers, rest, closed


def test_an_unknown_key_and_a_wrong_signature_are_answered_alike(server):
    """Access keys are not secret, but which ones exist must not show: a known key with a
    wrong signature gets the very answer an unknown key gets, connection handling too."""
    body = b'{"name":"x"}'
    with server.client() as signed:
        good = signed.signed_headers("POST", campaigns_path(12), [], body)["Authorization"]
    scheme, key, rest = good.split("/", 2)
    timestamp, names, signature = rest.split("/")
    wrong = "0" * len(signature) if signature != "0" * len(signature) else "1" * len(signature)
    known = f"{scheme}/{key}/{timestamp}/{names}/{wrong}"
    unknown = f"{scheme}/AK{'9' * (len(key) - 2)}/{timestamp}/{names}/{wrong}"
    known_answer = _refusal_of(server, known, body)
    unknown_answer = _refusal_of(server, unknown, body)
    print(f"known key, wrong signature: {known_answer}")
    print(f"unknown key:                {unknown_answer}")
    assert known_answer[0] == 401
    assert known_answer == unknown_answer
    server.still_serves()


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


def test_non_reading_connections_of_one_address_leave_room_for_others(db_url, tmp_path):
    """Connections that pipeline requests for the 1.7 MB Swagger bundle and never read
    their answers: one address gets only its share of the cap, and the write deadline
    aborts what it holds; a signed request from another address is served meanwhile."""
    cap, share, write_timeout = 40, 0.5, 2
    bundle = b"GET /docs/assets/swagger-ui/swagger-ui-bundle.js HTTP/1.1\r\nHost: x\r\n\r\n"
    with serving(
        db_url,
        tmp_path,
        max_connections=cap,
        max_connection_share_per_address=share,
        write_timeout_seconds=write_timeout,
        header_timeout_seconds=60,
    ) as capped:
        hostile = []
        for _ in range(cap):  # all from 127.0.0.2; the signed client is on 127.0.0.1
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.bind(("127.0.0.2", 0))
            sock.settimeout(10)
            sock.connect(("127.0.0.1", capped.port))
            try:
                sock.sendall(bundle * 20)
            except OSError:
                pass  # refused at once: past the address's share
            hostile.append(sock)
        started = time.monotonic()
        capped.still_serves()  # from another address, while the hostile ones are held
        served_in = time.monotonic() - started
        time.sleep(write_timeout + 3)
        closed = sum(closed_by_server(sock, 2) for sock in hostile)
        print(
            f"cap {cap}, share {share} ({int(cap * share)} per address), "
            f"{len(hostile)} non-reading connections from one address: signed request from "
            f"another address served in {served_in:.2f} s; {closed} of {len(hostile)} "
            f"closed by the server within {write_timeout + 3} s (write deadline {write_timeout} s)"
        )
        assert closed == len(hostile)
        capped.still_serves()
        for sock in hostile:
            sock.close()


def test_sigterm_with_slow_readers_and_trickling_bodies_ends_within_the_grace(db_url, tmp_path):
    """SIGTERM while clients never read their answers and others trickle their bodies:
    the server exits within its grace period (then closes them), and the add whose body
    never finished added nothing."""
    grace = 3
    bundle = b"GET /docs/assets/swagger-ui/swagger-ui-bundle.js HTTP/1.1\r\nHost: x\r\n\r\n"
    with serving(
        db_url,
        tmp_path,
        shutdown_grace_seconds=grace,
        write_timeout_seconds=600,
        body_timeout_seconds=600,
        header_timeout_seconds=600,
    ) as running:
        with running.client() as signed:
            campaign = create_campaign(signed)
        path = f"{campaigns_path(12)}/calldata/{campaign}"
        body = json.dumps({"callDataList": [{"called": "8613800000077"}]}).encode()
        with running.client() as signed:
            headers = signed.signed_headers("POST", path, [], body)
        held = []
        for _ in range(10):  # slow readers
            sock = running.connect()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(bundle * 10)
            held.append(sock)
        trickling = []
        for _ in range(10):  # signed adds whose body never ends
            sock = running.connect()
            sock.sendall(
                (
                    f"POST {path} HTTP/1.1\r\nHost: {headers['Host']}\r\n"
                    f"Content-Type: {headers['Content-Type']}\r\n"
                    f"Authorization: {headers['Authorization']}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                + body[:5]
            )
            trickling.append(sock)
        time.sleep(1)
        for sock in trickling:
            sock.sendall(body[5:10])
        started = time.monotonic()
        running.process.send_signal(signal.SIGTERM)
        try:
            running.process.wait(grace + 30)
        except subprocess.TimeoutExpired:
            pytest.fail(f"isales serve still running {grace + 30} s after SIGTERM")
        took = time.monotonic() - started
        print(
            f"SIGTERM with 10 slow readers and 10 trickling bodies: exited in {took:.2f} s "
            f"(grace {grace} s), exit code {running.process.returncode}"
        )
        assert took < grace + 5
        assert all(closed_by_server(sock, 5) for sock in held + trickling)
    services = Services.build(Settings(db=db_url))
    try:
        assert count(services, "numbers", campaign_id=campaign) == 0
    finally:
        services.close()
