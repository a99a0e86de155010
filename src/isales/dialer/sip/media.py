"""G.711 media of a SIP call: the SDP offer and answer, PCMA beside sippy's PCMU, RTP.

Only G.711 is offered (PCMU payload 0, PCMA payload 8, 8 kHz, 20 ms packets): prompts are
8 kHz 16-bit PCM, so no resampling is ever needed, and every trunk and PBX accepts it.
"""

from __future__ import annotations

import itertools
import re
from array import array
from dataclasses import dataclass

from sippy.Rtp.Codecs.G711 import G711Codec

PTIME_MS = 20
SAMPLE_RATE = 8000


def _alaw_encode_sample(sample: int) -> int:
    """ITU-T G.711 A-law of one signed 16-bit sample (the classic segment search)."""
    sign = 0x80 if sample >= 0 else 0x00
    magnitude = sample if sample >= 0 else -sample - 1
    magnitude = min(magnitude >> 3, 0xFFF)  # 13-bit magnitude, as G.711 works on
    if magnitude < 32:
        code = magnitude >> 1
    else:
        segment = magnitude.bit_length() - 5
        code = (segment << 4) | ((magnitude >> segment) & 0x0F)
    return (code | sign) ^ 0x55


def _alaw_decode_byte(byte: int) -> int:
    byte ^= 0x55
    magnitude = (byte & 0x0F) << 4
    segment = (byte & 0x70) >> 4
    if segment == 0:
        magnitude += 8
    else:
        magnitude = (magnitude + 0x108) << (segment - 1)
    return magnitude if byte & 0x80 else -magnitude


#: 16-bit sample (as unsigned index) -> A-law byte; 256 A-law bytes -> 16-bit sample
_ALAW_OF = bytes(_alaw_encode_sample(s - 65536 if s >= 32768 else s) for s in range(65536))
_LINEAR_OF_ALAW = array("h", (_alaw_decode_byte(b) for b in range(256)))


class PcmaCodec(G711Codec):
    """G.711 A-law (payload type 8); sippy ships only the mu-law codec."""

    ptype = 8
    ename = "PCMA"

    def encode(self, chunk):  # type: ignore[no-untyped-def]
        table = _ALAW_OF
        return bytes(table[s & 0xFFFF] for s in chunk.audio)

    def decode(self, alaw_bytes: bytes, resample: bool = True, sample_rate: int | None = None):  # type: ignore[no-untyped-def]
        table = _LINEAR_OF_ALAW
        chunk = self.make_chunk(array("h", (table[b] for b in alaw_bytes)), self.srate)
        if sample_rate is None:
            sample_rate = self.out_srate
        if resample and sample_rate != self.srate:
            chunk.resample(sample_rate)
        return chunk

    def silence(self, nframes: int) -> bytes:
        return b"\xd5" * nframes


CODECS = {"PCMU": G711Codec, "PCMA": PcmaCodec}
_PAYLOAD_TYPES = {codec.ptype: name for name, codec in CODECS.items()}


_session_ids = itertools.count(1)


def offer(host: str, port: int, codecs: tuple[str, ...]) -> str:
    """The SDP offer of one call: our RTP address and the configured codecs in order."""
    session = next(_session_ids)
    payloads = [CODECS[name].ptype for name in codecs]
    lines = [
        "v=0",
        f"o=isales {session} {session} IN IP4 {host}",
        "s=isales",
        f"c=IN IP4 {host}",
        "t=0 0",
        f"m=audio {port} RTP/AVP {' '.join(map(str, payloads))}",
        *(f"a=rtpmap:{CODECS[name].ptype} {name}/{SAMPLE_RATE}" for name in codecs),
        f"a=ptime:{PTIME_MS}",
        "a=sendrecv",
    ]
    return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True)
class Answer:
    host: str
    port: int
    codec: str  # "PCMU" | "PCMA"


_CONNECTION = re.compile(r"^c=IN IP4 (\S+)", re.MULTILINE)
_AUDIO = re.compile(r"^m=audio (\d+) RTP/AVP ([0-9 ]+)", re.MULTILINE)


def answer(sdp: str, offered: tuple[str, ...]) -> Answer | None:
    """Where to send our audio and in which codec; None when the answer has no usable audio.

    The codec is the first payload type of the answer's audio line that we offered
    (RFC 3264: the answerer lists its preference first)."""
    audio = _AUDIO.search(sdp)
    if audio is None or int(audio.group(1)) == 0:
        return None
    media_section = sdp[audio.start() :]
    connection = _CONNECTION.search(media_section) or _CONNECTION.search(sdp)
    if connection is None:
        return None
    for payload in audio.group(2).split():
        name = _PAYLOAD_TYPES.get(int(payload))
        if name in offered:
            return Answer(connection.group(1), int(audio.group(1)), name)
    return None
