"""The "auth-v2" AK/SK request signature (docs/api.md#authentication): pure functions, no I/O.

Used by the server to verify requests and by :mod:`isales.client` to sign them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

SCHEME = "auth-v2"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_TIMESTAMP_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")
_HEX64_RE = re.compile(r"^[0-9a-f]{64}\Z")
_HEADER_NAME_RE = re.compile(r"^[a-z0-9-]+\Z")


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_uri(path: str) -> str:
    return "/".join(_encode(unquote(segment)) for segment in path.split("/"))


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Encoded pairs sorted by name, then value (the AWS/BCE reading of "sorted")."""
    encoded = sorted((_encode(name), _encode(value)) for name, value in pairs)
    return "&".join(f"{name}={value}" for name, value in encoded)


def canonical_request(
    method: str,
    path: str,
    query_pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: list[str],
    body: bytes,
    payload_hash: str | None = None,
) -> str:
    """``payload_hash``: the body's SHA-256 hex when the body is streamed, not in memory."""
    lowered = {name.lower(): value for name, value in headers.items()}
    header_lines = "\n".join(f"{name}:{lowered.get(name, '').strip()}" for name in signed_headers)
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query_pairs),
            header_lines,
            payload_hash or hashlib.sha256(body).hexdigest(),
        ]
    )


def _hmac_hex(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def signature(secret_key: str, auth_prefix: str, canonical: str) -> str:
    return _hmac_hex(_hmac_hex(secret_key, auth_prefix), canonical)


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


@dataclass(frozen=True)
class Authorization:
    access_key: str
    timestamp: datetime
    signed_headers: list[str]
    signature: str

    @property
    def prefix(self) -> str:
        stamp = format_timestamp(self.timestamp)
        return f"{SCHEME}/{self.access_key}/{stamp}/{';'.join(self.signed_headers)}"


class MalformedAuthorization(ValueError):
    """The Authorization header is not auth-v2/{AK}/{timestamp}/{signedHeaders}/{signature}."""


def parse_authorization(header: str) -> Authorization:
    parts = header.strip().split("/")
    if len(parts) != 5 or parts[0] != SCHEME:
        raise MalformedAuthorization()
    _, access_key, stamp, signed, sig = parts
    names = signed.split(";")
    if (
        not access_key
        or not _TIMESTAMP_RE.match(stamp)
        or not _HEX64_RE.match(sig)
        or names != sorted(set(names))
        or "content-type" not in names
        or not all(_HEADER_NAME_RE.match(name) for name in names)
    ):
        raise MalformedAuthorization()
    try:
        # the pattern above fixed the shape (TIMESTAMP_FORMAT); this checks the ranges
        moment = datetime.fromisoformat(stamp[:-1]).replace(tzinfo=UTC)
    except ValueError as exc:
        raise MalformedAuthorization() from exc
    return Authorization(access_key, moment, names, sig)


def sign(
    access_key: str,
    secret_key: str,
    method: str,
    path: str,
    query_pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    moment: datetime,
    signed_headers: list[str] | None = None,
    payload_hash: str | None = None,
) -> str:
    """The Authorization header value for one request."""
    names = sorted({name.lower() for name in (signed_headers or headers)})
    auth = Authorization(access_key, moment, names, "")
    canonical = canonical_request(method, path, query_pairs, headers, names, body, payload_hash)
    return f"{auth.prefix}/{signature(secret_key, auth.prefix, canonical)}"


def verify(auth: Authorization, secret_key: str, canonical: str) -> bool:
    expected = signature(secret_key, auth.prefix, canonical)
    return hmac.compare_digest(expected, auth.signature)
