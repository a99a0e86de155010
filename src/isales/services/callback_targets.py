"""Where a result callback may go (docs/api.md#limits-and-protections).

``callBackUrl`` is http or https, and by default its host must resolve to public
addresses only: every block of IANA's IPv4 and IPv6 special-purpose address registries
(loopback, private, shared 100.64.0.0/10, link-local, documentation, benchmarking,
reserved ...) and multicast are refused (``callback_allow_private`` lifts this). IPv6
forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) are
refused whole, since their prefixes are special-purpose blocks, so an embedded private
IPv4 address cannot pass as a public IPv6 one. The check is made when the URL is set
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


#: IANA's IPv4 Special-Purpose Address Registry, every entry, plus multicast and the
#: limited broadcast address (docs/api.md#limits-and-protections)
SPECIAL_IPV4 = tuple(
    ipaddress.IPv4Network(block)
    for block in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",  # shared address space (carrier NAT, cloud metadata 100.100.100.200)
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.31.196.0/24",
        "192.52.193.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "192.175.48.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "255.255.255.255/32",
    )
)
#: IANA's IPv6 Special-Purpose Address Registry, every entry, plus multicast and the
#: deprecated IPv4-compatible block; the IPv4-carrying forms are whole blocks here
SPECIAL_IPV6 = tuple(
    ipaddress.IPv6Network(block)
    for block in (
        "::/96",  # unspecified, loopback and IPv4-compatible (::7f00:1 is 127.0.0.1)
        "::ffff:0:0/96",  # IPv4-mapped
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "100:0:0:1::/64",  # dummy prefix
        "2001::/23",  # IETF protocol assignments, Teredo (2001::/32) among them
        "2001:db8::/32",
        "2002::/16",  # 6to4
        "2620:4f:8000::/48",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",  # deprecated site-local
        "ff00::/8",
    )
)


def forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``address`` lies in a special-purpose block (the one owner of that rule)."""
    if isinstance(address, ipaddress.IPv4Address):
        return any(address in block for block in SPECIAL_IPV4)
    return any(address in block for block in SPECIAL_IPV6)


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
                    f"callBackUrl: the host {parts.hostname} is a special-purpose (loopback,"
                    " private, shared, link-local, reserved ...) or multicast address"
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
