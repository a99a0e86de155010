"""Retry policies, attempt counts for applying them, and business-result write-back."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, bindparam, func, select, update

from ..domain.retry import AttemptHistory
from ..domain.states import NumberState
from .schema import call_results, campaigns, numbers


def set_retry_policy(
    conn: Connection, vdn_id: int, campaign_id: int, value: dict[str, Any], now: datetime
) -> bool:
    """Replace the campaign's retry policy; False when there is no such campaign in the VDN."""
    result = conn.execute(
        update(campaigns)
        .where(campaigns.c.id == campaign_id, campaigns.c.vdn_id == vdn_id)
        .values(retry_policy=value, updated_at=now)
    )
    return result.rowcount == 1


def attempt_history(
    conn: Connection,
    data_id: int,
    fail_code: str | None,
    day_start: datetime,
    day_end: datetime,
) -> AttemptHistory:
    """What the policy needs to know of the number's reported attempts, in one query."""
    row = conn.execute(
        _ATTEMPT_HISTORY,
        {
            "history_data_id": data_id,
            "history_fail_code": fail_code,
            "history_day_start": day_start,
            "history_day_end": day_end,
        },
    ).one()
    return AttemptHistory(first_at=row[0], today=row[1], same_code=row[2])


_ATTEMPT_HISTORY = select(
    func.min(call_results.c.reported_at),
    func.count().filter(
        call_results.c.reported_at >= bindparam("history_day_start"),
        call_results.c.reported_at < bindparam("history_day_end"),
    ),
    func.count().filter(call_results.c.fail_code == bindparam("history_fail_code")),
).where(call_results.c.data_id == bindparam("history_data_id"))


def get_number_of_vdn(conn: Connection, vdn_id: int, data_id: int) -> dict[str, Any] | None:
    """A number by its dataId alone, locked against a concurrent report (no-op on SQLite)."""
    row = (
        conn.execute(
            select(numbers)
            .where(numbers.c.id == data_id, numbers.c.vdn_id == vdn_id)
            .with_for_update()
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def latest_result_id(conn: Connection, data_id: int) -> int | None:
    return cast(
        "int | None",
        conn.execute(
            select(func.max(call_results.c.id)).where(call_results.c.data_id == data_id)
        ).scalar_one(),
    )


def write_business_result(
    conn: Connection, data_id: int, result_id: int, values: dict[str, Any]
) -> bool:
    """Store the business result on the number and on its latest attempt; True if both took."""
    on_number = conn.execute(update(numbers).where(numbers.c.id == data_id).values(**values))
    on_result = conn.execute(
        update(call_results)
        .where(call_results.c.id == result_id, call_results.c.data_id == data_id)
        .values(**values)
    )
    return on_number.rowcount == 1 and on_result.rowcount == 1


def recall(conn: Connection, data_id: int, due: datetime) -> bool:
    """Guarded: only a *completed* number goes back to *retry*, due at ``due``."""
    result = conn.execute(
        update(numbers)
        .where(numbers.c.id == data_id, numbers.c.state == NumberState.COMPLETED)
        .values(
            state=NumberState.RETRY,
            next_due_at=due,
            version=numbers.c.version + 1,
        )
    )
    return result.rowcount == 1
