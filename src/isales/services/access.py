"""Access keys: creating, listing, revoking, and authenticating signed requests."""

from __future__ import annotations

import math
import secrets
import string
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from .. import signing
from ..clock import Clock
from ..config import Settings
from ..domain.rate import TokenBucket
from ..errors import MasterKeyInvalid, RateLimited, Replayed, Unauthenticated, VdnNotGranted
from ..secret_box import SecretBox, key_source
from ..store import Store, audit
from ..store import keys as key_store
from ..store import replay as replay_store

_AK_ALPHABET = string.ascii_uppercase + string.digits

#: the one key ``isales serve --dialer`` uses, re-activated at every start
BUILTIN_DIALER_KEY = "ISALESBUILTINDIALER"


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
class Precheck:
    """What is known of a request before its body is read: a parsed Authorization header
    within the time window, naming an active key."""

    auth: signing.Authorization
    grant: KeyGrant


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str
    query_pairs: Iterable[tuple[str, str]]
    headers: Mapping[str, str]
    #: the body's SHA-256 (hex), taken as it arrived: the body itself may be on disk
    payload_hash: str
    authorization: str | None


class AccessService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
        self.box = SecretBox.for_store(
            store.url, settings.master_key.get_secret_value() if settings.master_key else None
        )
        self._buckets: dict[str, TokenBucket] = {}
        self._buckets_lock = threading.Lock()
        #: access key -> its VDNs; a key's grants never change after it is created (but
        #: the built-in dialer's, re-granted at its server's start: see builtin_dialer_key)
        self._vdns: dict[str, frozenset[int]] = {}

    def key_mismatch(self) -> str | None:
        """None when the master key at hand opens the store's sealed secrets, else one line
        naming where the key comes from: a store restored without its key, or started with
        another ``ISALES_MASTER_KEY``, would otherwise answer every signed request 0200006."""
        with self.store.read() as conn:
            sample = key_store.any_sealed_secret(conn)
        if sample is None:
            return None
        access_key, sealed = sample
        try:
            self.box.open(sealed, access_key)
        except MasterKeyInvalid:
            master = self.settings.master_key
            source = key_source(self.store.url, master.get_secret_value() if master else None)
            return (
                f"the store's sealed secrets do not open with {source}: restore the key "
                "that was backed up with this store (docs/operations.md#backups)"
            )
        return None

    def lookup(self, access_key: str) -> KeyGrant | None:
        """The active key's secret (opened) and VDNs; None for an unknown or revoked key.

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
        return KeyGrant(self.box.open(secret, access_key), vdns)

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
            key_store.insert_key(conn, ak, self.box.seal(sk, ak), vdns, now)
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

    def builtin_dialer_key(self, vdn_ids: list[int]) -> NewKey:
        """The built-in dialer's one key, active and granted ``vdn_ids`` (created once)."""
        vdns = sorted(set(vdn_ids))
        with self.store.write() as conn:
            found = key_store.find_key(conn, BUILTIN_DIALER_KEY)
            if found is None:
                secret = secrets.token_urlsafe(32)
                key_store.insert_key(
                    conn,
                    BUILTIN_DIALER_KEY,
                    self.box.seal(secret, BUILTIN_DIALER_KEY),
                    vdns,
                    self.clock(),
                )
                return NewKey(BUILTIN_DIALER_KEY, secret, vdns)
            if not key_store.reactivate_key(conn, BUILTIN_DIALER_KEY, vdns, found["revoked_at"]):
                raise RuntimeError("the built-in dialer key changed while it was activated")
        self._vdns.pop(BUILTIN_DIALER_KEY, None)
        secret = self.box.open(found["secret_key"], BUILTIN_DIALER_KEY)
        return NewKey(BUILTIN_DIALER_KEY, secret, vdns)

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

    def precheck(self, authorization: str | None) -> Precheck:
        """The checks made before the body is read; any failure is :class:`Unauthenticated`."""
        if not authorization:
            raise Unauthenticated("missing Authorization header")
        try:
            auth = signing.parse_authorization(authorization)
        except signing.MalformedAuthorization as exc:
            raise Unauthenticated("malformed Authorization header") from exc
        skew = abs(auth.timestamp.replace(tzinfo=None) - self.clock())
        if skew > timedelta(seconds=self.settings.clock_skew_seconds):
            raise Unauthenticated("request timestamp outside the accepted window")
        grant = self.lookup(auth.access_key)
        if grant is None:
            raise Unauthenticated("unknown or revoked access key, or wrong signature")
        return Precheck(auth, grant)

    def authenticate(
        self, request: SignedRequest, checked: Precheck | None = None, single_use: bool = False
    ) -> Principal:
        """Verify the signature (docs/api.md#authentication); failing is :class:`Unauthenticated`.

        ``checked``: the precheck already made before the body was read. ``single_use``:
        the request changes data, so its signature is accepted once (else ``Replayed``).
        """
        checked = checked or self.precheck(request.authorization)
        auth, grant = checked.auth, checked.grant
        canonical = signing.canonical_request(
            request.method,
            request.path,
            request.query_pairs,
            request.headers,
            auth.signed_headers,
            b"",
            payload_hash=request.payload_hash,
        )
        if not signing.verify(auth, grant.secret_key, canonical):
            raise Unauthenticated("unknown or revoked access key, or wrong signature")
        self._take_token(auth.access_key)
        if single_use:
            window = timedelta(seconds=self.settings.clock_skew_seconds)
            with self.store.write() as conn:
                fresh = replay_store.record_signature(
                    conn, auth.signature, auth.timestamp.replace(tzinfo=None) + window
                )
            if not fresh:
                raise Replayed()
        return Principal(auth.access_key, grant.vdn_ids)

    def _take_token(self, access_key: str) -> None:
        """Per-key rate limit (``rate_limit_per_second``); past it :class:`RateLimited`."""
        rate = self.settings.rate_limit_per_second
        if rate is None:
            return
        burst = self.settings.rate_limit_burst or max(rate, 1.0)
        now = time.monotonic()
        with self._buckets_lock:
            bucket = self._buckets.setdefault(access_key, TokenBucket.full(rate, burst, now))
            wait = bucket.take(now)
        if wait:
            raise RateLimited(math.ceil(wait))

    def forget_expired_signatures(self) -> int:
        """Background job: drop seen signatures whose timestamp left the window."""
        with self.store.write() as conn:
            return replay_store.forget_expired(conn, self.clock())
