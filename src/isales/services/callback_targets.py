"""Where a result callback may go (spec/hardening.md, "Callbacks").

``callBackUrl`` is http or https, and by default its host must resolve to public
addresses only: loopback, private, link-local, multicast and unspecified addresses are
refused (``callback_allow_private`` lifts this). The check is made when the URL is set
and again at every delivery, which then connects to the address it checked, so a DNS
answer that changes in between cannot redirect it.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import ErrorCode, InvalidParameter


class UnsafeTarget(ValueError):
    """The callback URL may not be used."""


class Unresolvable(UnsafeTarget):
    """The callback host does not resolve."""


@dataclass(frozen=True)
class Target:
    """A checked callback: the address to connect to, and the names to present there."""

    url: str  # the URL with the checked address as its host
    host_header: str
    server_name: str


def forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
    )


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unresolvable(f"the host {host} does not resolve") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check(url: str, allow_private: bool) -> Target:
    """Resolve and check ``url``; raises :class:`UnsafeTarget` (or :class:`Unresolvable`)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("callBackUrl must be an http or https URL with a host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeTarget("callBackUrl has an invalid port") from exc
    addresses = _addresses(parts.hostname, port)
    if not allow_private:
        for address in addresses:
            if forbidden(ipaddress.ip_address(address.split("%")[0])):
                raise UnsafeTarget(
                    f"callBackUrl: the host {parts.hostname} is a loopback, private, link-local,"
                    " multicast or unspecified address"
                )
    chosen = addresses[0]
    literal = f"[{chosen}]" if ":" in chosen else chosen
    netloc = f"{literal}:{port}"
    return Target(
        url=parts._replace(netloc=netloc).geturl(),
        host_header=parts.netloc.rpartition("@")[2],
        server_name=parts.hostname,
    )


def refuse_unsafe(url: str, allow_private: bool) -> None:
    """When a callBackUrl is set: 0200001 unless its host is a public address. A host that
    does not resolve now is accepted; every delivery checks it again."""
    try:
        check(url, allow_private)
    except Unresolvable:
        return
    except UnsafeTarget as exc:
        raise InvalidParameter(ErrorCode.PARAMETER_ERROR, str(exc)) from exc
