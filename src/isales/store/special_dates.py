"""Special dates (holidays) of campaigns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select

from .conflict import inserted_id
from .schema import special_dates

_OF_CAMPAIGN = (
    select(special_dates)
    .where(special_dates.c.campaign_id == bindparam("campaign_id"))
    .order_by(special_dates.c.id)
)


def list_for_campaign(conn: Connection, campaign_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(_OF_CAMPAIGN, {"campaign_id": campaign_id}).mappings()
    return [dict(row) for row in rows]


def by_campaign(conn: Connection, campaign_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The special dates of several campaigns in one query: {campaign id: [rows]}."""
    found: dict[int, list[dict[str, Any]]] = {campaign_id: [] for campaign_id in campaign_ids}
    rows = conn.execute(
        select(special_dates)
        .where(special_dates.c.campaign_id.in_(campaign_ids))
        .order_by(special_dates.c.id)
    ).mappings()
    for row in rows:
        found[row["campaign_id"]].append(dict(row))
    return found


def count_for_campaign(conn: Connection, campaign_id: int) -> int:
    return conn.execute(
        select(func.count())
        .select_from(special_dates)
        .where(special_dates.c.campaign_id == campaign_id)
    ).scalar_one()


def name_taken(conn: Connection, campaign_id: int, name: str) -> bool:
    query = select(special_dates.c.id).where(
        special_dates.c.campaign_id == campaign_id, special_dates.c.name == name
    )
    return conn.execute(query).first() is not None


def insert_special_date(
    conn: Connection, campaign_id: int, values: dict[str, Any], now: datetime
) -> int:
    result = conn.execute(
        insert(special_dates).values(**values, campaign_id=campaign_id, created_at=now)
    )
    return inserted_id(result)


def delete_special_date(
    conn: Connection, campaign_id: int, name: str | None, date_id: int | None
) -> int:
    condition = special_dates.c.name == name if name is not None else special_dates.c.id == date_id
    return conn.execute(
        delete(special_dates).where(special_dates.c.campaign_id == campaign_id, condition)
    ).rowcount


def delete_for_campaign(conn: Connection, campaign_id: int) -> int:
    """Every special date of a campaign (a campaign delete must remove them first: foreign key)."""
    return conn.execute(
        delete(special_dates).where(special_dates.c.campaign_id == campaign_id)
    ).rowcount
