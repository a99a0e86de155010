"""Reads for the console: campaigns with their numbers by state, number search, outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from ..domain.states import NumberState
from .schema import call_results, campaigns, numbers


@dataclass(frozen=True)
class NumberSearch:
    """Filters of the console's number search, combined with AND; None means not given."""

    called: str | None = None
    session_id: str | None = None
    custom_field: str | None = None
    state: NumberState | None = None

    def conditions(self, campaign_id: int) -> list[Any]:
        result = [numbers.c.campaign_id == campaign_id]
        for column, value in (
            (numbers.c.called, self.called),
            (numbers.c.session_id, self.session_id),
            (numbers.c.custom_field, self.custom_field),
            (numbers.c.state, self.state),
        ):
            if value is not None:
                result.append(column == value)
        return result


def campaigns_of(conn: Connection, vdn_ids: list[int]) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(campaigns)
        .where(campaigns.c.vdn_id.in_(vdn_ids))
        .order_by(campaigns.c.vdn_id, campaigns.c.id)
    ).mappings()
    return [dict(row) for row in rows]


def numbers_by_state(conn: Connection, campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per campaign: how many numbers in each state (every state present, zeros included)."""
    counts: dict[int, dict[str, int]] = {cid: dict.fromkeys(NumberState, 0) for cid in campaign_ids}
    if not campaign_ids:
        return counts
    query = (
        select(numbers.c.campaign_id, numbers.c.state, func.count())
        .where(numbers.c.campaign_id.in_(campaign_ids))
        .group_by(numbers.c.campaign_id, numbers.c.state)
    )
    for campaign_id, state, count in conn.execute(query):
        counts[campaign_id][NumberState(state)] = count
    return counts


def search_numbers(
    conn: Connection, campaign_id: int, search: NumberSearch, after_id: int, limit: int
) -> list[dict[str, Any]]:
    """One page in dataId order after ``after_id`` (keyset paging: no OFFSET, no total).

    Each filter has an index that starts with ``campaign_id``; SQLite's indexes end with
    the rowid, so a filtered page is read in order straight from the index.
    """
    rows = conn.execute(
        select(numbers)
        .where(*search.conditions(campaign_id), numbers.c.id > after_id)
        .order_by(numbers.c.id)
        .limit(limit)
    ).mappings()
    return [dict(row) for row in rows]


def outcomes(
    conn: Connection, campaign_id: int, reported_from: datetime, reported_until: datetime
) -> list[tuple[str, str | None, int]]:
    """Call results reported in [from, until), counted by (callStatus, failCode)."""
    query = (
        select(call_results.c.call_status, call_results.c.fail_code, func.count())
        .where(
            call_results.c.campaign_id == campaign_id,
            call_results.c.reported_at >= reported_from,
            call_results.c.reported_at < reported_until,
        )
        .group_by(call_results.c.call_status, call_results.c.fail_code)
        .order_by(func.count().desc(), call_results.c.call_status, call_results.c.fail_code)
    )
    return [(status, fail_code, count) for status, fail_code, count in conn.execute(query)]


def calling_numbers(
    conn: Connection, campaign_id: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """Numbers of the campaign in state calling (a dialer holds them now): how many, and
    the first ``limit`` in dataId order; both read the (campaign_id, state) index."""
    calling = [numbers.c.campaign_id == campaign_id, numbers.c.state == NumberState.CALLING]
    total = conn.execute(select(func.count()).select_from(numbers).where(*calling)).scalar_one()
    rows = conn.execute(
        select(numbers.c.id, numbers.c.called, numbers.c.attempts, numbers.c.lease_until)
        .where(*calling)
        .order_by(numbers.c.id)
        .limit(limit)
    ).mappings()
    return int(total), [dict(row) for row in rows]


def results_reported(
    conn: Connection, campaign_id: int, now: datetime, spans: tuple[timedelta, ...]
) -> tuple[int, ...]:
    """Call results (attempts that ended) reported within each span before ``now``: one
    range of the (campaign_id, reported_at) index, as long as the longest span."""
    reported = call_results.c.reported_at
    query = select(*(func.count().filter(reported >= now - span) for span in spans)).where(
        call_results.c.campaign_id == campaign_id, reported >= now - max(spans)
    )
    return tuple(int(n) for n in conn.execute(query).one())
