"""Blacklist entries per VDN, and the conditions the add and claim paths check against them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from ..domain.blacklist import PER_DAY, PER_HOUR, QuotaPeriods
from ..domain.states import NumberState
from .schema import blacklist, call_results, numbers

_REPLACED = (
    "expires_at",
    "restrict_times",
    "restrict_period",
    "category_id",
    "type_id",
    "created_at",
)


def _valid(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    return or_(blacklist.c.expires_at.is_(None), blacklist.c.expires_at > now)


def put_entries(
    conn: Connection, rows: list[dict[str, Any]], now: datetime, overwrite: bool
) -> set[str]:
    """Insert entries of one VDN; return the numbers written.

    An existing entry of the same number is replaced when it has expired, or always with
    ``overwrite``; otherwise it is left as it is and its number is not returned. One
    INSERT ... ON CONFLICT statement, so a concurrent add of the same number cannot slip
    between a check and the write.
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(blacklist).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[blacklist.c.vdn_id, blacklist.c.number],
        set_={name: statement.excluded[name] for name in _REPLACED},
        where=None if overwrite else blacklist.c.expires_at <= now,
    )
    return {row.number for row in conn.execute(statement.returning(blacklist.c.number))}


def _filters(vdn_id: int, category_id: str | None, type_id: str | None) -> list[Any]:
    conditions = [blacklist.c.vdn_id == vdn_id]
    if category_id is not None:
        conditions.append(blacklist.c.category_id == category_id)
    if type_id is not None:
        conditions.append(blacklist.c.type_id == type_id)
    return conditions


def entries_for(
    conn: Connection,
    vdn_id: int,
    numbers_: list[str],
    category_id: str | None = None,
    type_id: str | None = None,
) -> list[dict[str, Any]]:
    """The entries (valid or expired) of these numbers, in the order the numbers were given."""
    query = select(blacklist).where(
        *_filters(vdn_id, category_id, type_id), blacklist.c.number.in_(numbers_)
    )
    found = {row["number"]: dict(row) for row in conn.execute(query).mappings()}
    return [found[number] for number in numbers_ if number in found]


def page(
    conn: Connection,
    vdn_id: int,
    category_id: str | None,
    type_id: str | None,
    offset: int,
    limit: int,
) -> tuple[int, list[dict[str, Any]]]:
    conditions = _filters(vdn_id, category_id, type_id)
    total = conn.execute(
        select(func.count()).select_from(blacklist).where(*conditions)
    ).scalar_one()
    rows = conn.execute(
        select(blacklist).where(*conditions).order_by(blacklist.c.id).offset(offset).limit(limit)
    ).mappings()
    return total, [dict(row) for row in rows]


def delete_number(conn: Connection, vdn_id: int, number: str) -> int:
    return conn.execute(
        delete(blacklist).where(blacklist.c.vdn_id == vdn_id, blacklist.c.number == number)
    ).rowcount


def delete_all(conn: Connection, vdn_id: int) -> int:
    return conn.execute(delete(blacklist).where(blacklist.c.vdn_id == vdn_id)).rowcount


#: numbers per IN list (a v2 add may carry tens of thousands; SQLite allows 32,766 variables)
LOOKUP_CHUNK = 500


_BLOCKING = (
    blacklist.c.vdn_id == bindparam("vdn_id"),
    _valid(bindparam("now")),
    blacklist.c.restrict_times.is_(None),
)
_BLOCKED_IN = select(blacklist.c.number).where(
    *_BLOCKING, blacklist.c.number.in_(bindparam("numbers", expanding=True))
)
# PostgreSQL: one array parameter; an IN list of 500 placeholders cost the driver more to
# parse than the lookup itself (an import chunk asks for 1,000 numbers)
_BLOCKED_ANY = select(blacklist.c.number).where(
    *_BLOCKING, blacklist.c.number == any_(bindparam("numbers", type_=postgresql.ARRAY(String)))
)


def blocked_for_add(conn: Connection, vdn_id: int, numbers_: list[str], now: datetime) -> list[str]:
    """Those of ``numbers_`` with a valid entry without a call quota, sorted."""
    distinct = sorted(set(numbers_))
    if not distinct:
        return []
    params: dict[str, Any] = {"vdn_id": vdn_id, "now": now}
    if conn.dialect.name == "postgresql":
        return sorted(conn.execute(_BLOCKED_ANY, {**params, "numbers": distinct}).scalars())
    blocked: list[str] = []
    for start in range(0, len(distinct), LOOKUP_CHUNK):
        chunk = distinct[start : start + LOOKUP_CHUNK]
        blocked.extend(conn.execute(_BLOCKED_IN, {**params, "numbers": chunk}).scalars())
    return sorted(blocked)


def claimable(
    vdn_id: ColumnElement[Any],
    called: ColumnElement[Any],
    now: datetime | ColumnElement[datetime],
    quota: QuotaPeriods,
) -> ColumnElement[bool]:
    """NOT EXISTS a valid entry of (``vdn_id``, ``called``) that forbids a call now.

    An entry with a quota forbids the call once the attempts of the current period reach
    ``restrict_times``: results reported for that number in the VDN since the period began,
    plus the calls to it in progress (claims whose lease has not run out).
    """
    since = or_(
        and_(
            blacklist.c.restrict_period == PER_HOUR, call_results.c.reported_at >= quota.hour_start
        ),
        and_(blacklist.c.restrict_period == PER_DAY, call_results.c.reported_at >= quota.day_start),
    )
    reported = (
        select(func.count())
        .select_from(call_results)
        .where(
            call_results.c.vdn_id == blacklist.c.vdn_id,
            call_results.c.called == blacklist.c.number,
            since,
        )
        .scalar_subquery()
    )
    in_flight = numbers.alias("in_flight")
    calling = (
        select(func.count())
        .select_from(in_flight)
        .where(
            in_flight.c.state == NumberState.CALLING,
            in_flight.c.lease_until >= now,
            in_flight.c.vdn_id == blacklist.c.vdn_id,
            in_flight.c.called == blacklist.c.number,
        )
        .scalar_subquery()
    )
    forbidding = exists().where(
        blacklist.c.vdn_id == vdn_id,
        blacklist.c.number == called,
        _valid(now),
        or_(blacklist.c.restrict_times.is_(None), reported + calling >= blacklist.c.restrict_times),
    )
    return not_(forbidding)
