"""File servers of a VDN: create, change, page, pin a host key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .conflict import inserted_id
from .schema import file_servers


def create(conn: Connection, values: dict[str, Any]) -> int | None:
    """The new id, or None when the VDN already has that ip, port and user."""
    try:
        with conn.begin_nested():
            return inserted_id(conn.execute(insert(file_servers).values(**values)))
    except IntegrityError:
        return None


def get(conn: Connection, vdn_id: int, server_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(file_servers).where(file_servers.c.id == server_id, file_servers.c.vdn_id == vdn_id)
    ).first()
    return dict(row._mapping) if row else None


def change(conn: Connection, vdn_id: int, server_id: int, values: dict[str, Any]) -> bool | None:
    """True when changed; False when it no longer exists; None on a duplicate of another."""
    try:
        with conn.begin_nested():
            changed = conn.execute(
                update(file_servers)
                .where(file_servers.c.id == server_id, file_servers.c.vdn_id == vdn_id)
                .values(**values)
            ).rowcount
    except IntegrityError:
        return None
    return changed == 1


def delete(conn: Connection, vdn_id: int, server_id: int) -> int:
    return conn.execute(
        file_servers.delete().where(file_servers.c.id == server_id, file_servers.c.vdn_id == vdn_id)
    ).rowcount


def pin_host_key(conn: Connection, server_id: int, host_key: str) -> bool:
    """Pin the first key seen (guarded: only while none is pinned)."""
    return (
        conn.execute(
            update(file_servers)
            .where(file_servers.c.id == server_id, file_servers.c.host_key.is_(None))
            .values(host_key=host_key)
        ).rowcount
        == 1
    )


def page(
    conn: Connection, vdn_id: int, ids: list[int] | None, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    where = [file_servers.c.vdn_id == vdn_id]
    if ids is not None:
        where.append(file_servers.c.id.in_(ids))
    total = conn.execute(select(func.count()).select_from(file_servers).where(*where)).scalar()
    found = conn.execute(
        select(file_servers).where(*where).order_by(file_servers.c.id).offset(offset).limit(limit)
    )
    return int(total or 0), [dict(row._mapping) for row in found]
