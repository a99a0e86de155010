"""Claims in each number's local time (``scheduleParam.calleeLocalTime``): a campaign's zone
keys, and the claim restricted to the keys whose window is open.

Kept apart from ``store.numbers.claim_due`` on purpose: campaigns without the option use
that statement unchanged.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import (
    Connection,
    DateTime,
    Integer,
    bindparam,
    select,
    text,
    union_all,
    update,
)

from ..domain.blacklist import QuotaPeriods
from ..domain.states import CLAIMABLE, NumberState
from . import batches as batch_store
from . import blacklist as blacklist_store
from .schema import numbers, reservations

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


def zone_keys(conn: Connection, campaign_id: int) -> list[str | None]:
    """The zone keys of the campaign's numbers and reserved calls (None: no zone)."""
    keys: set[str | None] = {row.key for row in conn.execute(_ZONES, {"campaign_id": campaign_id})}
    if conn.execute(_WITHOUT_ZONE, {"campaign_id": campaign_id}).first() is not None:
        keys.add(None)
    keys.update(
        row.time_zone
        for row in conn.execute(
            select(reservations.c.time_zone)
            .where(reservations.c.campaign_id == campaign_id)
            .distinct()
        )
    )
    return sorted(keys, key=lambda key: key or "")


def claim_due_in_zones(
    conn: Connection,
    campaign_id: int,
    keys: list[str | None],
    owner: str,
    limit: int,
    now: datetime,
    lease_until: datetime,
    quota: QuotaPeriods,
) -> list[dict]:
    """``claim_due`` for the numbers whose zone key is one of ``keys``.

    The open zones share the claim evenly, each in its own due order: one leg per key walks
    the (campaign_id, time_zone, next_due_at, id) index and stops after its share (FOR
    UPDATE SKIP LOCKED), so about ``limit`` rows are read whatever the number of zones. A
    zone that had fewer due numbers than its share drops out and the others share what is
    left (at most one more statement per zone). A number the blacklist forbids now is
    skipped, as in ``claim_due``.
    """
    claimed: list[dict] = []
    active = list(keys)
    while active and len(claimed) < limit:
        remaining = limit - len(claimed)
        share = -(-remaining // len(active))
        got = _claim_once(
            conn, campaign_id, active, share, remaining, owner, now, lease_until, quota
        )
        claimed.extend(got)
        per_key = dict.fromkeys(active, 0)
        for row in got:
            per_key[row["time_zone"]] += 1
        exhausted = [key for key, count in per_key.items() if count < share]
        if not got or not exhausted:
            break
        active = [key for key in active if key not in exhausted]
    return sorted(claimed, key=lambda row: row["id"])


#: the bind parameters of a claim statement: the same statement serves every claim
_NOW = bindparam("claim_now", type_=DateTime())
_QUOTA = QuotaPeriods(
    bindparam("quota_hour_start", type_=DateTime()), bindparam("quota_day_start", type_=DateTime())
)


@cache
def _claim_statement(named_keys: int, without_zone: bool):  # type: ignore[no-untyped-def]
    """The claim for ``named_keys`` zone keys (and numbers without one), built once."""
    zones = [numbers.c.time_zone == bindparam(f"zone_{i}") for i in range(named_keys)]
    if without_zone:
        zones.append(numbers.c.time_zone.is_(None))
    claimable = blacklist_store.claimable(numbers.c.vdn_id, numbers.c.called, _NOW, _QUOTA)
    legs = []
    for zone in zones:
        leg = (
            select(numbers.c.id, numbers.c.next_due_at)
            .where(
                numbers.c.campaign_id == bindparam("claim_campaign"),
                zone,
                numbers.c.next_due_at <= _NOW,
                numbers.c.state.concat("").in_(CLAIMABLE),  # no state index may lead
                claimable,
                batch_store.claimable(numbers.c.batch_id),  # a paused batch is not dialled
            )
            .order_by(numbers.c.next_due_at, numbers.c.id)
            .limit(bindparam("claim_share", type_=Integer()))
            .with_for_update(skip_locked=True)
            .subquery()
        )
        legs.append(select(leg.c.id, leg.c.next_due_at))
    merged = union_all(*legs).subquery("due_in_zones")
    candidates = (
        select(merged.c.id)
        .order_by(merged.c.next_due_at, merged.c.id)
        .limit(bindparam("claim_limit", type_=Integer()))
        .cte("candidates")
    )
    return (
        update(numbers)
        .where(numbers.c.id == candidates.c.id)
        .values(
            state=NumberState.CALLING,
            state_before_claim=numbers.c.state,
            lease_owner=bindparam("claim_owner"),
            lease_until=bindparam("claim_until", type_=DateTime()),
            version=numbers.c.version + 1,
        )
        .returning(*numbers.c)
    )


def _claim_once(
    conn: Connection,
    campaign_id: int,
    keys: list[str | None],
    share: int,
    limit: int,
    owner: str,
    now: datetime,
    lease_until: datetime,
    quota: QuotaPeriods,
) -> list[dict]:
    named = [key for key in keys if key is not None]
    params = {
        "claim_campaign": campaign_id,
        "claim_now": now,
        "quota_hour_start": quota.hour_start,
        "quota_day_start": quota.day_start,
        "claim_share": share,
        "claim_limit": limit,
        "claim_owner": owner,
        "claim_until": lease_until,
        **{f"zone_{i}": key for i, key in enumerate(named)},
    }
    statement = _claim_statement(len(named), None in keys)
    return [dict(row) for row in conn.execute(statement, params).mappings()]
