"""Console users: create, list, disable; sign-in, sessions and sign-out (docs/console.md).

Passwords are hashed with Argon2id (memory-hard). A session token lives only in the
browser's cookie; the store keeps its SHA-256, so a copy of the store opens no session.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..clock import Clock
from ..config import Settings
from ..domain.console import Role, block_after, may
from ..errors import (
    ConsoleRefused,
    ConsoleUserInvalid,
    SignInFailed,
    SignInThrottled,
    VdnNotGranted,
)
from ..store import Store, audit
from ..store import console_users as user_store

log = logging.getLogger("isales.console")

_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,48}$")
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user name is unknown, so both failures cost the same time.

    Made at the first sign-in, not at import: a hash takes the hasher's 64 MiB for a moment,
    and every process that imports the services (an API server, the CLI) would keep that
    peak in its resident-set high-water mark without ever serving the console."""
    return _hasher.hash("no such user")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ConsoleUser:
    """A signed-in person: who, with which role, over which VDNs; and the session's CSRF token."""

    name: str
    role: Role
    vdn_ids: tuple[int, ...]
    csrf_token: str

    @property
    def actor(self) -> str:
        """How the person appears where access keys appear (history, audit log)."""
        return f"user:{self.name}"

    def may(self, needed: Role) -> bool:
        return may(self.role, needed)

    def require(self, needed: Role) -> None:
        if not self.may(needed):
            raise ConsoleRefused(f"Your role ({self.role}) does not allow this.")

    def require_vdn(self, vdn_id: int) -> None:
        if vdn_id not in self.vdn_ids:
            raise VdnNotGranted("You are not granted this VDN.")


@dataclass(frozen=True)
class NewSession:
    token: str
    user: ConsoleUser


class ConsoleUserService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def create(
        self,
        name: str,
        role: str,
        vdn_ids: list[int],
        password: str | None,
        actor: str = "cli",
    ) -> str:
        """Create a user; returns the password (generated when none is given)."""
        vdns = sorted(set(vdn_ids))
        if not _NAME.match(name):
            raise ConsoleUserInvalid("a user name is 1-48 letters, digits or . _ @ -")
        if role not in set(Role):
            raise ConsoleUserInvalid(f"role must be one of {', '.join(Role)}")
        if not vdns or not all(1 <= v <= 9999 for v in vdns):
            raise ConsoleUserInvalid("a user needs at least one VDN, each between 1 and 9999")
        password = password if password is not None else secrets.token_urlsafe(15)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ConsoleUserInvalid(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
        password_hash = _hasher.hash(password)
        now = self.clock()
        with self.store.write() as conn:
            if user_store.name_taken(conn, name):
                raise ConsoleUserInvalid(f"a console user named {name} already exists")
            user_store.insert_user(conn, name, password_hash, role, vdns, now)
            audit.record(
                conn,
                actor=actor,
                operation="user-create",
                vdn=None,
                request_id=None,
                detail={"user": name, "role": role, "vdnIds": vdns},
                at=now,
            )
        return password

    def list(self) -> list[dict]:
        with self.store.read() as conn:
            return user_store.list_users(conn)

    def disable(self, name: str, actor: str = "cli") -> bool:
        """Disable a user and end their sessions; False when no enabled user has that name."""
        now = self.clock()
        with self.store.write() as conn:
            disabled = user_store.disable_user(conn, name, now)
            if disabled:
                audit.record(
                    conn,
                    actor=actor,
                    operation="user-disable",
                    vdn=None,
                    request_id=None,
                    detail={"user": name},
                    at=now,
                )
            return disabled

    def sign_in(self, name: str, password: str, client: str) -> NewSession:
        """A new session, or SignInFailed / SignInThrottled (logged, never the password)."""
        now = self.clock()
        with self.store.read() as conn:
            user = user_store.get_user(conn, name)
        if user is not None and user["blocked_until"] is not None and user["blocked_until"] > now:
            log.warning("console sign-in refused while blocked: user=%r client=%s", name, client)
            raise SignInThrottled()
        try:
            _hasher.verify(user["password_hash"] if user else _dummy_hash(), password)
            valid = user is not None and user["disabled_at"] is None
        except (VerificationError, InvalidHashError):
            valid = False
        if not valid:
            self._failed(name, user is not None, client)
            raise SignInFailed()
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + timedelta(minutes=self.settings.console_session_minutes)
        with self.store.write() as conn:
            user_store.clear_failures(conn, name)
            user_store.delete_expired_sessions(conn, now)
            user_store.insert_session(conn, _token_hash(token), name, csrf, now, expires)
        log.info("console sign-in: user=%r client=%s", name, client)
        user = cast("dict[str, Any]", user)  # found above: a missing user fails the password
        return NewSession(
            token, ConsoleUser(name, Role(user["role"]), tuple(user["vdn_ids"]), csrf)
        )

    def _failed(self, name: str, known: bool, client: str) -> None:
        failures = 0
        if known:
            with self.store.write() as conn:
                failures = user_store.record_failure(conn, name)
                block = block_after(failures)
                if block:
                    user_store.set_blocked_until(conn, name, self.clock() + block)
        log.warning(
            "console sign-in failed: user=%r known=%s failures=%d client=%s",
            name,
            known,
            failures,
            client,
        )

    def session(self, token: str) -> ConsoleUser | None:
        """The user of a live session; None once it expired, ended or the user was disabled."""
        with self.store.read() as conn:
            row = user_store.live_session(conn, _token_hash(token), self.clock())
        if row is None:
            return None
        return ConsoleUser(
            row["user_name"], Role(row["role"]), tuple(row["vdn_ids"]), row["csrf_token"]
        )

    def sign_out(self, token: str) -> None:
        with self.store.write() as conn:
            user_store.delete_session(conn, _token_hash(token))
