"""A campaign's numbers ("call data") in SQL: the one module that builds the statements
which add, claim and remove them.

Every hot-path statement is built once, with bind parameters (docs/architecture.md,
"Transactions"): the claim (and its local-time and reserved-call variants, from one
builder), the removal (delete, or archive = delete), the deletable predicate and the
count of what a removal keeps. ``services/campaign_numbers.py`` is the one caller that
decides when they run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import chain
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Executable,
    Integer,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import CTE, Select

from ..domain.blacklist import QuotaPeriods
from ..domain.number_filter import NumberFilter
from ..domain.reservations import ReservationState
from ..domain.states import CLAIMABLE, DELETABLE, NumberState
from ..errors import StoreFailure
from . import batches as batch_store
from . import blacklist as blacklist_store
from .schema import (
    NUMBER_COPY_COLUMNS,
    call_results,
    campaign_counters,
    number_history,
    numbers,
    reservations,
)

#: rows per INSERT statement when importing
INSERT_CHUNK = 500

Row = dict[str, Any]

__all__ = ["NumberFilter"]  # domain/number_filter.py's, importable from here as it was


#: the filters that match one column by equality
_EQUAL_FILTERS = ("batch_id", "import_task_id", "session_id", "called", "custom_field")


def filter_params(number_filter: NumberFilter, campaign_id: int) -> dict[str, Any]:
    """The values of :func:`_filter_conditions`'s bind parameters."""
    values: dict[str, Any] = {"match_campaign_id": campaign_id}
    values |= {f"match_{name}": getattr(number_filter, name) for name in _EQUAL_FILTERS}
    if number_filter.recycle is not None:
        values["match_recycle_upper"] = number_filter.recycle.upper
        values["match_recycle_lower"] = number_filter.recycle.lower
    return values


def filter_conditions(number_filter: NumberFilter, campaign_id: int) -> list[ColumnElement[bool]]:
    """The filter with its values inlined (reads that are not on a hot path)."""
    result = [numbers.c.campaign_id == campaign_id]
    for name in _EQUAL_FILTERS:
        if getattr(number_filter, name) is not None:
            result.append(numbers.c[name] == getattr(number_filter, name))
    recycle = number_filter.recycle
    if recycle is not None:
        result.append(numbers.c.recycle_time < recycle.upper)
        if recycle.lower is not None:
            result.append(numbers.c.recycle_time >= recycle.lower)
    return result


def _filter_conditions(shape: tuple[str, ...]) -> list[ColumnElement[bool]]:
    """A filter's conditions with bind parameters, so one statement serves every value."""
    result = [numbers.c.campaign_id == bindparam("match_campaign_id")]
    for name in _EQUAL_FILTERS:
        if name in shape:
            result.append(numbers.c[name] == bindparam(f"match_{name}"))
    if "recycle" in shape:
        result.append(numbers.c.recycle_time < bindparam("match_recycle_upper"))
        if "recycle_lower" in shape:
            result.append(numbers.c.recycle_time >= bindparam("match_recycle_lower"))
    return result


#: ``state || ''``: the same value, but no index on ``state`` may drive the statement.
#: Without ANALYZE statistics SQLite ranks an equality on (campaign_id, state) above the
#: filter's own index and walks every pending number of the campaign (measured: 130 ms
#: instead of 0.1 ms on a million numbers). The filter, or the due index, must lead.
_STATE_NOT_INDEXED: ColumnElement[str] = numbers.c.state.concat("")


def deletable(state: ColumnElement[str] = _STATE_NOT_INDEXED) -> ColumnElement[bool]:
    """The one "may be deleted" predicate (``domain/states.py`` ``DELETABLE``), on the
    number's state or on another expression of it (the preview's effective state)."""
    return state.in_(DELETABLE)


_UNCOMPLETED = select(campaign_counters.c.uncompleted).where(
    campaign_counters.c.campaign_id == bindparam("campaign_id")
)


def count_uncompleted(conn: Connection, campaign_id: int) -> int:
    """The campaign's uncompleted numbers: a counter the store's triggers keep (migration
    0003) in the transaction of every insert, delete and state change of ``numbers``."""
    found = conn.execute(_UNCOMPLETED, {"campaign_id": campaign_id}).scalar_one_or_none()
    return int(found or 0)


_INSERT_IN_ORDER = insert(numbers).returning(numbers.c.id, sort_by_parameter_order=True)
_INSERT = insert(numbers).returning(numbers.c.id)


def insert_numbers(conn: Connection, rows: list[Row]) -> list[int]:
    """Insert rows (in order) and return their ids (dataIds) in the same order."""
    ids: list[int] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        if conn.dialect.name == "sqlite":
            # Multi-row INSERT … RETURNING (SQLAlchemy falls back to one INSERT per row when
            # asked for parameter order on SQLite). The write transaction holds SQLite's only
            # write lock, so the ids are allocated in VALUES order: sorted, they are in order.
            ids.extend(sorted(row.id for row in conn.execute(_INSERT, chunk)))
        else:
            ids.extend(row.id for row in conn.execute(_INSERT_IN_ORDER, chunk))
    return ids


_GET_NUMBER = select(numbers).where(
    numbers.c.id == bindparam("data_id"), numbers.c.campaign_id == bindparam("campaign_id")
)


def _sqlite_binders(
    dialect: Any, columns: tuple[str, ...]
) -> list[tuple[int, Callable[[Any], Any]]]:
    """(position, SQLAlchemy's own bind processor) of the columns that need one (times,
    JSON): the values are stored exactly as a Core INSERT would store them."""
    binders: list[tuple[int, Callable[[Any], Any]]] = []
    for position, name in enumerate(columns):
        processor = numbers.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            binders.append((position, processor))
    return binders


def load_numbers(conn: Connection, rows: list[Row]) -> None:
    """Insert rows whose ids nobody needs (file import): PostgreSQL ``COPY``, SQLite one
    ``executemany`` on the driver's cursor. The counter triggers fire for both.

    Both bypass SQLAlchemy's per-row statement machinery (building and processing a
    parameter dict per row cost as much as SQLite's own insert), in the transaction of
    ``conn``."""
    if not rows:
        return
    columns = tuple(dict.fromkeys(chain.from_iterable(rows)))  # every row's keys, in order
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if conn.dialect.name != "postgresql":
            binders = _sqlite_binders(conn.dialect, columns)
            # the chunk's rows share their times (and NULLs): each object is bound once; the
            # rows keep every object alive, so an id names one object throughout
            bound: dict[int, Any] = {}
            values = []
            for row in rows:
                value = [row.get(name) for name in columns]
                for position, processor in binders:
                    raw = value[position]
                    key = id(raw)
                    if key not in bound:
                        bound[key] = processor(raw)
                    value[position] = bound[key]
                values.append(value)
            marks = ", ".join("?" * len(columns))
            cursor.executemany(
                f"INSERT INTO numbers ({', '.join(columns)}) VALUES ({marks})", values
            )
            return
        json_columns = {name for name in columns if isinstance(numbers.c[name].type, JSON)}
        with cursor.copy(f"COPY numbers ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row.get(name)) if name in json_columns else row.get(name)
                        for name in columns
                    ]
                )
    except conn.dialect.loaded_dbapi.Error as exc:  # the driver's own, not SQLAlchemy's
        raise StoreFailure() from exc
    finally:
        cursor.close()


def get_number(conn: Connection, campaign_id: int, data_id: int) -> Row | None:
    row = (
        conn.execute(_GET_NUMBER, {"data_id": data_id, "campaign_id": campaign_id})
        .mappings()
        .first()
    )
    return dict(row) if row else None


# --- removal: delete, or archive = delete ----------------------------------------------------

_HISTORY_TARGET = [*NUMBER_COPY_COLUMNS, "archived_at", "archived_by", "request_id", "reason"]


@cache
def _removal(
    shape: tuple[str, ...],
    only_deletable: bool,
    archive: bool,
    dialect: str,
    count_kept: bool = False,
) -> tuple[Executable, ...]:
    """The statements of :func:`remove_matching` for one filter shape, built once.

    The set archived is exactly the set deleted. PostgreSQL does both in one statement
    (a data-modifying CTE: the two-statement form loses rows under READ COMMITTED).
    SQLite runs INSERT ... SELECT then DELETE with the same WHERE inside one BEGIN
    IMMEDIATE transaction, which excludes every other writer in between; the two counts
    are compared all the same (:func:`remove_matching`).
    """
    conditions = _filter_conditions(shape)
    if only_deletable:
        conditions.append(deletable())
    if not archive:
        return (delete(numbers).where(*conditions),)
    extra = [
        bindparam("archive_archived_at", type_=numbers.c.created_at.type).label("archived_at"),
        bindparam("archive_archived_by", type_=number_history.c.archived_by.type).label(
            "archived_by"
        ),
        bindparam("archive_request_id", type_=number_history.c.request_id.type).label("request_id"),
        bindparam("archive_reason", type_=number_history.c.reason.type).label("reason"),
    ]
    copy_columns = [numbers.c[name] for name in NUMBER_COPY_COLUMNS]
    if dialect == "postgresql":
        moved = delete(numbers).where(*conditions).returning(*copy_columns).cte("moved")
        source = select(*(moved.c[name] for name in NUMBER_COPY_COLUMNS), *extra)
        archived = (
            insert(number_history)
            .from_select(_HISTORY_TARGET, source)
            .returning(number_history.c.id)
            .cte("archived")
        )
        # count what was inserted (rowcount is not reported for this statement shape)
        removed = select(func.count()).select_from(archived)
        if not count_kept:
            return (removed,)
        # and what the filter matches but must keep, in the same snapshot: before the
        # removed rows die (counted after the delete, the same index walk visits each of
        # their heap tuples to find it dead)
        kept = cast(Select[Any], _kept_count(shape)).subquery("kept")
        return (select(removed.scalar_subquery().label("removed"), *kept.c),)
    source = select(*copy_columns, *extra).where(*conditions)
    return (
        insert(number_history).from_select(_HISTORY_TARGET, source),
        delete(numbers).where(*conditions),
    )


def remove_matching(
    conn: Connection,
    campaign_id: int,
    number_filter: NumberFilter,
    *,
    archive: bool,
    now: datetime,
    archived_by: str,
    request_id: str,
    reason: str,
    only_deletable: bool = True,
) -> int:
    """Delete the numbers a filter matches (the deletable ones, unless ``only_deletable``
    is False: a campaign delete, which has checked that none is being called); with
    ``archive`` move them to history. Returns how many were removed."""
    statements = _removal(number_filter.shape, only_deletable, archive, conn.dialect.name)
    params = filter_params(number_filter, campaign_id)
    if archive:
        params |= {
            "archive_archived_at": now,
            "archive_archived_by": archived_by,
            "archive_request_id": request_id,
            "archive_reason": reason,
        }
    if len(statements) == 1:
        result = conn.execute(statements[0], params)
        return int(result.scalar_one()) if archive else result.rowcount
    archived = conn.execute(statements[0], params).rowcount
    deleted = conn.execute(statements[1], params).rowcount
    if archived != deleted:
        raise StoreFailure(f"archived {archived} numbers but deleted {deleted}; rolled back")
    return deleted


def remove_matching_counting_kept(
    conn: Connection,
    campaign_id: int,
    number_filter: NumberFilter,
    *,
    archive: bool,
    now: datetime,
    archived_by: str,
    request_id: str,
    reason: str,
) -> tuple[int, dict[str, int]]:
    """:func:`remove_matching` (deletable numbers only) and :func:`kept_by_state` after it,
    as (removed, kept by state). PostgreSQL, archived: both in the removal's one statement,
    whose snapshot is the transaction's state before the removal, so the kept count is the
    count taken after it (the removal only removes deletable numbers, which it does not
    count)."""
    if not (archive and conn.dialect.name == "postgresql"):
        removed = remove_matching(
            conn,
            campaign_id,
            number_filter,
            archive=archive,
            now=now,
            archived_by=archived_by,
            request_id=request_id,
            reason=reason,
        )
        return removed, kept_by_state(conn, campaign_id, number_filter)
    (statement,) = _removal(number_filter.shape, True, True, conn.dialect.name, True)
    params = filter_params(number_filter, campaign_id) | {
        "archive_archived_at": now,
        "archive_archived_by": archived_by,
        "archive_request_id": request_id,
        "archive_reason": reason,
    }
    removed, *counts = conn.execute(statement, params).one()
    return int(removed), _kept(counts)


#: the states a removal keeps, in the order of ``NumberState``
_KEPT = [state for state in NumberState if state not in DELETABLE]


@cache
def _kept_count(shape: tuple[str, ...]) -> Executable:
    counts = [func.count().filter(numbers.c.state == state) for state in _KEPT]
    return select(*counts).where(*_filter_conditions(shape))


def kept_by_state(
    conn: Connection, campaign_id: int, number_filter: NumberFilter
) -> dict[str, int]:
    """Matching numbers a removal must keep, counted by state.

    One filtered count per state, without GROUP BY, so the planner keeps using the
    filter's own index instead of walking the whole campaign in state order.
    """
    counts = conn.execute(
        _kept_count(number_filter.shape), filter_params(number_filter, campaign_id)
    )
    return _kept(counts.one())


def _kept(counts: Sequence[int]) -> dict[str, int]:
    return {state: n for state, n in zip(_KEPT, counts, strict=True) if n}


def count_calling(conn: Connection, campaign_id: int) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(numbers)
            .where(numbers.c.campaign_id == campaign_id, numbers.c.state == NumberState.CALLING)
        ).scalar_one()
    )


# --- claims: numbers (in due order, or per local-time zone) and reserved calls -------------

#: the bind parameters every claim statement shares
_CLAIM_NOW = bindparam("claim_now", type_=DateTime())
_CLAIM_QUOTA = QuotaPeriods(
    bindparam("quota_hour_start", type_=DateTime()),  # type: ignore[arg-type]
    bindparam("quota_day_start", type_=DateTime()),  # type: ignore[arg-type]
)
_CLAIM_LIMIT = bindparam("claim_limit", type_=Integer())


def _candidates(
    table: Table,
    conditions: Sequence[ColumnElement[bool]],
    due: ColumnElement[Any],
    limit: ColumnElement[Any],
    *columns: ColumnElement[Any],
) -> Select[Any]:
    """The claim's candidates (their ids, and ``columns``): the first ``limit`` rows meeting
    ``conditions`` in (due, id) order, locked FOR UPDATE SKIP LOCKED, so concurrent claims
    take different rows and never wait for each other. SQLite drops the locking clause;
    its single writer makes the claim atomic. Always used inside a WITH query: PostgreSQL
    evaluates it once, where an ``IN (subquery ... LIMIT)`` could claim more than
    ``limit`` (bug #15715)."""
    return (
        select(table.c.id, *columns)
        .where(*conditions)
        .order_by(due, table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def _take(table: Table, candidates: CTE, values: dict[str, Any]) -> Executable:
    """The claim itself: the candidates become *calling* under the claimer's lease."""
    return (
        update(table)
        .where(table.c.id == candidates.c.id)
        .values(
            lease_owner=bindparam("claim_owner"),
            lease_until=bindparam("claim_lease_until", type_=DateTime()),
            **values,
        )
        .returning(*table.c)
    )


#: a claimed number: *calling*, remembering the state a lapsed lease returns it to
_CALLING = {
    "state": NumberState.CALLING,
    "state_before_claim": numbers.c.state,
    "version": numbers.c.version + 1,
}


def _due_numbers(*extra: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    """A number the claim may take now: due, in a claimable state, not forbidden by the
    blacklist now (``quota``: the current periods of call quotas; such a number is
    skipped and stays as it is), not in a paused batch."""
    return [
        numbers.c.campaign_id == bindparam("claim_campaign_id"),
        *extra,
        numbers.c.next_due_at <= _CLAIM_NOW,
        _STATE_NOT_INDEXED.in_(CLAIMABLE),
        blacklist_store.claimable(numbers.c.vdn_id, numbers.c.called, _CLAIM_NOW, _CLAIM_QUOTA),
        batch_store.claimable(numbers.c.batch_id),
    ]


_CLAIM = _take(
    numbers,
    _candidates(numbers, _due_numbers(), numbers.c.next_due_at, _CLAIM_LIMIT).cte("candidates"),
    _CALLING,
)


@cache
def _claim_in_zones(named_keys: int, without_zone: bool) -> Executable:
    """The claim restricted to ``named_keys`` zone keys (and numbers without one).

    One leg per key walks the (campaign_id, time_zone, next_due_at, id) index and stops
    after its share, so about ``limit`` rows are read whatever the number of zones.
    """
    zones = [numbers.c.time_zone == bindparam(f"zone_{i}") for i in range(named_keys)]
    if without_zone:
        zones.append(numbers.c.time_zone.is_(None))
    share = bindparam("claim_share", type_=Integer())
    legs = []
    for zone in zones:
        due = numbers.c.next_due_at
        leg = _candidates(numbers, _due_numbers(zone), due, share, due).subquery()
        legs.append(select(leg.c.id, leg.c.next_due_at))
    merged = union_all(*legs).subquery("due_in_zones")
    candidates = (
        select(merged.c.id)
        .order_by(merged.c.next_due_at, merged.c.id)
        .limit(_CLAIM_LIMIT)
        .cte("candidates")
    )
    return _take(numbers, candidates, _CALLING)


def _due_reservations(zone_filter: tuple[int, bool] | None) -> list[ColumnElement[bool]]:
    """A reserved call the claim may take now. Due: pending with ``due_at`` reached, or
    calling under a lease that ran out; the blacklist applies as for numbers."""
    lapsed = and_(
        reservations.c.state == ReservationState.CALLING, reservations.c.lease_until < _CLAIM_NOW
    )
    conditions = [
        reservations.c.campaign_id == bindparam("claim_campaign_id"),
        reservations.c.due_at <= _CLAIM_NOW,
        or_(reservations.c.state == ReservationState.PENDING, lapsed),
        blacklist_store.claimable(
            reservations.c.vdn_id, reservations.c.called, _CLAIM_NOW, _CLAIM_QUOTA
        ),
    ]
    if zone_filter is not None:
        named, without_zone = zone_filter
        keys: list[Any] = [bindparam(f"zone_{i}") for i in range(named)]
        in_keys: list[ColumnElement[bool]] = [reservations.c.time_zone.in_(keys)] if keys else []
        if without_zone:
            in_keys.append(reservations.c.time_zone.is_(None))
        conditions.append(or_(*in_keys))
    return conditions


@cache
def _claim_reservations(zone_filter: tuple[int, bool] | None) -> Executable:
    """The reserved-call claim, per shape of its zone filter."""
    conditions = _due_reservations(zone_filter)
    candidates = _candidates(reservations, conditions, reservations.c.due_at, _CLAIM_LIMIT)
    return _take(
        reservations, candidates.cte("due_reservations"), {"state": ReservationState.CALLING}
    )


@dataclass(frozen=True)
class Claimant:
    """Who claims, and when: the lease's owner (an access key) and end, and the current
    periods of the blacklist's call quotas."""

    owner: str
    now: datetime
    lease_until: datetime
    quota: QuotaPeriods

    def params(
        self, campaign_id: int, limit: int, zone_keys: Sequence[str | None] = ()
    ) -> dict[str, Any]:
        """The values of a claim statement's bind parameters."""
        named = [key for key in zone_keys if key is not None]
        return {
            "claim_campaign_id": campaign_id,
            "claim_now": self.now,
            "claim_limit": limit,
            "claim_owner": self.owner,
            "claim_lease_until": self.lease_until,
            "quota_hour_start": self.quota.hour_start,
            "quota_day_start": self.quota.day_start,
            **{f"zone_{i}": key for i, key in enumerate(named)},
        }


def claim_due(conn: Connection, campaign_id: int, limit: int, by: Claimant) -> list[Row]:
    """Make up to ``limit`` due numbers *calling* for ``by.owner``, atomically, in id order.

    Every claimable number has a due time (its import time, or its next retry), so the
    candidates are the first rows of the (campaign_id, next_due_at, id) index, in the
    claim's own order: no sort, however large the campaign and however many numbers share
    a due time.
    """
    rows = conn.execute(_CLAIM, by.params(campaign_id, limit)).mappings()
    return sorted((dict(row) for row in rows), key=lambda row: row["id"])


def claim_due_in_zones(
    conn: Connection, campaign_id: int, keys: list[str | None], limit: int, by: Claimant
) -> list[Row]:
    """:func:`claim_due` for the numbers whose zone key is one of ``keys``
    (``scheduleParam.calleeLocalTime``: the keys whose window is open).

    The open zones share the claim evenly, each in its own due order. A zone that had
    fewer due numbers than its share drops out and the others share what is left (at most
    one more statement per zone).
    """
    claimed: list[Row] = []
    active = list(keys)
    while active and len(claimed) < limit:
        remaining = limit - len(claimed)
        share = -(-remaining // len(active))
        named = [key for key in active if key is not None]
        statement = _claim_in_zones(len(named), None in active)
        params = by.params(campaign_id, remaining, active) | {"claim_share": share}
        got = [dict(row) for row in conn.execute(statement, params).mappings()]
        claimed.extend(got)
        per_key = dict.fromkeys(active, 0)
        for row in got:
            per_key[row["time_zone"]] += 1
        exhausted = [key for key, count in per_key.items() if count < share]
        if not got or not exhausted:
            break
        active = [key for key in active if key not in exhausted]
    return sorted(claimed, key=lambda row: row["id"])


def claim_reservations(
    conn: Connection,
    campaign_id: int,
    limit: int,
    by: Claimant,
    zone_keys: list[str | None] | None = None,
) -> list[Row]:
    """Make up to ``limit`` due reserved calls *calling* for ``by.owner``, earliest first;
    ``zone_keys``: only those to numbers of these zone keys (local-time campaigns)."""
    if limit <= 0:
        return []
    named = [key for key in zone_keys or [] if key is not None]
    shape = None if zone_keys is None else (len(named), None in zone_keys)
    params = by.params(campaign_id, limit, zone_keys or ())
    rows = conn.execute(_claim_reservations(shape), params).mappings()
    return sorted((dict(row) for row in rows), key=lambda row: (row["due_at"], row["id"]))


# --- the judged claim (a VDN under contact policies: docs/contact-policies.md) -------------
#
# Two steps instead of one statement: :func:`peek` picks and locks candidates (with their
# keys), the caller locks their keys and judges them with a statement that starts after
# the locks are held, then :func:`take` claims the ids that passed, re-checking every claim
# condition (the blacklist's call quota among them) in that later statement.

#: the columns the judgement needs
_KEY_COLUMNS = ("called", "number_key", "person_id", "subject_ids", "region")
_AFTER_DUE = bindparam("claim_after_due", type_=DateTime())
_AFTER_ID = bindparam("claim_after_id", type_=Integer())
_TAKE_IDS: Any = bindparam("claim_ids", expanding=True)


def _zone_condition(table: Table, zone_filter: tuple[int, bool] | None) -> list[Any]:
    if zone_filter is None:
        return []
    named, without_zone = zone_filter
    keys: list[Any] = [bindparam(f"zone_{i}") for i in range(named)]
    in_keys: list[ColumnElement[bool]] = [table.c.time_zone.in_(keys)] if keys else []
    if without_zone:
        in_keys.append(table.c.time_zone.is_(None))
    return [or_(*in_keys)]


@cache
def _peek(reserved: bool, zone_filter: tuple[int, bool] | None) -> Executable:
    if reserved:
        table, due = reservations, reservations.c.due_at
        conditions = _due_reservations(zone_filter)
    else:
        table, due = numbers, numbers.c.next_due_at
        conditions = _due_numbers(*_zone_condition(numbers, zone_filter))
    columns = [table.c[name] for name in _KEY_COLUMNS]
    # keyset: after the last row an earlier round of this claim looked at, in claim order
    after = or_(due > _AFTER_DUE, and_(due == _AFTER_DUE, table.c.id > _AFTER_ID))
    return _candidates(table, [*conditions, after], due, _CLAIM_LIMIT, due.label("due"), *columns)


@cache
def _take_ids(reserved: bool) -> Executable:
    if reserved:
        ids = select(reservations.c.id).where(
            reservations.c.id.in_(_TAKE_IDS), *_due_reservations(None)
        )
        return _take(reservations, ids.cte("judged"), {"state": ReservationState.CALLING})
    ids = select(numbers.c.id).where(numbers.c.id.in_(_TAKE_IDS), *_due_numbers())
    return _take(numbers, ids.cte("judged"), _CALLING)


def _shape(zone_keys: Sequence[str | None] | None) -> tuple[int, bool] | None:
    if zone_keys is None:
        return None
    return (len([key for key in zone_keys if key is not None]), None in zone_keys)


def peek(
    conn: Connection,
    campaign_id: int,
    limit: int,
    by: Claimant,
    zone_keys: list[str | None] | None,
    after: tuple[datetime, int] | None,
    reserved: bool = False,
) -> list[Row]:
    """Up to ``limit`` claimable numbers (or reserved calls) in claim order, after the
    (due time, id) ``after`` (None: from the first), locked FOR UPDATE SKIP LOCKED
    (PostgreSQL), with their keys and due time (``due``); nothing claimed."""
    if limit <= 0:
        return []
    due, last = after if after is not None else (datetime.min, 0)
    params = by.params(campaign_id, limit, zone_keys or ()) | {
        "claim_after_due": due,
        "claim_after_id": last,
    }
    rows = conn.execute(_peek(reserved, _shape(zone_keys)), params).mappings()
    return [dict(row) for row in rows]


def take(
    conn: Connection, campaign_id: int, ids: Sequence[int], by: Claimant, reserved: bool = False
) -> list[Row]:
    """Claim exactly these judged candidates, each only if it is still claimable now."""
    if not ids:
        return []
    params = by.params(campaign_id, len(ids)) | {"claim_ids": list(ids)}
    rows = conn.execute(_take_ids(reserved), params).mappings()
    if reserved:
        return sorted((dict(row) for row in rows), key=lambda row: (row["due_at"], row["id"]))
    return sorted((dict(row) for row in rows), key=lambda row: row["id"])


#: the distinct zone keys of a campaign's numbers, one index probe each (a loose index scan
#: over (campaign_id, time_zone, …); SELECT DISTINCT would read every number)
_ZONES = text(
    """
    WITH RECURSIVE zone_keys(key) AS (
        SELECT min(time_zone) FROM numbers WHERE campaign_id = :campaign_id
        UNION ALL
        SELECT (SELECT min(n.time_zone) FROM numbers n
                WHERE n.campaign_id = :campaign_id AND n.time_zone > zone_keys.key)
        FROM zone_keys WHERE zone_keys.key IS NOT NULL
    )
    SELECT key FROM zone_keys WHERE key IS NOT NULL
    """
)
_WITHOUT_ZONE = (
    select(numbers.c.id)
    .where(numbers.c.campaign_id == bindparam("campaign_id"), numbers.c.time_zone.is_(None))
    .limit(1)
)
_RESERVATION_ZONES = (
    select(reservations.c.time_zone)
    .where(reservations.c.campaign_id == bindparam("campaign_id"))
    .distinct()
)


def zone_keys(conn: Connection, campaign_id: int) -> list[str | None]:
    """The zone keys of the campaign's numbers and reserved calls (None: no zone)."""
    keys: set[str | None] = {row.key for row in conn.execute(_ZONES, {"campaign_id": campaign_id})}
    if conn.execute(_WITHOUT_ZONE, {"campaign_id": campaign_id}).first() is not None:
        keys.add(None)
    keys.update(
        row.time_zone for row in conn.execute(_RESERVATION_ZONES, {"campaign_id": campaign_id})
    )
    return sorted(keys, key=lambda key: key or "")


# --- after the call: report, release ------------------------------------------------------

_FINISH = (
    update(numbers)
    .where(
        numbers.c.id == bindparam("finish_id"),
        numbers.c.campaign_id == bindparam("finish_campaign_id"),
        numbers.c.state == NumberState.CALLING,
        numbers.c.lease_owner == bindparam("finish_owner"),
        numbers.c.lease_until >= bindparam("finish_now"),
    )
    .values(
        state=bindparam("finish_state"),
        attempts=numbers.c.attempts + 1,
        next_due_at=bindparam("finish_next_due_at"),
        lease_owner=None,
        lease_until=None,
        state_before_claim=None,
        version=numbers.c.version + 1,
    )
    .returning(*numbers.c)
)


def finish_call(
    conn: Connection,
    campaign_id: int,
    data_id: int,
    owner: str,
    target: NumberState,
    next_due_at: datetime | None,
    now: datetime,
) -> Row | None:
    """Guarded: only a number *calling* under ``owner``'s unexpired lease moves on."""
    row = (
        conn.execute(
            _FINISH,
            {
                "finish_id": data_id,
                "finish_campaign_id": campaign_id,
                "finish_owner": owner,
                "finish_now": now,
                "finish_state": target,
                "finish_next_due_at": next_due_at,
            },
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


_INSERT_RESULT = insert(call_results)


def insert_result(conn: Connection, values: Row) -> None:
    conn.execute(_INSERT_RESULT, values)


def _release(*conditions: ColumnElement[bool]) -> Executable:
    return (
        update(numbers)
        .where(
            numbers.c.state == NumberState.CALLING, numbers.c.lease_until < bindparam("lapsed_at")
        )
        .where(*conditions)
        .values(
            state=numbers.c.state_before_claim,
            state_before_claim=None,
            lease_owner=None,
            lease_until=None,
            version=numbers.c.version + 1,
        )
    )


_RELEASE_ALL = _release()
_RELEASE_IN_CAMPAIGN = _release(numbers.c.campaign_id == bindparam("lapsed_in"))


def release_lapsed_claims(conn: Connection, now: datetime, campaign_id: int | None = None) -> int:
    """Claims whose lease ran out go back to the state they had; the attempt is not counted."""
    if campaign_id is None:
        return conn.execute(_RELEASE_ALL, {"lapsed_at": now}).rowcount
    params = {"lapsed_at": now, "lapsed_in": campaign_id}
    return conn.execute(_RELEASE_IN_CAMPAIGN, params).rowcount


# --- history ----------------------------------------------------------------------------------


def history_page(
    conn: Connection,
    vdn_id: int,
    campaign_id: int | None,
    filters: dict[str, Any],
    offset: int,
    limit: int,
) -> tuple[int, list[Row]]:
    conditions = [number_history.c.vdn_id == vdn_id]
    if campaign_id is not None:
        conditions.append(number_history.c.campaign_id == campaign_id)
    for column, value in filters.items():
        if value is not None:
            conditions.append(number_history.c[column] == value)
    where = and_(*conditions)
    total = conn.execute(select(func.count()).select_from(number_history).where(where)).scalar_one()
    rows = conn.execute(
        select(number_history)
        .where(where)
        .order_by(number_history.c.history_id)
        .offset(offset)
        .limit(limit)
    ).mappings()
    return int(total), [dict(row) for row in rows]


# --- listing (the number export extension) ------------------------------------------------------


def page_after(
    conn: Connection, campaign_id: int, state: str | None, after_id: int, limit: int
) -> list[Row]:
    """Up to ``limit`` live numbers of a campaign with ``id > after_id``, in id order (keyset)."""
    query = select(numbers).where(numbers.c.campaign_id == campaign_id, numbers.c.id > after_id)
    if state is not None:
        query = query.where(numbers.c.state == state)
    rows = conn.execute(query.order_by(numbers.c.id).limit(limit)).mappings()
    return [dict(row) for row in rows]


# --- preview: records held for an agent -------------------------------------------------------

_HAND_OVER = (
    update(numbers)
    .where(
        numbers.c.id == bindparam("hand_id"),
        numbers.c.campaign_id == bindparam("hand_campaign_id"),
        numbers.c.state == NumberState.CALLING,
        numbers.c.lease_owner == bindparam("hand_from"),
        numbers.c.lease_until >= bindparam("hand_now", type_=DateTime()),
    )
    .values(lease_owner=bindparam("hand_to"), lease_until=bindparam("hand_until", type_=DateTime()))
    .returning(*numbers.c)
)


def hand_over(
    conn: Connection,
    campaign_id: int,
    data_id: int,
    from_owner: str,
    by: Claimant,
) -> Row | None:
    """A claimed number held under ``from_owner``'s unexpired lease (a preview record held
    for its agent) passes to ``by`` under a fresh lease; None when it is no longer held so."""
    row = (
        conn.execute(
            _HAND_OVER,
            {
                "hand_id": data_id,
                "hand_campaign_id": campaign_id,
                "hand_from": from_owner,
                "hand_now": by.now,
                "hand_to": by.owner,
                "hand_until": by.lease_until,
            },
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


_GIVE_BACK = (
    update(numbers)
    .where(
        numbers.c.id == bindparam("back_id"),
        numbers.c.state == NumberState.CALLING,
        numbers.c.lease_owner == bindparam("back_owner"),
    )
    .values(
        state=numbers.c.state_before_claim,
        state_before_claim=None,
        lease_owner=None,
        lease_until=None,
        # behind every number due now: the next agent to ask sees another record first
        next_due_at=bindparam("back_now", type_=DateTime()),
        version=numbers.c.version + 1,
    )
)


def give_back(conn: Connection, data_id: int, owner: str, now: datetime) -> bool:
    """A claimed number ``owner`` holds returns to the state it had, unattempted."""
    params = {"back_id": data_id, "back_owner": owner, "back_now": now}
    return conn.execute(_GIVE_BACK, params).rowcount == 1
