"""Agents' phones for tests/telephony: Kamailio as their registrar, baresip as each phone.

Kamailio (``tests/telephony/kamailio/registrar.cfg``) listens on 127.0.0.1 at a free port;
each :class:`Phone` is a baresip (``-n 127.0.0.1``) registered there as
``sip:{workNo}@127.0.0.1:{port}``, answering every call at once (``answermode=auto``),
speaking a WAV file (``aufile``: the agent's "voice") and recording what it hears
(``sndfile``). A test that needs them and cannot start them fails (``scripts/test``
installs both).
"""

from __future__ import annotations

import json
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
from pathlib import Path

from tests.support.sipp import free_udp_port

REGISTRAR_CONFIG = Path(__file__).parents[1] / "telephony" / "kamailio" / "registrar.cfg"
VOICE_HZ = 600  # the agents' voice: a tone the recordings can be checked for


def _free_sip_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (baresip listens on both)."""
    for _ in range(50):
        port = free_udp_port()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise AssertionError("no port free for UDP and TCP on 127.0.0.1")


def _binary(name: str, package: str) -> str:
    found = shutil.which(name) or (
        f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None
    )
    assert found, f"{name} is not installed: apt-get install {package} (scripts/test does)"
    return found


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Kamailio:
    """The registrar, in the foreground, logging to ``kamailio.log`` in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_udp_port()
        self.control = folder / "kamailio-ctl"
        self.log = folder / "kamailio.log"
        command = [
            _binary("kamailio", "kamailio"),
            "-f",
            str(REGISTRAR_CONFIG),
            "-A",
            f'CTL_SOCKET="unix:{self.control}"',
            "-l",
            f"udp:127.0.0.1:{self.port}",
            "-DD",
            "-E",
            "-Y",
            str(folder),
            "-w",
            str(folder),
        ]
        with self.log.open("w") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not self.control.exists():
            assert self.process.poll() is None, "kamailio did not start: " + self.log.read_text()
            assert time.monotonic() < deadline, "kamailio did not open its control socket"
            time.sleep(0.05)

    def uri(self, user: str) -> str:
        return f"sip:{user}@127.0.0.1:{self.port}"

    def registered(self) -> set[str]:
        """The users with a binding now (``kamcmd ul.dump``)."""
        dump = subprocess.run(
            [_binary("kamcmd", "kamailio"), "-s", f"unix:{self.control}", "ul.dump"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        assert dump.returncode == 0, dump.stderr
        return set(re.findall(r"AoR:\s*(\S+)", dump.stdout))

    def stop(self) -> None:
        _stop(self.process)


def write_voice(path: Path, seconds: float, hz: int = VOICE_HZ) -> Path:
    """An agent's voice: a tone, 8 kHz mono 16-bit."""
    frames = int(seconds * 8000)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / 8000)))
                for i in range(frames)
            )
        )
    return path


class Phone:
    """One agent's baresip, registered at ``registrar`` as ``work_no``."""

    def __init__(
        self, registrar: Kamailio, work_no: str, folder: Path, voice_seconds: float = 600
    ) -> None:
        self.work_no = work_no
        self.folder = folder / f"phone-{work_no}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.recordings = self.folder / "heard"
        self.recordings.mkdir(exist_ok=True)
        self.sip_uri = registrar.uri(work_no)
        voice = write_voice(self.folder / "voice.wav", voice_seconds)
        port, rtp = _free_sip_port(), free_udp_port(pair=True)
        (self.folder / "config").write_text(
            "\n".join(
                [
                    "poll_method epoll",
                    f"sip_listen 127.0.0.1:{port}",
                    f"audio_source aufile,{voice}",
                    "audio_player aubridge,nowhere",
                    "audio_alert aubridge,nowhere",
                    "audio_srate 8000",
                    "audio_channels 1",
                    f"rtp_ports {rtp}-{rtp + 3}",
                    "rtp_timeout 0",
                    f"snd_path {self.recordings}",
                    "module_path /usr/lib/baresip/modules",
                    "module g711.so",
                    "module aufile.so",
                    "module aubridge.so",
                    "module sndfile.so",
                    "module account.so",
                    "module_app menu.so",
                    "",
                ]
            )
        )
        (self.folder / "accounts").write_text(
            f"<{self.sip_uri};transport=udp>;regint=600;answermode=auto;audio_codecs=PCMU,PCMA\n"
        )
        self.log = self.folder / "baresip.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [_binary("baresip", "baresip-core"), "-n", "127.0.0.1", "-f", str(self.folder)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_registered(self, registrar: Kamailio, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while self.work_no not in registrar.registered():
            assert self.process.poll() is None, "baresip ended: " + self.log.read_text()
            assert time.monotonic() < deadline, f"{self.work_no} did not register"
            time.sleep(0.1)

    def heard(self) -> list[Path]:
        """The recordings of what the agent heard, one per call (``*-dec.wav``)."""
        return sorted(self.recordings.glob("*dec*.wav"))

    def pause(self) -> None:
        """Freeze the phone (its RTP stops, it answers nothing)."""
        self.process.send_signal(signal.SIGSTOP)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
        _stop(self.process)


def tone_ms(path: Path, hz: float, threshold: float = 0.3) -> int:
    """Milliseconds of ``path`` (16-bit mono WAV) carrying mostly a tone of ``hz``: per 20 ms
    frame, the Goertzel power at ``hz`` as a share of the frame's energy."""
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        channels = wav.getnchannels()
        data = wav.readframes(wav.getnframes())
    samples = struct.unpack(f"<{len(data) // 2}h", data)[::channels]
    size = rate // 50
    coefficient = 2 * math.cos(2 * math.pi * hz / rate)
    found = 0
    for start in range(0, len(samples) - size + 1, size):
        frame = samples[start : start + size]
        energy = sum(s * s for s in frame)
        if energy < size * 100**2:  # quieter than -50 dBFS: silence
            continue
        s1 = s2 = 0.0
        for sample in frame:
            s1, s2 = sample + coefficient * s1 - s2, s1
        power = (s1 * s1 + s2 * s2 - coefficient * s1 * s2) * 2 / size
        if power / energy >= threshold:
            found += 20
    return found


class Harness:
    """The SIP driver alone (``tests.support.sip_harness``) running ``plan``, as a process.

    ``plan`` needs ``trunk``; the bind address, RTP ports and prompts folder default to
    free ones and ``folder``."""

    def __init__(self, folder: Path, plan: dict) -> None:  # type: ignore[type-arg]
        from tests.support.sipp import free_rtp_range

        plan = {
            "bind": f"127.0.0.1:{free_udp_port()}",
            "rtpPorts": free_rtp_range(),
            "prompts": str(folder),
            **plan,
        }
        stamp = time.monotonic_ns()
        plan_path = folder / f"plan-{stamp}.json"
        self.results_path = folder / f"results-{stamp}.json"
        self.log_path = folder / f"harness-{stamp}.log"
        plan_path.write_text(json.dumps(plan))
        with self.log_path.open("w") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.support.sip_harness",
                    str(plan_path),
                    str(self.results_path),
                ],
                cwd=Path(__file__).parents[2],
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_for_line(self, text: str, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.log():
            assert self.process.poll() is None, "the harness ended: " + self.log()
            assert time.monotonic() < deadline, f"{text!r} not logged: " + self.log()
            time.sleep(0.05)

    def wait(self, seconds: float = 120.0) -> tuple[dict, str]:  # type: ignore[type-arg]
        """Its results and its log, once it has ended (killed when it takes too long)."""
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("the harness did not end: " + self.log()) from None
        assert self.process.returncode == 0, self.log()
        return json.loads(self.results_path.read_text()), self.log()
