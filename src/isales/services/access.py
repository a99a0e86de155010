"""Access keys: creating, listing, revoking, and authenticating signed requests."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from .. import signing
from ..clock import Clock
from ..config import Settings
from ..errors import Unauthenticated, VdnNotGranted
from ..store import Store, audit
from ..store import keys as key_store

_AK_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class Principal:
    """Who sent a request, and which VDNs they may touch."""

    access_key: str
    vdn_ids: frozenset[int]

    def require_vdn(self, vdn_id: int) -> None:
        if vdn_id not in self.vdn_ids:
            raise VdnNotGranted()


@dataclass(frozen=True)
class KeyGrant:
    """What a request's signature is checked with: the key's secret and its VDNs."""

    secret_key: str
    vdn_ids: frozenset[int]


#: grants cached per process; past this many keys the cache starts over
GRANT_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class NewKey:
    access_key: str
    secret_key: str
    vdn_ids: list[int]


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str
    query_pairs: Iterable[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes
    authorization: str | None


class AccessService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        #: access key -> its VDNs; a key's grants never change after it is created
        self._vdns: dict[str, frozenset[int]] = {}

    def lookup(self, access_key: str) -> KeyGrant | None:
        """The active key's secret and VDNs; None for an unknown or revoked key.

        Whether the key is active is read from the store on every call (one primary-key
        read), so a revoke made by any process holds from the next request on; only the
        VDN grants, which never change once a key exists, are served from memory.
        """
        with self.store.read() as conn:
            secret = key_store.active_secret(conn, access_key)
            if secret is None:
                return None
            vdns = self._vdns.get(access_key)
            if vdns is None:
                vdns = frozenset(key_store.granted_vdns(conn, access_key))
                if len(self._vdns) >= GRANT_CACHE_SIZE:
                    self._vdns.clear()
                self._vdns[access_key] = vdns
        return KeyGrant(secret, vdns)

    def create_key(
        self,
        vdn_ids: list[int],
        access_key: str | None = None,
        secret_key: str | None = None,
        actor: str = "cli",
    ) -> NewKey:
        vdns = sorted(set(vdn_ids))
        if not vdns or not all(1 <= v <= 9999 for v in vdns):
            raise ValueError("a key needs at least one VDN, each between 1 and 9999")
        ak = access_key or "AK" + "".join(secrets.choice(_AK_ALPHABET) for _ in range(18))
        sk = secret_key or secrets.token_urlsafe(32)
        now = self.clock()
        with self.store.write() as conn:
            key_store.insert_key(conn, ak, sk, vdns, now)
            audit.record(
                conn,
                actor=actor,
                operation="key-create",
                vdn=None,
                request_id=None,
                detail={"accessKey": ak, "vdnIds": vdns},
                at=now,
            )
        return NewKey(ak, sk, vdns)

    def list_keys(self) -> list[dict]:
        with self.store.read() as conn:
            return key_store.list_keys(conn)

    def revoke_key(self, access_key: str, actor: str = "cli") -> bool:
        now = self.clock()
        with self.store.write() as conn:
            revoked = key_store.revoke_key(conn, access_key, now)
            if revoked:
                audit.record(
                    conn,
                    actor=actor,
                    operation="key-revoke",
                    vdn=None,
                    request_id=None,
                    detail={"accessKey": access_key},
                    at=now,
                )
            return revoked

    def authenticate(self, request: SignedRequest) -> Principal:
        """Verify the signature of spec/auth.md; any failure is :class:`Unauthenticated`."""
        if not request.authorization:
            raise Unauthenticated("missing Authorization header")
        try:
            auth = signing.parse_authorization(request.authorization)
        except signing.MalformedAuthorization as exc:
            raise Unauthenticated("malformed Authorization header") from exc
        skew = abs(auth.timestamp.replace(tzinfo=None) - self.clock())
        if skew > timedelta(seconds=self.settings.clock_skew_seconds):
            raise Unauthenticated("request timestamp outside the accepted window")
        grant = self.lookup(auth.access_key)
        canonical = signing.canonical_request(
            request.method,
            request.path,
            request.query_pairs,
            request.headers,
            auth.signed_headers,
            request.body,
        )
        # compare even for an unknown key, so both failures take the same time
        valid = signing.verify(auth, grant.secret_key if grant else "unknown-key", canonical)
        if grant is None or not valid:
            raise Unauthenticated("unknown or revoked access key, or wrong signature")
        return Principal(auth.access_key, grant.vdn_ids)
