"""Console users, their VDN grants, and their sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, delete, insert, select, update

from .schema import console_sessions, console_user_vdns, console_users


def insert_user(
    conn: Connection, name: str, password_hash: str, role: str, vdn_ids: list[int], now: datetime
) -> None:
    conn.execute(
        insert(console_users).values(
            name=name, password_hash=password_hash, role=role, created_at=now
        )
    )
    conn.execute(insert(console_user_vdns), [{"user_name": name, "vdn_id": v} for v in vdn_ids])


def name_taken(conn: Connection, name: str) -> bool:
    return (
        conn.execute(select(console_users.c.name).where(console_users.c.name == name)).first()
        is not None
    )


def get_user(conn: Connection, name: str) -> dict[str, Any] | None:
    row = conn.execute(select(console_users).where(console_users.c.name == name)).mappings().first()
    if row is None:
        return None
    vdns = conn.execute(
        select(console_user_vdns.c.vdn_id)
        .where(console_user_vdns.c.user_name == name)
        .order_by(console_user_vdns.c.vdn_id)
    ).scalars()
    return {**row, "vdn_ids": list(vdns)}


def list_users(conn: Connection) -> list[dict[str, Any]]:
    users = conn.execute(
        select(
            console_users.c.name,
            console_users.c.role,
            console_users.c.created_at,
            console_users.c.disabled_at,
        ).order_by(console_users.c.name)
    ).mappings()
    grants: dict[str, list[int]] = {}
    for row in conn.execute(select(console_user_vdns).order_by(console_user_vdns.c.vdn_id)):
        grants.setdefault(row.user_name, []).append(row.vdn_id)
    return [{**user, "vdn_ids": grants.get(user["name"], [])} for user in users]


def disable_user(conn: Connection, name: str, now: datetime) -> bool:
    result = conn.execute(
        update(console_users)
        .where(console_users.c.name == name, console_users.c.disabled_at.is_(None))
        .values(disabled_at=now)
    )
    conn.execute(delete(console_sessions).where(console_sessions.c.user_name == name))
    return result.rowcount == 1


def record_failure(conn: Connection, name: str) -> int:
    """Count one more failed sign-in; returns the failures in a row so far."""
    conn.execute(
        update(console_users)
        .where(console_users.c.name == name)
        .values(failed_sign_ins=console_users.c.failed_sign_ins + 1)
    )
    return cast(
        int,
        conn.execute(
            select(console_users.c.failed_sign_ins).where(console_users.c.name == name)
        ).scalar_one(),
    )


def clear_failures(conn: Connection, name: str) -> None:
    conn.execute(
        update(console_users)
        .where(console_users.c.name == name)
        .values(failed_sign_ins=0, blocked_until=None)
    )


def set_blocked_until(conn: Connection, name: str, blocked_until: datetime | None) -> None:
    conn.execute(
        update(console_users)
        .where(console_users.c.name == name)
        .values(blocked_until=blocked_until)
    )


def insert_session(
    conn: Connection,
    token_hash: str,
    user_name: str,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    conn.execute(
        insert(console_sessions).values(
            token_hash=token_hash,
            user_name=user_name,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
        )
    )


def live_session(conn: Connection, token_hash: str, now: datetime) -> dict[str, Any] | None:
    """The session and its user, while neither has expired nor been disabled."""
    row = (
        conn.execute(
            select(
                console_sessions.c.user_name,
                console_sessions.c.csrf_token,
                console_sessions.c.expires_at,
                console_users.c.role,
            )
            .join(console_users, console_users.c.name == console_sessions.c.user_name)
            .where(
                console_sessions.c.token_hash == token_hash,
                console_sessions.c.expires_at > now,
                console_users.c.disabled_at.is_(None),
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    vdns = conn.execute(
        select(console_user_vdns.c.vdn_id)
        .where(console_user_vdns.c.user_name == row["user_name"])
        .order_by(console_user_vdns.c.vdn_id)
    ).scalars()
    return {**row, "vdn_ids": list(vdns)}


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(console_sessions).where(console_sessions.c.token_hash == token_hash))


def delete_expired_sessions(conn: Connection, now: datetime) -> int:
    return conn.execute(
        delete(console_sessions).where(console_sessions.c.expires_at <= now)
    ).rowcount
