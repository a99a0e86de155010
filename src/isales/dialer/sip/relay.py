"""The media relay of agent campaigns: RTP between a customer's call and an agent's leg.

Each leg of an agent campaign (the nailed-up call to an agent, a customer's call) has one
UDP socket of ours, a :class:`RtpPort`. One thread (:class:`MediaRelay`) reads every port;
a packet from a port that is bridged goes out of its peer's port to the peer's far end,
its header rewritten to that leg's own stream (its SSRC, sequence and timestamp run on
across calls, so the agent's phone sees one continuous stream for the whole shift) and
its payload translated between PCMU and PCMA when the two legs chose different codecs.
Nothing is decoded otherwise: relaying costs a read and a write per packet.

The same thread plays the compliance message (a prompt) to a customer's port, one 20 ms
packet at a time, and tells the owner of a leg that has gone silent (RTP timeout).
"""

from __future__ import annotations

import errno
import logging
import os
import random
import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .media import _ALAW_OF, _LINEAR_OF_ALAW, CODECS, PTIME_MS, SAMPLE_RATE

log = logging.getLogger("isales.dialer.sip")

RTP_HEADER = struct.Struct("!BBHII")
FRAME_SAMPLES = SAMPLE_RATE * PTIME_MS // 1000  # 160: one G.711 byte a sample
_ULAW_BIAS, _ULAW_CLIP = 0x84, 32635


def _ulaw_encode_sample(sample: int) -> int:
    """ITU-T G.711 mu-law of one signed 16-bit sample."""
    sign = 0x80 if sample < 0 else 0x00
    magnitude = min(-sample if sample < 0 else sample, _ULAW_CLIP) + _ULAW_BIAS
    exponent = max((magnitude >> 7).bit_length() - 1, 0)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def _ulaw_decode_byte(byte: int) -> int:
    byte = ~byte & 0xFF
    exponent, mantissa = (byte >> 4) & 0x07, byte & 0x0F
    magnitude = (((mantissa << 3) + _ULAW_BIAS) << exponent) - _ULAW_BIAS
    return -magnitude if byte & 0x80 else magnitude


#: one byte of one law -> the byte of the other law for the same sound
ULAW_TO_ALAW = bytes(_ALAW_OF[_ulaw_decode_byte(b) & 0xFFFF] for b in range(256))
ALAW_TO_ULAW = bytes(_ulaw_encode_sample(_LINEAR_OF_ALAW[b]) for b in range(256))
_TRANSLATE = {("PCMU", "PCMA"): ULAW_TO_ALAW, ("PCMA", "PCMU"): ALAW_TO_ULAW}
_NAME_OF_PAYLOAD = {codec.ptype: name for name, codec in CODECS.items()}


def encode(pcm16: bytes, codec: str) -> bytes:
    """16-bit little-endian PCM as G.711 bytes of ``codec`` (a prompt, once per codec)."""
    samples = struct.unpack(f"<{len(pcm16) // 2}h", pcm16[: len(pcm16) // 2 * 2])
    if codec == "PCMA":
        return bytes(_ALAW_OF[s & 0xFFFF] for s in samples)
    return bytes(_ulaw_encode_sample(s) for s in samples)


@dataclass(eq=False)
class RtpPort:
    """Our end of one leg's media: a UDP socket and the far end it talks to."""

    sock: socket.socket
    port: int
    #: the far end's address and the codec the answer chose; None until answered
    remote: tuple[str, int] | None = None
    codec: str = "PCMU"
    peer: RtpPort | None = None
    #: the stream we send on this leg
    ssrc: int = field(default_factory=lambda: random.getrandbits(32))
    seq: int = field(default_factory=lambda: random.getrandbits(16))
    timestamp: int = field(default_factory=lambda: random.getrandbits(32))
    #: payload bytes received from the far end (G.711: 8 a millisecond) and relayed to it
    received_bytes: int = 0
    relayed_bytes: int = 0
    last_heard: float = 0.0
    #: first packet relayed from this port to its peer after the latest bridge (monotonic)
    first_relayed: float = 0.0
    #: called (on the relay thread) once no packet came for ``silence_limit`` seconds after
    #: the first; 0 turns the check off
    silence_limit: float = 0.0
    on_silence: Callable[[], None] | None = None

    def send_payload(self, payload_type: int, payload: bytes) -> None:
        if self.remote is None:
            return
        self.seq = (self.seq + 1) & 0xFFFF
        self.timestamp = (self.timestamp + len(payload)) & 0xFFFFFFFF
        header = RTP_HEADER.pack(0x80, payload_type & 0x7F, self.seq, self.timestamp, self.ssrc)
        try:
            self.sock.sendto(header + payload, self.remote)
        except OSError as exc:  # the far end's port is closed (ICMP): nothing to do
            if exc.errno not in (errno.ECONNREFUSED, errno.EAGAIN):
                log.debug("RTP send to %s failed: %s", self.remote, exc)


@dataclass(eq=False)
class _Playback:
    port: RtpPort
    payload: bytes  # G.711 bytes in the port's codec
    done: Callable[[], None]
    offset: int = 0
    next_at: float = 0.0
    started: float = 0.0


class MediaRelay:
    """The relay thread and the ports it owns (see the module's doc)."""

    def __init__(self, host: str, ports: tuple[int, int]) -> None:
        self.host = host
        self.low, self.high = ports
        self._first = self.low + (self.high - self.low) // 4 * 2  # the range's upper half
        self._next = self._first
        self._lock = threading.Lock()
        self._ports: dict[int, RtpPort] = {}  # fileno -> port
        self._playbacks: list[_Playback] = []
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="media-relay", daemon=True)
        self._thread.start()

    # --- any thread -----------------------------------------------------------------------
    def open_port(self) -> RtpPort:
        """A new port (an even UDP port of the range's upper half; sippy's own notification
        calls take theirs from the bottom). OSError when none is free."""
        for _ in range((self.high - self._first) // 2 + 1):
            with self._lock:
                port = self._next
                self._next = self._next + 2 if self._next + 2 < self.high else self._first
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.bind((self.host, port))
            except OSError:
                sock.close()
                continue
            sock.setblocking(False)
            rtp = RtpPort(sock, port)
            with self._lock:
                self._ports[sock.fileno()] = rtp
            self._wake()
            return rtp
        raise OSError(f"no free RTP port in {self.low}-{self.high}")

    def close_port(self, rtp: RtpPort) -> None:
        with self._lock:
            self._ports.pop(rtp.sock.fileno(), None)
            self._playbacks = [p for p in self._playbacks if p.port is not rtp]
            if rtp.peer is not None:
                rtp.peer.peer = None
                rtp.peer = None
        rtp.sock.close()

    def bridge(self, one: RtpPort, other: RtpPort) -> None:
        """Relay ``one`` and ``other`` both ways, from the next packet on."""
        with self._lock:
            for rtp in (one, other):
                if rtp.peer is not None:
                    rtp.peer.peer = None
                rtp.first_relayed = 0.0
            one.peer, other.peer = other, one

    def unbridge(self, rtp: RtpPort) -> None:
        with self._lock:
            if rtp.peer is not None:
                rtp.peer.peer = None
                rtp.peer = None

    def play(self, rtp: RtpPort, payload: bytes, done: Callable[[], None]) -> float:
        """Send ``payload`` (G.711 in the port's codec) to the port's far end in 20 ms
        packets; ``done`` is called on the relay thread after the last. Returns the start."""
        now = time.monotonic()
        with self._lock:
            self._playbacks.append(_Playback(rtp, payload, done, next_at=now, started=now))
        self._wake()
        return now

    def stop(self) -> None:
        self._stopped = True
        self._wake()
        self._thread.join(timeout=2.0)

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    # --- the relay thread -----------------------------------------------------------------
    def _run(self) -> None:
        silence_check = time.monotonic()
        while not self._stopped:
            with self._lock:
                sockets: list[Any] = [rtp.sock for rtp in self._ports.values()]
                due = min((p.next_at for p in self._playbacks), default=None)
            timeout = 0.5 if due is None else max(due - time.monotonic(), 0.0)
            try:
                readable, _, _ = select.select([self._wake_r, *sockets], [], [], timeout)
            except (OSError, ValueError):  # a port closed while we waited: look again
                continue
            for sock in readable:
                if sock == self._wake_r:
                    try:
                        os.read(self._wake_r, 512)
                    except OSError:
                        pass
                    continue
                self._read(sock)
            now = time.monotonic()
            self._send_playbacks(now)
            if now - silence_check >= 0.5:
                silence_check = now
                self._check_silence(now)

    def _read(self, sock: socket.socket) -> None:
        for _ in range(32):  # what is queued now, not forever
            try:
                data, address = sock.recvfrom(2048)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            with self._lock:
                rtp = self._ports.get(sock.fileno()) if sock.fileno() >= 0 else None
                peer = rtp.peer if rtp is not None else None
            if rtp is None:
                return
            if len(data) <= 12:
                continue
            if rtp.remote is not None and address[0] != rtp.remote[0]:
                continue  # not the far end this leg negotiated
            rtp.last_heard = time.monotonic()
            first, second = data[0], data[1]
            offset = 12 + 4 * (first & 0x0F)
            if first & 0x10 and len(data) >= offset + 4:  # header extension
                offset += 4 + 4 * int.from_bytes(data[offset + 2 : offset + 4], "big")
            payload = data[offset:]
            if first & 0x20 and payload:  # padding
                payload = payload[: -payload[-1]]
            name = _NAME_OF_PAYLOAD.get(second & 0x7F)
            if name is None:  # comfort noise, DTMF events: not relayed
                continue
            rtp.received_bytes += len(payload)
            if peer is None or peer.remote is None:
                continue
            table = _TRANSLATE.get((name, peer.codec))
            if table is not None:
                payload = payload.translate(table)
            peer.send_payload(CODECS[peer.codec].ptype, payload)
            if not rtp.first_relayed:
                rtp.first_relayed = rtp.last_heard
            rtp.relayed_bytes += len(payload)

    def _send_playbacks(self, now: float) -> None:
        finished: list[_Playback] = []
        with self._lock:
            playbacks = list(self._playbacks)
        for playback in playbacks:
            while playback.next_at <= now and playback.offset < len(playback.payload):
                frame = playback.payload[playback.offset : playback.offset + FRAME_SAMPLES]
                playback.port.send_payload(CODECS[playback.port.codec].ptype, frame)
                playback.offset += FRAME_SAMPLES
                playback.next_at += PTIME_MS / 1000
            if playback.offset >= len(playback.payload):
                finished.append(playback)
        if finished:
            with self._lock:
                self._playbacks = [p for p in self._playbacks if p not in finished]
            for playback in finished:
                playback.done()

    def _check_silence(self, now: float) -> None:
        with self._lock:
            ports = list(self._ports.values())
        for rtp in ports:
            if (
                rtp.silence_limit
                and rtp.last_heard
                and now - rtp.last_heard > rtp.silence_limit
                and rtp.on_silence is not None
            ):
                callback, rtp.on_silence = rtp.on_silence, None
                callback()
