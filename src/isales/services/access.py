"""Access keys: creating, listing, revoking, and authenticating signed requests."""

from __future__ import annotations

import math
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection

from .. import signing
from ..clock import Clock
from ..config import Settings
from ..domain.rate import TokenBucket
from ..errors import MasterKeyInvalid, RateLimited, Replayed, Unauthenticated, VdnNotGranted
from ..secret_box import SecretBox, key_source
from ..store import Store, audit
from ..store import keys as key_store
from ..store import replay as replay_store
from ..store.engine import TRANSACTION_GUARD

T = TypeVar("T")

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
#: how long a cached grant answers the gate's precheck before the store is read again. Only
#: the gate uses it (to refuse a request before its body is read); whether the key is still
#: active is read again inside the request's own transaction (RequestGuard), so a revoke
#: holds from the next request on whatever this cache holds.
GRANT_CACHE_SECONDS = 30.0


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


class RequestGuard:
    """The store's half of accepting a signed request, done inside the request's own
    transactions instead of transactions of its own (docs/architecture.md#transactions):

    - the first transaction reads whether the key is still active (``Unauthenticated``);
    - a single-use signature is recorded in the first *write* transaction (``Replayed``),
      so it commits, or rolls back, with the change it guards.

    ``settle`` does what no transaction did (a request that failed before writing, or wrote
    nothing): its signature is recorded even so, as a refused request's always was, so a
    captured request cannot be sent again once it would succeed. Not shared between
    requests; a lock covers a request that runs two service calls at once.
    """

    def __init__(
        self,
        store: Store,
        access_key: str,
        signature: str,
        expires_at: datetime,
        single_use: bool,
    ) -> None:
        self.store, self.access_key = store, access_key
        self.signature, self.expires_at = signature, expires_at
        self.key_checked = False
        self.recorded = not single_use
        #: the transaction whose commit makes the record (None: no record in flight)
        self._pending: Connection | None = None
        self._lock = threading.Lock()

    @property
    def settled(self) -> bool:
        return self.key_checked and self.recorded

    def begin(self, conn: Connection, writable: bool) -> None:
        if self.settled:
            return
        with self._lock:
            record = writable and not self.recorded and self._pending is None
            if record and not self.key_checked:  # both in one statement
                active, fresh = replay_store.record_for_active_key(
                    conn, self.access_key, self.signature, self.expires_at
                )
            else:
                active = self.key_checked or (
                    key_store.active_secret(conn, self.access_key) is not None
                )
                fresh = True
                if active and record:
                    fresh = replay_store.record_signature(conn, self.signature, self.expires_at)
            if not active:
                raise Unauthenticated("unknown or revoked access key, or wrong signature")
            self.key_checked = True
            if not fresh:
                raise Replayed()
            if record:
                self._pending = conn

    def ended(self, conn: Connection, committed: bool) -> None:
        # a record made in a transaction that rolled back is not there: the next write
        # transaction (or settle) makes it again
        if self._pending is conn:
            self.recorded = committed
            self._pending = None

    def settle(self) -> None:
        """Check the key and record the signature in a transaction of their own, if the
        request's own transactions did not (runs off the event loop)."""
        if self.settled:
            return
        token = TRANSACTION_GUARD.set(self)
        try:
            self._settle_here()
        finally:
            TRANSACTION_GUARD.reset(token)

    def run(self, function: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Run one service call with this guard on its transactions; settle afterwards. An
        authentication failure found here is the answer, whatever the call did or raised."""
        token = TRANSACTION_GUARD.set(self)
        try:
            try:
                result = function(*args, **kwargs)
            except Exception:
                self._settle_here()
                raise
            self._settle_here()
            return result
        finally:
            TRANSACTION_GUARD.reset(token)

    def _settle_here(self) -> None:
        if self.settled:
            return
        if self.recorded:
            with self.store.read():
                pass  # the guard's begin() checks the key
        else:
            with self.store.write():
                pass  # the guard's begin() checks the key and records the signature


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
        #: access key -> (its grant, when it was read): the gate's precheck without the
        #: store (GRANT_CACHE_SECONDS); never the answer to whether a key is active
        self._grants: dict[str, tuple[KeyGrant, float]] = {}

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
        grant = KeyGrant(self.box.open(secret, access_key), vdns)
        if len(self._grants) >= GRANT_CACHE_SIZE:
            self._grants.clear()
        self._grants[access_key] = (grant, time.monotonic())
        return grant

    def cached_grant(self, access_key: str) -> KeyGrant | None:
        """The grant read from the store less than GRANT_CACHE_SECONDS ago, else None."""
        found = self._grants.get(access_key)
        if found is None or time.monotonic() - found[1] > GRANT_CACHE_SECONDS:
            return None
        return found[0]

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
        self._grants.pop(BUILTIN_DIALER_KEY, None)
        secret = self.box.open(found["secret_key"], BUILTIN_DIALER_KEY)
        return NewKey(BUILTIN_DIALER_KEY, secret, vdns)

    def list_keys(self) -> list[dict]:
        with self.store.read() as conn:
            return key_store.list_keys(conn)

    def revoke_key(self, access_key: str, actor: str = "cli") -> bool:
        now = self.clock()
        with self.store.write() as conn:
            revoked = key_store.revoke_key(conn, access_key, now)
            self._grants.pop(access_key, None)
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
        auth = self._parse(authorization)
        grant = self.lookup(auth.access_key)
        if grant is None:
            raise Unauthenticated("unknown or revoked access key, or wrong signature")
        return Precheck(auth, grant)

    def precheck_cached(self, authorization: str | None) -> Precheck | None:
        """``precheck`` from the grant cache, without the store (on the event loop); None
        when the key is not in the cache (then ``precheck`` reads it)."""
        auth = self._parse(authorization)
        grant = self.cached_grant(auth.access_key)
        return None if grant is None else Precheck(auth, grant)

    def _parse(self, authorization: str | None) -> signing.Authorization:
        if not authorization:
            raise Unauthenticated("missing Authorization header")
        try:
            auth = signing.parse_authorization(authorization)
        except signing.MalformedAuthorization as exc:
            raise Unauthenticated("malformed Authorization header") from exc
        skew = abs(auth.timestamp.replace(tzinfo=None) - self.clock())
        if skew > timedelta(seconds=self.settings.clock_skew_seconds):
            raise Unauthenticated("request timestamp outside the accepted window")
        return auth

    def verify(
        self, request: SignedRequest, checked: Precheck, single_use: bool = False
    ) -> tuple[Principal, RequestGuard]:
        """Verify the signature against the precheck's grant, without the store (on the
        event loop): the principal, and the guard that finishes the check inside the
        request's transactions (``RequestGuard``). Failing is :class:`Unauthenticated`.

        ``single_use``: the request changes data, so its signature is accepted once.
        """
        auth, grant = checked.auth, checked.grant
        self._verify_signature(request, checked)
        self._take_token(auth.access_key)
        window = timedelta(seconds=self.settings.clock_skew_seconds)
        guard = RequestGuard(
            self.store,
            auth.access_key,
            auth.signature,
            auth.timestamp.replace(tzinfo=None) + window,
            single_use,
        )
        return Principal(auth.access_key, grant.vdn_ids), guard

    def _verify_signature(self, request: SignedRequest, checked: Precheck) -> None:
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
