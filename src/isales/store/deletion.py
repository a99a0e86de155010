"""Deletion safety: what a delete would do (preview), and restore from history.

The removal itself (delete, batch delete, import rollback) is ``store/numbers.py``'s."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, case, delete, func, insert, select
from sqlalchemy.sql.elements import ColumnElement

from ..domain.number_filter import NumberFilter
from ..domain.states import NumberState
from .numbers import Row, deletable, filter_conditions
from .schema import NUMBER_COPY_COLUMNS, call_batches, number_history, numbers

#: deletable numbers listed by a preview
SAMPLE_SIZE = 20


def _effective_state(now: datetime) -> ColumnElement[str]:
    """A claim whose lease ran out counts as the state it returns to (as a delete sees it)."""
    lapsed = and_(numbers.c.state == NumberState.CALLING, numbers.c.lease_until < now)
    return case((lapsed, numbers.c.state_before_claim), else_=numbers.c.state)


def preview_counts(
    conn: Connection, campaign_id: int, number_filter: NumberFilter, now: datetime
) -> dict[str, int]:
    """Matching numbers by state, in one pass over the filter's index."""
    state = _effective_state(now)
    counts = conn.execute(
        select(*(func.count().filter(state == s) for s in NumberState)).where(
            *filter_conditions(number_filter, campaign_id)
        )
    ).one()
    return dict(zip(NumberState, counts, strict=True))


def deletable_sample(
    conn: Connection, campaign_id: int, number_filter: NumberFilter, now: datetime
) -> list[Row]:
    rows = conn.execute(
        select(
            numbers.c.id,
            numbers.c.called,
            numbers.c.session_id,
            numbers.c.custom_field,
            _effective_state(now).label("state"),
        )
        .where(*filter_conditions(number_filter, campaign_id), deletable(_effective_state(now)))
        .order_by(numbers.c.id)
        .limit(SAMPLE_SIZE)
    ).mappings()
    return [dict(row) for row in rows]


# --- restore ----------------------------------------------------------------------------------


def history_for_restore(
    conn: Connection,
    vdn_id: int,
    campaign_id: int,
    data_ids: list[int] | None,
    request_id: str | None,
) -> list[Row]:
    """This campaign's history rows with those dataIds, or archived by that request; locked."""
    query = select(number_history).where(
        number_history.c.vdn_id == vdn_id, number_history.c.campaign_id == campaign_id
    )
    if data_ids is not None:
        query = query.where(number_history.c.id.in_(data_ids))
    else:
        query = query.where(number_history.c.request_id == request_id)
    rows = conn.execute(query.order_by(number_history.c.id).with_for_update()).mappings()
    return [dict(row) for row in rows]


def live_ids(conn: Connection, data_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(data_ids), 1000):
        chunk = data_ids[start : start + 1000]
        found.update(conn.execute(select(numbers.c.id).where(numbers.c.id.in_(chunk))).scalars())
    return found


def restore_rows(conn: Connection, history: list[Row], now: datetime) -> int:
    """Put archived numbers back, pending and never attempted, with their dataIds; a
    number whose batch was deleted meanwhile comes back without a batch."""
    named = {row["batch_id"] for row in history if row["batch_id"] is not None}
    batches = (
        set(conn.execute(select(call_batches.c.id).where(call_batches.c.id.in_(named))).scalars())
        if named
        else set()
    )
    restored = [
        {
            **{name: row[name] for name in NUMBER_COPY_COLUMNS},
            "batch_id": row["batch_id"] if row["batch_id"] in batches else None,
            "state": NumberState.PENDING,
            "attempts": 0,
            "next_due_at": now,
        }
        for row in history
    ]
    conn.execute(insert(numbers), restored)
    history_ids = [row["history_id"] for row in history]
    removed = 0
    for start in range(0, len(history_ids), 1000):
        chunk = history_ids[start : start + 1000]
        removed += conn.execute(
            delete(number_history).where(number_history.c.history_id.in_(chunk))
        ).rowcount
    return removed
