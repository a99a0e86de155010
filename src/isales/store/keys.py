"""Access keys and their VDN grants."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from .schema import access_keys, key_vdns


def insert_key(
    conn: Connection, access_key: str, secret_key: str, vdn_ids: list[int], now: datetime
) -> None:
    conn.execute(
        insert(access_keys).values(access_key=access_key, secret_key=secret_key, created_at=now)
    )
    conn.execute(insert(key_vdns), [{"access_key": access_key, "vdn_id": v} for v in vdn_ids])


def find_key(conn: Connection, access_key: str) -> dict[str, Any] | None:
    """A key with its sealed secret and its revocation time, active or not."""
    row = conn.execute(select(access_keys).where(access_keys.c.access_key == access_key)).first()
    return dict(row._mapping) if row else None


def reactivate_key(
    conn: Connection, access_key: str, vdn_ids: list[int], revoked_at: object
) -> bool:
    """Guarded: clear a key's revocation (as read: ``revoked_at``) and replace its grants."""
    result = conn.execute(
        update(access_keys)
        .where(
            access_keys.c.access_key == access_key,
            access_keys.c.revoked_at.is_(None)
            if revoked_at is None
            else access_keys.c.revoked_at == revoked_at,
        )
        .values(revoked_at=None)
    )
    if result.rowcount != 1:
        return False
    conn.execute(delete(key_vdns).where(key_vdns.c.access_key == access_key))
    conn.execute(insert(key_vdns), [{"access_key": access_key, "vdn_id": v} for v in vdn_ids])
    return True


_ACTIVE_SECRET = select(access_keys.c.secret_key).where(
    access_keys.c.access_key == bindparam("access_key"), access_keys.c.revoked_at.is_(None)
)
_GRANTED_VDNS = select(key_vdns.c.vdn_id).where(key_vdns.c.access_key == bindparam("access_key"))


def active_secret(conn: Connection, access_key: str) -> str | None:
    row = conn.execute(_ACTIVE_SECRET, {"access_key": access_key}).first()
    return row.secret_key if row else None


def granted_vdns(conn: Connection, access_key: str) -> set[int]:
    rows = conn.execute(_GRANTED_VDNS, {"access_key": access_key})
    return {row.vdn_id for row in rows}


def list_keys(conn: Connection) -> list[dict[str, Any]]:
    keys = conn.execute(
        select(
            access_keys.c.access_key, access_keys.c.created_at, access_keys.c.revoked_at
        ).order_by(access_keys.c.created_at, access_keys.c.access_key)
    ).all()
    grants: dict[str, list[int]] = {}
    for row in conn.execute(select(key_vdns).order_by(key_vdns.c.vdn_id)):
        grants.setdefault(row.access_key, []).append(row.vdn_id)
    return [
        {
            "accessKey": k.access_key,
            "vdnIds": grants.get(k.access_key, []),
            "createdAt": k.created_at,
            "revokedAt": k.revoked_at,
        }
        for k in keys
    ]


def revoke_key(conn: Connection, access_key: str, now: datetime) -> bool:
    result = conn.execute(
        update(access_keys)
        .where(access_keys.c.access_key == access_key, access_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def any_sealed_secret(conn: Connection) -> tuple[str, str] | None:
    """(access key, sealed secret) of one key, revoked or not; None for a store without keys."""
    row = conn.execute(
        select(access_keys.c.access_key, access_keys.c.secret_key)
        .order_by(access_keys.c.access_key)
        .limit(1)
    ).first()
    return (row.access_key, row.secret_key) if row else None
