"""The SIP driver's settings, read and checked without importing sippy.

(Importing sippy binds its event loop to the importing thread, so anything the server or
the configuration reads must stay free of it.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...config import Settings

#: the codecs the driver can offer: G.711 mu-law and A-law, by SDP encoding name
CODEC_NAMES = ("PCMU", "PCMA")


def parse_host_port(text: str, what: str) -> tuple[str, int]:
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{what} {text!r}: write host:port, e.g. 127.0.0.1:5060")
    return host, int(port)


def parse_port_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    try:
        first, last = int(low), int(high or low)
    except ValueError:
        first, last = 0, -1
    if not 1024 <= first < last <= 65535:
        raise ValueError(f"RTP ports {text!r}: write low-high, e.g. 20000-20999")
    return first, last


def parse_codecs(text: str) -> tuple[str, ...]:
    """``"PCMU,PCMA"`` -> ("PCMU", "PCMA"); only G.711 names, each once."""
    names = tuple(part.strip().upper() for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in CODEC_NAMES]
    if not names or unknown or len(set(names)) != len(names):
        raise ValueError(
            f"codecs {text!r}: list PCMU and/or PCMA, comma-separated, in order of preference"
        )
    return names


@dataclass(frozen=True)
class SipConfig:
    trunk: tuple[str, int]
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    bind: tuple[str, int] = ("127.0.0.1", 5062)
    rtp_ports: tuple[int, int] = (20000, 20999)
    codecs: tuple[str, ...] = CODEC_NAMES
    prompts_dir: Path = Path("prompts")
    fail_code_style: str = "reference"

    @property
    def trunk_text(self) -> str:
        return f"{self.trunk[0]}:{self.trunk[1]}"

    @classmethod
    def from_settings(cls, settings: Settings) -> SipConfig:
        """The driver's configuration; ValueError when the trunk is not set."""
        if not settings.sip_trunk:
            raise ValueError(
                "--driver sip needs the trunk: set ISALES_SIP_TRUNK (or [sip] trunk, or "
                "--sip-trunk) to host:port"
            )
        password = settings.sip_password.get_secret_value() if settings.sip_password else None
        return cls(
            trunk=parse_host_port(settings.sip_trunk, "trunk"),
            username=settings.sip_username,
            password=password,
            bind=parse_host_port(settings.sip_bind, "bind address"),
            rtp_ports=parse_port_range(settings.sip_rtp_ports),
            codecs=parse_codecs(settings.sip_codecs),
            prompts_dir=settings.prompts_dir,
            fail_code_style=settings.sip_fail_code_style,
        )
