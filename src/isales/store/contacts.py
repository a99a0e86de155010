"""Contact policies in SQL: the VDN's contact settings, policies and their versions, and
the contact ledger (docs/contact-policies.md).

The claim's statements that record and judge attempts are here; when they run is decided
by ``services/campaign_numbers.py`` (the claim's one owner) through ``services/contacts.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
    update,
)

from .schema import (
    blacklist,
    campaigns,
    contact_attempts,
    contact_policies,
    contact_policy_versions,
    contact_settings,
)

Row = dict[str, Any]

# --- settings ---------------------------------------------------------------------------------

_SETTINGS = select(contact_settings).where(contact_settings.c.vdn_id == bindparam("vdn_id"))


def get_settings(conn: Connection, vdn_id: int) -> Row | None:
    """The VDN's stored settings; None: it never changed them (the defaults)."""
    row = conn.execute(_SETTINGS, {"vdn_id": vdn_id}).mappings().first()
    return dict(row) if row else None


def put_settings(conn: Connection, vdn_id: int, values: Row, exists_: bool) -> None:
    if exists_:
        statement = update(contact_settings).where(contact_settings.c.vdn_id == vdn_id)
        if conn.execute(statement.values(**values)).rowcount != 1:
            raise AssertionError("contact settings vanished under their VDN's lock")
    else:
        conn.execute(insert(contact_settings).values(vdn_id=vdn_id, **values))


_DEFAULT_COUNTRY = select(contact_settings.c.default_country).where(
    contact_settings.c.vdn_id == bindparam("vdn_id")
)


def default_country(conn: Connection, vdn_id: int) -> str | None:
    return conn.execute(_DEFAULT_COUNTRY, {"vdn_id": vdn_id}).scalar_one_or_none() or None


# --- policies ---------------------------------------------------------------------------------


def live_policies(conn: Connection, vdn_id: int) -> list[Row]:
    """The current version of each live policy of the VDN: id, version, body, validFrom."""
    query = (
        select(
            contact_policies.c.id,
            contact_policies.c.version,
            contact_policy_versions.c.body,
            contact_policy_versions.c.valid_from,
        )
        .join(
            contact_policy_versions,
            and_(
                contact_policy_versions.c.policy_id == contact_policies.c.id,
                contact_policy_versions.c.version == contact_policies.c.version,
            ),
        )
        .where(contact_policies.c.vdn_id == vdn_id, contact_policies.c.ended_at.is_(None))
        .order_by(contact_policies.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def policy_versions(conn: Connection, vdn_id: int) -> list[Row]:
    """Every version of every policy of the VDN, old ones with ``valid_to``."""
    query = (
        select(
            contact_policy_versions,
            contact_policies.c.ended_at,
        )
        .join(contact_policies, contact_policy_versions.c.policy_id == contact_policies.c.id)
        .where(contact_policies.c.vdn_id == vdn_id)
        .order_by(contact_policy_versions.c.policy_id, contact_policy_versions.c.version)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def policies_at(conn: Connection, vdn_id: int, at: datetime) -> list[Row]:
    """The version of each policy of the VDN in effect at ``at`` (explain)."""
    query = (
        select(
            contact_policy_versions.c.policy_id.label("id"),
            contact_policy_versions.c.version,
            contact_policy_versions.c.body,
        )
        .join(contact_policies, contact_policy_versions.c.policy_id == contact_policies.c.id)
        .where(
            contact_policies.c.vdn_id == vdn_id,
            contact_policy_versions.c.valid_from <= at,
            or_(
                contact_policy_versions.c.valid_to.is_(None),
                contact_policy_versions.c.valid_to > at,
            ),
        )
        .order_by(contact_policy_versions.c.policy_id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def get_policy(conn: Connection, vdn_id: int, policy_id: int, lock: bool = False) -> Row | None:
    query = select(contact_policies).where(
        contact_policies.c.id == policy_id,
        contact_policies.c.vdn_id == vdn_id,
        contact_policies.c.ended_at.is_(None),
    )
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def live_names(conn: Connection, vdn_id: int) -> dict[str, int]:
    query = select(contact_policies.c.name, contact_policies.c.id).where(
        contact_policies.c.vdn_id == vdn_id, contact_policies.c.ended_at.is_(None)
    )
    return {row.name: row.id for row in conn.execute(query)}


def add_policy(conn: Connection, vdn_id: int, name: str, body: Row, now: datetime) -> int:
    policy_id = conn.execute(
        insert(contact_policies)
        .values(vdn_id=vdn_id, name=name, version=1, created_at=now)
        .returning(contact_policies.c.id)
    ).scalar_one()
    conn.execute(
        insert(contact_policy_versions).values(
            policy_id=policy_id, version=1, body=body, valid_from=now
        )
    )
    return int(policy_id)


def replace_policy(
    conn: Connection, policy_id: int, version: int, name: str, body: Row, now: datetime
) -> bool:
    """A new version (guarded on the current one); the old one gets its ``valid_to``."""
    moved = conn.execute(
        update(contact_policies)
        .where(
            contact_policies.c.id == policy_id,
            contact_policies.c.version == version,
            contact_policies.c.ended_at.is_(None),
        )
        .values(version=version + 1, name=name)
    ).rowcount
    if moved != 1:
        return False
    _close_version(conn, policy_id, version, now)
    conn.execute(
        insert(contact_policy_versions).values(
            policy_id=policy_id, version=version + 1, body=body, valid_from=now
        )
    )
    return True


def _close_version(conn: Connection, policy_id: int, version: int, now: datetime) -> None:
    """A policy version stops applying at ``now`` (it is kept, for explain and proof)."""
    conn.execute(
        update(contact_policy_versions)
        .where(
            contact_policy_versions.c.policy_id == policy_id,
            contact_policy_versions.c.version == version,
        )
        .values(valid_to=now)
    )


def end_policy(conn: Connection, policy_id: int, version: int, now: datetime) -> bool:
    ended = conn.execute(
        update(contact_policies)
        .where(contact_policies.c.id == policy_id, contact_policies.c.ended_at.is_(None))
        .values(ended_at=now)
    ).rowcount
    _close_version(conn, policy_id, version, now)
    return bool(ended == 1)


def campaigns_naming_policy(conn: Connection, vdn_id: int, policy_id: int) -> list[int]:
    rows = conn.execute(
        select(campaigns.c.id, campaigns.c.contact_policy).where(
            campaigns.c.vdn_id == vdn_id, campaigns.c.contact_policy.is_not(None)
        )
    )
    return [row.id for row in rows if policy_id in (row.contact_policy or {}).get("policies", [])]


def count_live(conn: Connection, vdn_id: int) -> int:
    query = select(func.count()).where(
        contact_policies.c.vdn_id == vdn_id, contact_policies.c.ended_at.is_(None)
    )
    return int(conn.execute(query).scalar_one())


# --- is the VDN under contact policies? -------------------------------------------------------

#: a live policy, or a blacklist entry with a call quota: one index probe each
_UNDER_POLICIES = select(
    or_(
        exists().where(
            contact_policies.c.vdn_id == bindparam("vdn_id"), contact_policies.c.ended_at.is_(None)
        ),
        exists().where(
            blacklist.c.vdn_id == bindparam("vdn_id"), blacklist.c.restrict_times.is_not(None)
        ),
    )
)


def under_policies(conn: Connection, vdn_id: int) -> bool:
    return bool(conn.execute(_UNDER_POLICIES, {"vdn_id": vdn_id}).scalar_one())


# --- the ledger -------------------------------------------------------------------------------

_INSERT_ATTEMPTS = insert(contact_attempts)


def record_attempts(conn: Connection, rows: list[Row]) -> None:
    """One ledger row per attempt, in the claim's transaction."""
    if rows:
        conn.execute(_INSERT_ATTEMPTS, rows)


_ATTEMPT_COLUMNS = (
    contact_attempts.c.id,
    contact_attempts.c.number_key,
    contact_attempts.c.person_id,
    contact_attempts.c.subject_ids,
    contact_attempts.c.placed_at,
    contact_attempts.c.ended_at,
    contact_attempts.c.classes,
    contact_attempts.c.voided,
    contact_attempts.c.channel,
    contact_attempts.c.direction,
    contact_attempts.c.purpose,
    contact_attempts.c.technology,
    contact_attempts.c.consent_kinds,
    contact_attempts.c.lease_until,
    contact_attempts.c.dialled,
)


def attempts_of_keys(
    conn: Connection,
    vdn_id: int,
    number_keys: Sequence[str],
    person_ids: Sequence[str],
    since: datetime,
    until: datetime | None = None,
) -> list[Row]:
    """The VDN's attempts on these number keys or person keys that are in flight or ended
    after ``since`` (the longest window's start), voided ones left out. Each key is read by
    two range probes of its (vdn_id, key, ended_at) index — the ended ones after ``since``
    and the ones in flight — so the cost follows the window, not the ledger.
    ``until`` (explain): only attempts placed by then."""
    legs = []
    for column, values in (
        (contact_attempts.c.number_key, number_keys),
        (contact_attempts.c.person_id, person_ids),
    ):
        if not values:
            continue
        for window in (
            contact_attempts.c.ended_at > since,
            contact_attempts.c.ended_at.is_(None),
        ):
            conditions = [
                contact_attempts.c.vdn_id == vdn_id,
                column.in_(list(values)),
                window,
                contact_attempts.c.voided == 0,
            ]
            if until is not None:
                conditions.append(contact_attempts.c.placed_at <= until)
            legs.append(select(*_ATTEMPT_COLUMNS).where(*conditions))
    if not legs:
        return []
    # One statement, so one snapshot (PostgreSQL, READ COMMITTED): read as separate
    # statements, an attempt whose result committed between the ended leg and the in-flight
    # leg is in neither, and its person could be called over the cap.
    found: dict[str, Row] = {}
    for row in conn.execute(union_all(*legs)).mappings():
        found[row["id"]] = dict(row)  # an attempt on a number and a person key comes twice
    return list(found.values())


def get_attempt(conn: Connection, vdn_id: int, attempt_id: str) -> Row | None:
    row = (
        conn.execute(
            select(contact_attempts).where(
                contact_attempts.c.id == attempt_id, contact_attempts.c.vdn_id == vdn_id
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def _in_flight_call(data_id: int, campaign_id: int) -> list[Any]:
    return [
        contact_attempts.c.data_id == data_id,
        contact_attempts.c.campaign_id == campaign_id,
        contact_attempts.c.ended_at.is_(None),
    ]


def finish_attempt(
    conn: Connection,
    data_id: int,
    campaign_id: int,
    now: datetime,
    status: str,
    fail_code: str | None,
    classes: str,
) -> int:
    """The result of the call in flight on this record ends its attempt."""
    return conn.execute(
        update(contact_attempts)
        .where(*_in_flight_call(data_id, campaign_id))
        .values(
            ended_at=now,
            status=status,
            fail_code=fail_code,
            classes=classes,
            voided=0,
            lease_owner=None,
        )
    ).rowcount


def finish_late(
    conn: Connection,
    data_id: int,
    campaign_id: int,
    owner: str,
    status: str,
    fail_code: str | None,
    classes: str,
) -> int:
    """A result that came after its lease lapsed completes (and un-voids) the newest lapsed
    attempt of that record under that owner: the call happened. Its ``endedAt`` stays the
    lease's end (a row not yet lapsed ends there too)."""
    newest = (
        select(contact_attempts.c.id)
        .where(
            contact_attempts.c.data_id == data_id,
            contact_attempts.c.campaign_id == campaign_id,
            contact_attempts.c.lease_owner == owner,
            contact_attempts.c.status.is_(None),
        )
        .order_by(contact_attempts.c.placed_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    return conn.execute(
        update(contact_attempts)
        .where(contact_attempts.c.id == newest)
        .values(
            ended_at=func.coalesce(contact_attempts.c.ended_at, contact_attempts.c.lease_until),
            status=status,
            fail_code=fail_code,
            classes=classes,
            voided=0,
        )
    ).rowcount


def mark_dialled(
    conn: Connection, data_id: int, campaign_id: int, lease_until: datetime | None
) -> int:
    """A ``push/midresult`` for the call: it was dialled (a lapse keeps it counted), and
    its lease follows the number's."""
    values: Row = {"dialled": 1}
    if lease_until is not None:
        values["lease_until"] = lease_until
    return conn.execute(
        update(contact_attempts).where(*_in_flight_call(data_id, campaign_id)).values(**values)
    ).rowcount


def move_lease(
    conn: Connection, data_id: int, campaign_id: int, owner: str, lease_until: datetime
) -> int:
    """A preview record handed from its agent's hold to the dialer: same attempt."""
    return conn.execute(
        update(contact_attempts)
        .where(*_in_flight_call(data_id, campaign_id))
        .values(lease_owner=owner, lease_until=lease_until)
    ).rowcount


def void_attempt(conn: Connection, data_id: int, owner: str, now: datetime) -> int:
    """A preview record the agent skipped (or gave back): its attempt is voided."""
    return conn.execute(
        update(contact_attempts)
        .where(
            contact_attempts.c.data_id == data_id,
            contact_attempts.c.lease_owner == owner,
            contact_attempts.c.ended_at.is_(None),
        )
        .values(ended_at=now, voided=1, classes="")
    ).rowcount


_COUNT_LAPSED = exists().where(
    contact_settings.c.vdn_id == contact_attempts.c.vdn_id,
    contact_settings.c.count_lapsed_claims == 1,
)
_KEPT = or_(contact_attempts.c.dialled == 1, _COUNT_LAPSED)


def _lapse(*conditions: Any) -> Any:
    return (
        update(contact_attempts)
        .where(
            contact_attempts.c.ended_at.is_(None),
            contact_attempts.c.lease_until < bindparam("lapse_now", type_=DateTime()),
            *conditions,
        )
        .values(
            ended_at=contact_attempts.c.lease_until,
            voided=case((_KEPT, 0), else_=1),
            classes=case((_KEPT, literal("placed,connected")), else_=literal("")),
        )
    )


_LAPSE_ALL = _lapse()
_LAPSE_CAMPAIGN = _lapse(contact_attempts.c.campaign_id == bindparam("lapse_campaign"))


def lapse(conn: Connection, now: datetime, campaign_id: int | None = None) -> int:
    """In-flight attempts whose lease ran out end at the lease's end: voided unless the
    call is known to have been dialled (or the VDN counts lapsed claims)."""
    if campaign_id is None:
        return conn.execute(_LAPSE_ALL, {"lapse_now": now}).rowcount
    return conn.execute(_LAPSE_CAMPAIGN, {"lapse_now": now, "lapse_campaign": campaign_id}).rowcount


# --- serialisation of keys (PostgreSQL) --------------------------------------------------------

_TRY_LOCKS = text(
    "SELECT k, pg_try_advisory_xact_lock(hashtextextended(k, 20)) AS got "
    "FROM unnest(CAST(:keys AS text[])) AS k"
)


def try_lock_keys(conn: Connection, keys: Iterable[str]) -> set[str]:
    """Transaction-level advisory locks on these keys, without waiting: the keys got. A
    hash collision only makes a claim skip more. SQLite: the single writer holds them all."""
    wanted = sorted(set(keys))
    if not wanted:
        return set()
    if conn.dialect.name != "postgresql":
        return set(wanted)
    return {row.k for row in conn.execute(_TRY_LOCKS, {"keys": wanted}) if row.got}


def pseudonymise(conn: Connection, vdn_id: int, called: str, key: str, keyed: str) -> int:
    """Erasure: the VDN's ledger rows of this number keep their times, person and subject
    keys and classes (proof of call frequency; the person's other numbers stay counted),
    with the number and its key replaced by the suppression's keyed hash."""
    return conn.execute(
        update(contact_attempts)
        .where(
            contact_attempts.c.vdn_id == vdn_id,
            or_(contact_attempts.c.called == called, contact_attempts.c.number_key == key),
        )
        .values(called=keyed, number_key=keyed)
    ).rowcount
