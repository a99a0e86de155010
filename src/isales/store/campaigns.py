"""Campaign rows: create, read, list, guarded status changes, delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..domain.states import CampaignStatus
from ..errors import CampaignNameTaken
from .conflict import inserted_id
from .schema import agent_campaigns, campaigns


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _name_conflict(conn: Connection, values: dict[str, Any], exc: IntegrityError, except_id=None):  # type: ignore[no-untyped-def]
    """A unique-name violation is 0200005; any other integrity failure stays a store failure."""
    if name_taken(conn, values["vdn_id"], values["name"], except_id):
        return CampaignNameTaken()
    return exc


def insert_campaign(conn: Connection, values: dict[str, Any]) -> int:
    try:
        with conn.begin_nested():
            return inserted_id(conn.execute(insert(campaigns).values(**values)))
    except IntegrityError as exc:
        raise _name_conflict(conn, values, exc) from exc


def name_taken(conn: Connection, vdn_id: int, name: str, except_id: int | None = None) -> bool:
    query = select(campaigns.c.id).where(campaigns.c.vdn_id == vdn_id, campaigns.c.name == name)
    if except_id is not None:
        query = query.where(campaigns.c.id != except_id)
    return conn.execute(query.limit(1)).first() is not None


_ONE_CAMPAIGN = select(campaigns).where(
    campaigns.c.id == bindparam("campaign_id"), campaigns.c.vdn_id == bindparam("vdn_id")
)
#: lock -> the statement, built once
_GET_CAMPAIGN = {
    None: _ONE_CAMPAIGN,
    "update": _ONE_CAMPAIGN.with_for_update(),
    "share": _ONE_CAMPAIGN.with_for_update(read=True),
}


def get_campaign(
    conn: Connection, vdn_id: int, campaign_id: int, lock: str | None = None
) -> dict[str, Any] | None:
    """One campaign of one VDN; ``lock`` is "update" or "share" (a no-op on SQLite)."""
    row = (
        conn.execute(_GET_CAMPAIGN[lock], {"campaign_id": campaign_id, "vdn_id": vdn_id})
        .mappings()
        .first()
    )
    return dict(row) if row else None


def update_campaign(
    conn: Connection, vdn_id: int, campaign_id: int, values: dict[str, Any]
) -> None:
    try:
        with conn.begin_nested():
            conn.execute(update(campaigns).where(campaigns.c.id == campaign_id).values(**values))
    except IntegrityError as exc:
        raise _name_conflict(conn, {**values, "vdn_id": vdn_id}, exc, campaign_id) from exc


def change_status(
    conn: Connection,
    vdn_id: int,
    campaign_id: int,
    source: CampaignStatus,
    target: CampaignStatus,
    now: datetime,
) -> bool:
    """Guarded transition: only from ``source`` and only while the campaign has not ended."""
    result = conn.execute(
        update(campaigns)
        .where(
            campaigns.c.id == campaign_id,
            campaigns.c.vdn_id == vdn_id,
            campaigns.c.status == int(source),
            campaigns.c.end_time > now,
        )
        .values(status=int(target), updated_at=now)
    )
    return result.rowcount == 1


def mark_add_call(
    conn: Connection, campaign_id: int, now: datetime, min_gap_start: datetime
) -> bool:
    """Record an add call unless the previous one was less than the minimum gap ago."""
    result = conn.execute(
        update(campaigns)
        .where(
            campaigns.c.id == campaign_id,
            or_(campaigns.c.last_add_at.is_(None), campaigns.c.last_add_at <= min_gap_start),
        )
        .values(last_add_at=now)
    )
    return result.rowcount == 1


def delete_campaign_row(conn: Connection, campaign_id: int) -> None:
    # its agents stay, working for their other campaigns
    conn.execute(delete(agent_campaigns).where(agent_campaigns.c.campaign_id == campaign_id))
    result = conn.execute(delete(campaigns).where(campaigns.c.id == campaign_id))
    assert result.rowcount == 1, "campaign row vanished under its own lock"


def _status_condition(status: CampaignStatus, now: datetime):  # type: ignore[no-untyped-def]
    if status == CampaignStatus.COMPLETED:
        return campaigns.c.end_time <= now
    return and_(campaigns.c.status == int(status), campaigns.c.end_time > now)


def list_campaigns(
    conn: Connection,
    vdn_id: int,
    now: datetime,
    *,
    name: str | None,
    status: CampaignStatus | None,
    device_type: int | None,
    begin_from: datetime | None,
    end_until: datetime | None,
    offset: int,
    limit: int,
) -> tuple[int, list[dict[str, Any]]]:
    conditions = [campaigns.c.vdn_id == vdn_id]
    if name:
        if conn.dialect.name == "sqlite":  # SQLite's LIKE ignores case; match as PostgreSQL does
            conditions.append(func.instr(campaigns.c.name, name) > 0)
        else:
            conditions.append(campaigns.c.name.like(f"%{_escape_like(name)}%", escape="\\"))
    if status is not None:
        conditions.append(_status_condition(status, now))
    if device_type is not None:
        conditions.append(campaigns.c.device_type == device_type)
    if begin_from is not None:
        conditions.append(campaigns.c.begin_time >= begin_from)
    if end_until is not None:
        conditions.append(campaigns.c.end_time <= end_until)
    total = conn.execute(
        select(func.count()).select_from(campaigns).where(*conditions)
    ).scalar_one()
    rows = conn.execute(
        select(campaigns).where(*conditions).order_by(campaigns.c.id).offset(offset).limit(limit)
    ).mappings()
    return total, [dict(row) for row in rows]


def count_active_by_device(conn: Connection, vdn_id: int, now: datetime) -> dict[int, int]:
    rows = conn.execute(
        select(campaigns.c.device_type, func.count().label("active"))
        .where(campaigns.c.vdn_id == vdn_id, campaigns.c.end_time > now)
        .group_by(campaigns.c.device_type)
    )
    return {row.device_type: row.active for row in rows}


def executing_campaigns(conn: Connection, vdn_id: int, now: datetime) -> list[dict[str, Any]]:
    """Campaigns in status 2 between their begin and end time, highest priority first."""
    rows = conn.execute(
        select(campaigns)
        .where(
            campaigns.c.vdn_id == vdn_id,
            campaigns.c.status == int(CampaignStatus.EXECUTING),
            campaigns.c.begin_time <= now,
            campaigns.c.end_time > now,
        )
        .order_by(campaigns.c.priority.is_(None), campaigns.c.priority, campaigns.c.id)
    ).mappings()
    return [dict(row) for row in rows]
