"""The SIP driver's settings, read and checked without importing sippy.

(Importing sippy binds its event loop to the importing thread, so anything the server or
the configuration reads must stay free of it.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ...config import CODEC_NAMES, parse_codecs, parse_host_port, parse_port_range

if TYPE_CHECKING:
    from ...config import Settings


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
