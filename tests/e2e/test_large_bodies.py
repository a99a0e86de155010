"""Large bodies against a real `isales serve` process (docs/api.md#limits-and-protections):
a body over 1 MiB is hashed into an unlinked temporary file and its signature verified
before anything of it is held in memory; how many are received at once is bounded per
process and per access key, and the excess is refused before its body is read."""

from __future__ import annotations

import base64
import socket
import threading
import time
from datetime import UTC, datetime

import pytest

from isales.signing import format_timestamp
from tests.support.api import SUCCESS, assert_code, create_campaign
from tests.support.processes import Served, new_key, serving, wait_until

pytestmark = pytest.mark.usefixtures("backend")

UPLOAD = "/rest/isales/v1/openapi/campaigns/12/calldatafile/upload/{}"
QUERY = "/rest/isales/v1/openapi/campaigns/12/calldatafile/queryDataImportTask/{}"
MiB = 1024 * 1024
#: one chunk sent again and again: the test process never builds a large body
CHUNK = b"A" * MiB
WRONG_SIGNATURE = "unknown or revoked access key, or wrong signature"


def wrongly_signed(access_key: str) -> str:
    """A well-formed Authorization header of a known key, fresh, with a wrong signature."""
    stamp = format_timestamp(datetime.now(UTC))
    return f"auth-v2/{access_key}/{stamp}/content-type/{'0' * 64}"


def send_head(served: Served, path: str, authorization: str, length: int | None) -> socket.socket:
    """The request line and headers; ``length`` None: a chunked body."""
    framing = "Transfer-Encoding: chunked" if length is None else f"Content-Length: {length}"
    sock = served.connect()
    sock.settimeout(600)
    sock.sendall(
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n"
            "Content-Type: application/json; charset=UTF-8\r\n"
            f"Authorization: {authorization}\r\n{framing}\r\n\r\n"
        ).encode()
    )
    return sock


def send_body(sock: socket.socket, size: int) -> None:
    """``size`` bytes of the one chunk (a refused request may be closed meanwhile)."""
    try:
        while size > 0:
            sock.sendall(CHUNK[: min(size, len(CHUNK))])
            size -= len(CHUNK)
    except (BrokenPipeError, ConnectionResetError):
        pass


def refused_early(served: Served, path: str, authorization: str, size: int) -> tuple[int, bytes]:
    """The answer to a request of which only 8 KiB of its ``size`` bytes are sent: the
    gate answers a refused request once it read 64 KiB of its body or after a second."""
    sock = send_head(served, path, authorization, size)
    send_body(sock, 8 * 1024)
    return read_answer(sock)


def read_answer(sock: socket.socket) -> tuple[int, bytes]:
    """Status and everything up to the server closing the connection."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    sock.close()
    return (int(data.split(b" ", 2)[1]) if data else 0), data


def upload_answer(served: Served, path: str, authorization: str, size: int) -> tuple[int, bytes]:
    sock = send_head(served, path, authorization, size)
    send_body(sock, size)
    return read_answer(sock)


def test_sixteen_wrongly_signed_90_mb_uploads_keep_memory_bounded(db_url, tmp_path):
    """16 uploads of 90 MB at once, by a known key with a fresh timestamp and a wrong
    signature: each is answered with the wrong-signature 401, the server's peak resident
    memory stays under 300 MB, and no temporary file is left behind. A correctly signed
    large upload then creates its import."""
    spool = tmp_path / "spool"
    spool.mkdir()
    size = 90 * MiB
    with serving(
        db_url,
        tmp_path,
        spool_dir=spool,
        max_large_bodies=16,
        max_large_bodies_per_key=16,
        body_timeout_seconds=600,
        import_sweep_seconds=3600,
    ) as served:
        with served.client() as signed:
            campaign_id = create_campaign(signed)
        path = UPLOAD.format(campaign_id)
        answers: list[tuple[int, bytes]] = []

        def attack() -> None:
            answers.append(upload_answer(served, path, wrongly_signed(served.access_key), size))

        threads = [threading.Thread(target=attack) for _ in range(16)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        most_spooled = 0
        while any(thread.is_alive() for thread in threads):
            most_spooled = max(most_spooled, len(served.open_files_under(spool)))
            time.sleep(0.2)
        for thread in threads:
            thread.join()
        took = time.monotonic() - started
        peak = served.peak_rss()
        print(
            f"\n16 wrongly signed uploads of 90 MB: answered in {took:.1f} s, server peak RSS "
            f"{peak / MiB:.0f} MiB, at most {most_spooled} bodies spooled at once"
        )
        assert len(answers) == 16
        for status, data in answers:
            assert status == 401, data[:300]
            assert WRONG_SIGNATURE.encode() in data
        assert peak < 300 * MiB
        assert most_spooled >= 2  # the bodies went to files in the spool directory
        assert served.open_files_under(spool) == []
        assert list(spool.iterdir()) == []

        rows = "".join(f"s{i},86138{i:08d}\n" for i in range(100_000)).encode()
        content = b"sessionId,called\n" + rows
        assert len(base64.b64encode(content)) > 2 * MiB
        with served.client() as signed:
            answer = signed.post(
                path,
                json={"fileName": "big.csv", "fileContent": base64.b64encode(content).decode()},
            ).json()
            assert_code(answer, SUCCESS)
            assert answer["returnObject"]["totalRows"] == 100_000
            task_id = answer["returnObject"]["taskId"]
            queried = signed.post(QUERY.format(campaign_id), json={"taskId": task_id}).json()
            assert_code(queried, SUCCESS)
            assert queried["returnObject"]["taskId"] == task_id

            broken = b'{"fileName": "x.csv", "fileContent": "' + b"A" * (2 * MiB)
            answer = signed.post(path, content=broken).json()
            assert_code(answer, "02000008")  # verified, then parsed from its file
        assert served.open_files_under(spool) == []
        assert list(spool.iterdir()) == []
        served.still_serves()


def test_large_bodies_past_the_bounds_are_refused_before_their_body_is_read(db_url, tmp_path):
    """One large body per key and two per process: a key's second, and a third key's
    first, are answered 429 with no more than 8 KiB of their body sent; a client that goes
    away mid-body gives its slot back and leaves no file."""
    spool = tmp_path / "spool"
    spool.mkdir()
    size = 8 * MiB
    with serving(
        db_url, tmp_path, spool_dir=spool, max_large_bodies=2, max_large_bodies_per_key=1
    ) as served:
        with served.client() as signed:
            campaign_id = create_campaign(signed)
        path = UPLOAD.format(campaign_id)
        key_a = served.access_key
        key_b, _ = new_key(db_url)
        key_c, _ = new_key(db_url)

        first_a = send_head(served, path, wrongly_signed(key_a), size)
        send_body(first_a, 3 * MiB)
        wait_until(lambda: len(served.open_files_under(spool)) == 1)

        status, data = refused_early(served, path, wrongly_signed(key_a), size)
        assert status == 429, data
        assert b"for this access key" in data and b"connection: close" in data.lower()

        first_b = send_head(served, path, wrongly_signed(key_b), size)
        send_body(first_b, 3 * MiB)
        wait_until(lambda: len(served.open_files_under(spool)) == 2)

        status, data = refused_early(served, path, wrongly_signed(key_c), size)
        assert status == 429, data
        assert b"too many large request bodies at once; try later" in data
        chunked = send_head(served, path, wrongly_signed(key_c), None)  # size unknown: large
        chunked.sendall(b"2000\r\n" + b"A" * 0x2000 + b"\r\n")
        status, data = read_answer(chunked)
        assert status == 429, data
        small = 64 * 1024  # a small body takes no slot (and stays in memory)
        assert upload_answer(served, path, wrongly_signed(key_c), small)[0] == 401

        first_a.close()  # gone mid-body: its file is closed, its slot given back
        wait_until(lambda: len(served.open_files_under(spool)) == 1)
        status, data = upload_answer(served, path, wrongly_signed(key_a), size)
        assert status == 401 and WRONG_SIGNATURE.encode() in data

        send_body(first_b, size - 3 * MiB)
        status, data = read_answer(first_b)
        assert status == 401 and WRONG_SIGNATURE.encode() in data
        assert served.open_files_under(spool) == []
        assert list(spool.iterdir()) == []
        served.still_serves()
