"""Recorded call results (one row per reported attempt): queries by campaign and by callId."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from .schema import call_results


@dataclass(frozen=True)
class ResultFilter:
    """The result query's filters, combined with AND; None means not given."""

    final_only: bool = True  # the latest final result of each number, else every attempt
    session_id: str | None = None
    custom_field: str | None = None
    reported_from: datetime | None = None  # inclusive, naive UTC
    reported_until: datetime | None = None  # exclusive, naive UTC

    def conditions(self, campaign_id: int) -> list[Any]:
        result = [call_results.c.campaign_id == campaign_id]
        if self.final_only:
            # a number recalled after completing (business-result policy) has several
            later = call_results.alias("later")
            later_final = select(later.c.id).where(
                later.c.data_id == call_results.c.data_id,
                later.c.final == 1,
                later.c.id > call_results.c.id,
            )
            result += [call_results.c.final == 1, ~later_final.exists()]
        if self.session_id is not None:
            result.append(call_results.c.session_id == self.session_id)
        if self.custom_field is not None:
            result.append(call_results.c.custom_field == self.custom_field)
        if self.reported_from is not None:
            result.append(call_results.c.reported_at >= self.reported_from)
        if self.reported_until is not None:
            result.append(call_results.c.reported_at < self.reported_until)
        return result


def result_page(
    conn: Connection, campaign_id: int, result_filter: ResultFilter, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """(how many results match, the page of them in report order)."""
    conditions = result_filter.conditions(campaign_id)
    total = conn.execute(
        select(func.count()).select_from(call_results).where(*conditions)
    ).scalar_one()
    rows = conn.execute(
        select(call_results)
        .where(*conditions)
        .order_by(call_results.c.reported_at, call_results.c.id)
        .offset(offset)
        .limit(limit)
    ).mappings()
    return total, [dict(row) for row in rows]


def result_by_call_id(conn: Connection, vdn_id: int, call_id: str) -> dict[str, Any] | None:
    """The latest result of the VDN carrying this callId (a dialer may reuse one)."""
    row = (
        conn.execute(
            select(call_results)
            .where(call_results.c.call_id == call_id, call_results.c.vdn_id == vdn_id)
            .order_by(call_results.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def fail_counts(
    conn: Connection, campaign_id: int, reported_from: datetime, reported_until: datetime
) -> dict[str, int]:
    """Failed attempts (callStatus 5) reported in [from, until), counted by failCode."""
    rows = conn.execute(
        select(call_results.c.fail_code, func.count().label("n"))
        .where(
            call_results.c.campaign_id == campaign_id,
            call_results.c.reported_at >= reported_from,
            call_results.c.reported_at < reported_until,
            call_results.c.call_status == "5",
        )
        .group_by(call_results.c.fail_code)
    )
    return {row.fail_code or "": row.n for row in rows}
