"""SIPp as the far end of isales' SIP calls (a simulated carrier), and the SIP dialer process.

SIPp (Debian ``sip-tester``) runs a scenario of ``tests/telephony/scenarios/`` on 127.0.0.1
with its RTP echo on; it writes its message trace, error log and statistics into the test's folder.
A test that needs SIPp and cannot start it fails (``scripts/test`` installs it).
"""

from __future__ import annotations

import csv
import math
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import wave
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tests.support.api import create_campaign
from tests.support.processes import clean_env

SCENARIOS = Path(__file__).parents[1] / "telephony" / "scenarios"
ISALES = [sys.executable, "-m", "isales"]


def free_udp_port(pair: bool = False) -> int:
    """A UDP port free on 127.0.0.1 (and the one two above it with ``pair``: SIPp's media)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port % 2 or port > 60000:
            continue
        if not pair or _udp_free(port + 2):
            return port
    raise AssertionError("no free UDP port on 127.0.0.1")


def _udp_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_rtp_range(size: int = 200) -> str:
    """A range of ``size`` UDP ports for the dialer's RTP, none bound now."""
    for _ in range(100):
        low = free_udp_port()
        if low + size < 60000 and all(_udp_free(p) for p in range(low, low + size, 2)):
            return f"{low}-{low + size - 1}"
    raise AssertionError("no free RTP port range")


def write_prompt(path: Path, seconds: float, rate: int = 8000, channels: int = 1) -> Path:
    """A 440 Hz tone as a WAV prompt (8 kHz mono 16-bit unless told otherwise)."""
    frames = int(seconds * rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        sample = (int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(frames))
        out.writeframes(b"".join(struct.pack("<h", s) * channels for s in sample))
    return path


@dataclass
class Message:
    at: datetime
    direction: str  # "received" | "sent" (as SIPp saw it)
    first_line: str
    call_id: str
    text: str


class Sipp:
    """One SIPp UAS on 127.0.0.1; :meth:`stop` ends it and returns its final statistics."""

    def __init__(self, scenario: str, folder: Path, *extra: str) -> None:
        binary = shutil.which("sipp")
        assert binary, "sipp is not installed: apt-get install sip-tester (scripts/test does)"
        self.folder = folder
        self.port = free_udp_port()
        self.media_port = free_udp_port(pair=True)
        self.errors = folder / "sipp-errors.log"
        self.messages = folder / "sipp-messages.log"
        self.stats = folder / "sipp-stats.csv"
        self.output = folder / "sipp-output.log"
        command = [
            binary,
            "-sf",
            str(SCENARIOS / scenario),
            "-i",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-mi",
            "127.0.0.1",
            "-mp",
            str(self.media_port),
            "-rtp_echo",
            "-nostdin",
            "-trace_err",
            "-error_file",
            str(self.errors),
            "-trace_msg",
            "-message_file",
            str(self.messages),
            "-trace_stat",
            "-stf",
            str(self.stats),
            "-fd",
            "1",
            *extra,
        ]
        with self.output.open("w") as out:
            self.process = subprocess.Popen(
                command, cwd=folder, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 10
        while _udp_free(self.port):  # listening once the port is taken
            assert self.process.poll() is None, "sipp did not start: " + self.output.read_text()
            assert time.monotonic() < deadline, "sipp did not bind its port"
            time.sleep(0.05)

    @property
    def trunk(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> dict[str, str]:
        """Let calls in progress end (SIGUSR1), then the cumulative statistics."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGUSR1)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.statistics()

    def statistics(self) -> dict[str, str]:
        rows = list(csv.reader(self.stats.open(), delimiter=";"))
        return {k: v for k, v in zip(rows[0], rows[-1], strict=False) if k.endswith("(C)")}

    def error_lines(self) -> list[str]:
        if not self.errors.exists():
            return []
        return [line for line in self.errors.read_text().splitlines() if line.strip()]

    def message_log(self) -> list[Message]:
        text = self.messages.read_text(errors="replace")
        blocks = re.split(r"^-{20,} (\S+ \S+)\n", text, flags=re.MULTILINE)
        found = []
        for stamp, body in zip(blocks[1::2], blocks[2::2], strict=False):
            direction = "received" if "message received" in body.split("\n", 1)[0] else "sent"
            lines = body.split("\n", 2)
            message = lines[2].lstrip("\n") if len(lines) > 2 else ""
            call_id = re.search(r"^Call-ID:\s*(\S+)", message, re.MULTILINE | re.IGNORECASE)
            found.append(
                Message(
                    datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f"),
                    direction,
                    message.split("\r\n", 1)[0].split("\n", 1)[0],
                    call_id.group(1) if call_id else "",
                    message,
                )
            )
        return found


@dataclass
class SipDialer:
    process: subprocess.Popen
    log: Path

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


def start_sip_dialer(server, folder: Path, trunk: str, *args: str, **settings: str) -> SipDialer:  # type: ignore[no-untyped-def]
    """``isales dialer --driver sip`` for VDN 12 of ``server`` as its own process.

    ``settings`` are ISALES_* variables without the prefix (e.g. ``SIP_USERNAME``)."""
    key = server.services.access.create_key([12])
    env = clean_env(
        ISALES_DIALER_ACCESS_KEY=key.access_key,
        ISALES_DIALER_SECRET_KEY=key.secret_key,
        ISALES_SIP_TRUNK=trunk,
        ISALES_SIP_BIND=f"127.0.0.1:{free_udp_port()}",
        ISALES_SIP_RTP_PORTS=free_rtp_range(),
        ISALES_PROMPTS_DIR=str(folder),
        **{f"ISALES_{name}": value for name, value in settings.items()},
    )
    log = folder / f"dialer-{time.monotonic_ns()}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *ISALES,
                "dialer",
                "--driver",
                "sip",
                "--server",
                server.base_url,
                "--vdn",
                "12",
                "--cps",
                "100",
                *args,
            ],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return SipDialer(process, log)


def wait_until(predicate, seconds: float = 60.0, what: str = "condition") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not reached in {seconds} s"
        time.sleep(0.1)


RING_LIMIT = 5  # maxAlertingTime, seconds (the smallest CC-iSales accepts)


def notification_campaign(admin, folder, prompt_seconds: float = 1.0, **overrides) -> int:  # type: ignore[no-untyped-def]
    campaign_id = create_campaign(
        admin,
        init_status=0,
        deviceType=3,
        ivrParam=overrides.pop("ivrParam", {"flowAccessCode": "1"}),
        maxAlertingTime=RING_LIMIT,
        **overrides,
    )
    write_prompt(folder / f"{campaign_id}.wav", prompt_seconds)
    return campaign_id
