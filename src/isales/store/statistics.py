"""Statistics: per-campaign counters over numbers and call results; flow-control marks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, distinct, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..domain.dialing import ABANDONED_FAIL_CODE
from ..domain.states import CONNECTED, NumberState
from .schema import call_results, campaigns, flow_marks, numbers

#: the counters of number_counts and result_counts, in select order
_NUMBER_COUNTERS = ("uncalled", "completed", "total", "added_today")
_RESULT_COUNTERS = (
    "numbers_called_today",
    "numbers_finished_today",
    "numbers_called",
    "numbers_connected",
    "calls_today",
    "connected_calls_today",
    "final_calls_today",
)


def campaign_ids(conn: Connection, vdn_id: int) -> list[int]:
    query = select(campaigns.c.id).where(campaigns.c.vdn_id == vdn_id).order_by(campaigns.c.id)
    return list(conn.execute(query).scalars())


def _grouped(
    conn: Connection, query: Select[Any], campaign_ids: list[int], names: tuple[str, ...]
) -> dict[int, dict[str, int]]:
    """Rows of (campaign_id, *counters) by campaign; zeros for a campaign without rows."""
    found = {row[0]: dict(zip(names, row[1:], strict=True)) for row in conn.execute(query)}
    return {cid: found.get(cid, dict.fromkeys(names, 0)) for cid in campaign_ids}


def number_counts(
    conn: Connection,
    campaign_ids: list[int],
    custom_field: str | None,
    day_from: datetime,
    day_until: datetime,
) -> dict[int, dict[str, int]]:
    """Per campaign: pending, completed and all numbers, and numbers added in the day."""
    state = numbers.c.state
    added_today = and_(numbers.c.created_at >= day_from, numbers.c.created_at < day_until)
    query = select(
        numbers.c.campaign_id,
        func.count().filter(state == NumberState.PENDING),
        func.count().filter(state == NumberState.COMPLETED),
        func.count(),
        func.count().filter(added_today),
    ).where(numbers.c.campaign_id.in_(campaign_ids))
    if custom_field is not None:
        query = query.where(numbers.c.custom_field == custom_field)
    query = query.group_by(numbers.c.campaign_id)
    return _grouped(conn, query, campaign_ids, _NUMBER_COUNTERS)


def result_counts(
    conn: Connection,
    campaign_ids: list[int],
    custom_field: str | None,
    day_from: datetime,
    day_until: datetime,
) -> dict[int, dict[str, int]]:
    """Per campaign: numbers (distinct dataIds) and calls (attempts), all-time and in the day."""
    today = and_(call_results.c.reported_at >= day_from, call_results.c.reported_at < day_until)
    connected = call_results.c.call_status == CONNECTED
    final = call_results.c.final == 1
    data_ids = func.count(distinct(call_results.c.data_id))
    query = select(
        call_results.c.campaign_id,
        data_ids.filter(today),
        data_ids.filter(and_(today, final)),
        data_ids,
        data_ids.filter(connected),
        func.count().filter(today),
        func.count().filter(and_(today, connected)),
        func.count().filter(and_(today, final)),
    ).where(call_results.c.campaign_id.in_(campaign_ids))
    if custom_field is not None:
        query = query.where(call_results.c.custom_field == custom_field)
    query = query.group_by(call_results.c.campaign_id)
    return _grouped(conn, query, campaign_ids, _RESULT_COUNTERS)


def counts(
    conn: Connection,
    campaign_ids: list[int],
    custom_field: str | None,
    day_from: datetime,
    day_until: datetime,
) -> dict[int, dict[str, int]]:
    """Every counter of ``number_counts`` and ``result_counts``, per campaign."""
    by_number = number_counts(conn, campaign_ids, custom_field, day_from, day_until)
    by_result = result_counts(conn, campaign_ids, custom_field, day_from, day_until)
    return {cid: {**by_number[cid], **by_result[cid]} for cid in campaign_ids}


#: the AMD decision in a result's telephony detail ("" when detection did not run)
_AMD = func.coalesce(call_results.c.telephony["amd"].as_string(), "")
_ABANDONED = call_results.c.fail_code == ABANDONED_FAIL_CODE
#: answered by a person: connected and not taken for a machine by AMD, or abandoned (a
#: person answered and no agent was free)
_LIVE = or_(and_(call_results.c.call_status == CONNECTED, _AMD != "machine"), _ABANDONED)
_ABANDON_COUNTERS = ("live_answers", "abandoned")
#: one range of the (campaign_id, reported_at) index per campaign: the window's results only
ABANDON_COUNTS = (
    select(
        call_results.c.campaign_id,
        func.count().filter(_LIVE),
        func.count().filter(_ABANDONED),
    )
    .where(
        call_results.c.campaign_id.in_(bindparam("campaign_ids", expanding=True)),
        call_results.c.reported_at >= bindparam("since"),
    )
    .group_by(call_results.c.campaign_id)
)


def abandon_counts(
    conn: Connection, campaign_ids: list[int], since: datetime
) -> dict[int, dict[str, int]]:
    """Per campaign: live answers and abandoned calls reported at or after ``since``."""
    if not campaign_ids:
        return {}
    query = ABANDON_COUNTS.params(campaign_ids=campaign_ids, since=since)
    return _grouped(conn, query, campaign_ids, _ABANDON_COUNTERS)


def live_agent_campaigns(
    conn: Connection, device_types: frozenset[int], now: datetime
) -> list[dict[str, Any]]:
    """Campaigns of any VDN in these modes that have not ended: VDN, id and abandon settings."""
    rows = conn.execute(
        select(
            campaigns.c.vdn_id, campaigns.c.id, campaigns.c.abandon_window, campaigns.c.abandon_cap
        ).where(campaigns.c.device_type.in_(sorted(device_types)), campaigns.c.end_time > now)
    ).mappings()
    return [dict(row) for row in rows]


def abandon_windows(conn: Connection, campaign_ids: list[int]) -> dict[int, str | None]:
    """Each campaign's ``abandon_window`` column (None: the default)."""
    if not campaign_ids:
        return {}
    rows = conn.execute(
        select(campaigns.c.id, campaigns.c.abandon_window).where(campaigns.c.id.in_(campaign_ids))
    )
    return {row.id: row.abandon_window for row in rows}


def take_flow_mark(conn: Connection, key: str, now: datetime, last_allowed: datetime) -> bool:
    """Guarded: True, and the mark moves to ``now``, when ``key`` last ran at or before
    ``last_allowed`` or never ran; False otherwise (nothing changes).

    The UPDATE re-checks its condition on a row another transaction just moved, and the
    INSERT does nothing on a key another transaction just created, so of two concurrent
    callers (any processes) at most one gets True.
    """
    column = flow_marks.c["key"]
    moved = conn.execute(
        update(flow_marks)
        .where(column == key, flow_marks.c.last_at <= last_allowed)
        .values(last_at=now)
    ).rowcount
    if moved:
        return True
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    created = conn.execute(
        dialect_insert(flow_marks)
        .values({"key": key, "last_at": now})
        .on_conflict_do_nothing(index_elements=[column])
        .returning(column)
    ).first()
    return created is not None
