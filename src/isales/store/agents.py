"""Agents in SQL: every state change is one guarded UPDATE built from ``domain/agents.py``.

The guard is the transition's source states, judged on the *effective* state: a RESERVED
or WRAP_UP row whose ``state_until`` has passed counts as READY (``effective_in``), so no
job has to move them. ``services/agents.py`` (and the claim in
``services/campaign_numbers.py``) decide when these statements run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from ..domain.agents import (
    LAPSING,
    LOGIN_LEASE_SECONDS,
    TRANSITIONS,
    AgentState,
    effective_state,
    public_state,
)
from .schema import agent_campaigns, agents

Row = dict[str, Any]

_NOW = bindparam("agent_now", type_=DateTime())


def effective_in(sources: Sequence[AgentState] | frozenset[AgentState]) -> ColumnElement[bool]:
    """The agent's effective state is one of ``sources`` (``domain/agents.effective_state``
    in SQL): a stored state outside LAPSING as it is; a lapsing one while it lasts; a lapsed
    one counts as READY."""
    wanted = set(sources)
    lasting = and_(
        agents.c.state.in_(sorted(wanted & LAPSING)),
        or_(agents.c.state_until.is_(None), agents.c.state_until > _NOW),
    )
    terms: list[ColumnElement[bool]] = [agents.c.state.in_(sorted(wanted - LAPSING)), lasting]
    if AgentState.READY in wanted:
        terms.append(and_(agents.c.state.in_(sorted(LAPSING)), agents.c.state_until <= _NOW))
    return or_(*terms)


#: when the agent became READY (a lapsed state: when it lapsed): "longest READY" first
_READY_SINCE = case(
    (agents.c.state == AgentState.READY, agents.c.state_since), else_=agents.c.state_until
)


def _with_effective(row: Any, now: datetime) -> Row:
    found = dict(row)
    found["effective"] = effective_state(found["state"], found["state_until"], now)
    return found


# --- rows ---------------------------------------------------------------------------------


def create(
    conn: Connection,
    vdn_id: int,
    work_no: str,
    sip_uri: str,
    campaign_ids: list[int],
    now: datetime,
) -> Row | None:
    """A new agent, LOGGED_OUT; None when the workNo is taken in the VDN."""
    try:
        with conn.begin_nested():
            agent_id = conn.execute(
                insert(agents)
                .values(
                    vdn_id=vdn_id,
                    work_no=work_no,
                    sip_uri=sip_uri,
                    state=AgentState.LOGGED_OUT,
                    state_since=now,
                    dial_asked=0,
                    created_at=now,
                )
                .returning(agents.c.id)
            ).scalar_one()
    except IntegrityError:
        return None
    if campaign_ids:
        conn.execute(
            insert(agent_campaigns),
            [{"agent_id": agent_id, "campaign_id": c} for c in campaign_ids],
        )
    return get(conn, vdn_id, work_no, now)


def get(conn: Connection, vdn_id: int, work_no: str, now: datetime) -> Row | None:
    row = (
        conn.execute(select(agents).where(agents.c.vdn_id == vdn_id, agents.c.work_no == work_no))
        .mappings()
        .first()
    )
    if row is None:
        return None
    found = _with_effective(row, now)
    found["campaign_ids"] = campaigns_of(conn, [found["id"]])[found["id"]]
    return found


def campaigns_of(conn: Connection, agent_ids: list[int]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {agent_id: [] for agent_id in agent_ids}
    if not agent_ids:
        return result
    rows = conn.execute(
        select(agent_campaigns.c.agent_id, agent_campaigns.c.campaign_id)
        .where(agent_campaigns.c.agent_id.in_(agent_ids))
        .order_by(agent_campaigns.c.agent_id, agent_campaigns.c.campaign_id)
    )
    for agent_id, campaign_id in rows:
        result[agent_id].append(campaign_id)
    return result


def page(
    conn: Connection, vdn_id: int, campaign_id: int | None, offset: int, limit: int, now: datetime
) -> tuple[int, list[Row]]:
    conditions: list[ColumnElement[bool]] = [agents.c.vdn_id == vdn_id]
    if campaign_id is not None:
        conditions.append(
            agents.c.id.in_(
                select(agent_campaigns.c.agent_id).where(
                    agent_campaigns.c.campaign_id == campaign_id
                )
            )
        )
    total = conn.execute(select(func.count()).select_from(agents).where(*conditions)).scalar_one()
    found = conn.execute(
        select(agents).where(*conditions).order_by(agents.c.id).offset(offset).limit(limit)
    ).mappings()
    rows = [_with_effective(row, now) for row in found]
    links = campaigns_of(conn, [row["id"] for row in rows])
    for row in rows:
        row["campaign_ids"] = links[row["id"]]
    return int(total), rows


def all_of_vdn(conn: Connection, vdn_id: int, now: datetime) -> list[Row]:
    return page(conn, vdn_id, None, 0, 1_000_000, now)[1]


def delete_logged_out(conn: Connection, vdn_id: int, work_no: str) -> bool:
    """Guarded: only a LOGGED_OUT agent is removed (with its campaign links)."""
    target = select(agents.c.id).where(
        agents.c.vdn_id == vdn_id,
        agents.c.work_no == work_no,
        agents.c.state == AgentState.LOGGED_OUT,
    )
    agent_id = conn.execute(target.with_for_update()).scalar_one_or_none()
    if agent_id is None:
        return False
    conn.execute(delete(agent_campaigns).where(agent_campaigns.c.agent_id == agent_id))
    removed = conn.execute(
        delete(agents).where(agents.c.id == agent_id, agents.c.state == AgentState.LOGGED_OUT)
    )
    return removed.rowcount == 1


# --- state changes: one guarded UPDATE each -------------------------------------------------


def change(
    conn: Connection,
    vdn_id: int,
    work_no: str,
    transition: str,
    now: datetime,
    *,
    where: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
) -> Row | None:
    """Apply ``transition`` (``domain/agents.TRANSITIONS``) to one agent if its effective
    state allows it and its columns hold the ``where`` values; the changed row, or None
    (nothing changed)."""
    rule = TRANSITIONS[transition]
    statement = (
        update(agents)
        .where(
            agents.c.vdn_id == vdn_id,
            agents.c.work_no == work_no,
            effective_in(rule.sources),
            *(agents.c[name] == value for name, value in (where or {}).items()),
        )
        .values(
            state=rule.target,
            # a transition that stays in its state (dial, talking) keeps when it began
            state_since=case((agents.c.state == rule.target, agents.c.state_since), else_=_NOW),
            **(values or {}),
        )
        .returning(*agents.c)
    )
    row = conn.execute(statement, {"agent_now": now}).mappings().first()
    return _with_effective(row, now) if row is not None else None


#: the columns a state that ends a call (or a leg) clears
CALL_CLEARED = {"campaign_id": None, "data_id": None, "dial_asked": 0, "state_until": None}


def grant_logins(conn: Connection, vdn_id: int, dialer_id: str, now: datetime) -> None:
    """Give this dialer every pending login of the VDN that no other dialer holds (a
    lease of ``LOGIN_LEASE_SECONDS``)."""
    conn.execute(
        update(agents)
        .where(
            agents.c.vdn_id == vdn_id,
            agents.c.state == AgentState.LOGGING_IN,
            or_(agents.c.login_holder.is_(None), agents.c.login_until < _NOW),
        )
        .values(login_holder=dialer_id, login_until=now + timedelta(seconds=LOGIN_LEASE_SECONDS)),
        {"agent_now": now},
    )


def _ready_held(campaign_id: int, dialer_id: str) -> list[ColumnElement[bool]]:
    return [
        agents.c.id.in_(
            select(agent_campaigns.c.agent_id).where(agent_campaigns.c.campaign_id == campaign_id)
        ),
        agents.c.leg_holder == dialer_id,
        effective_in(TRANSITIONS["reserve"].sources),
    ]


def _take_ready(
    campaign_id: int, dialer_id: str, limit: int, transition: str, values: dict[str, Any]
) -> Any:
    """The longest-READY agents of a campaign on this dialer's legs, locked FOR UPDATE SKIP
    LOCKED in a WITH query (so concurrent takes get different agents and never wait), moved
    by the UPDATE that re-checks the guard."""
    candidates = (
        select(agents.c.id)
        .where(*_ready_held(campaign_id, dialer_id))
        .order_by(_READY_SINCE, agents.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("ready_agents")
    )
    rule = TRANSITIONS[transition]
    return (
        update(agents)
        .where(agents.c.id == candidates.c.id, *_ready_held(campaign_id, dialer_id))
        .values(state=rule.target, state_since=_NOW, **values)
        .returning(*agents.c)
    )


def reserve_ready(
    conn: Connection, campaign_id: int, dialer_id: str, limit: int, now: datetime, until: datetime
) -> list[Row]:
    """Up to ``limit`` READY agents of the campaign held by ``dialer_id`` become RESERVED
    until ``until`` (the claim's lease), longest READY first."""
    if limit <= 0:
        return []
    statement = _take_ready(
        campaign_id,
        dialer_id,
        limit,
        "reserve",
        {"state_until": until, "campaign_id": campaign_id, "data_id": None, "dial_asked": 0},
    )
    rows = [
        _with_effective(row, now) for row in conn.execute(statement, {"agent_now": now}).mappings()
    ]
    return sorted(rows, key=lambda row: (row["state_since"], row["id"]))


def take_ready(
    conn: Connection, campaign_id: int, dialer_id: str, data_id: int, now: datetime
) -> Row | None:
    """The longest-READY agent of the campaign held by ``dialer_id`` becomes TALKING on
    ``data_id`` (predictive: a customer answered); None when none is free."""
    statement = _take_ready(
        campaign_id,
        dialer_id,
        1,
        "take",
        {"state_until": None, "campaign_id": campaign_id, "data_id": data_id, "dial_asked": 0},
    )
    row = conn.execute(statement, {"agent_now": now}).mappings().first()
    return _with_effective(row, now) if row is not None else None


def assign_call(conn: Connection, agent_id: int, data_id: int) -> None:
    """A RESERVED agent of a claim learns which call it is reserved for."""
    conn.execute(
        update(agents)
        .where(agents.c.id == agent_id, agents.c.state == AgentState.RESERVED)
        .values(data_id=data_id)
    )


def unreserve(conn: Connection, agent_id: int) -> None:
    """A RESERVED agent a claim found no number for is READY again."""
    conn.execute(
        update(agents)
        .where(
            agents.c.id == agent_id,
            agents.c.state == AgentState.RESERVED,
            agents.c.data_id.is_(None),
        )
        .values(state=AgentState.READY, **CALL_CLEARED)
    )


def dial_asked(conn: Connection, campaign_id: int, dialer_id: str, now: datetime) -> list[Row]:
    """Preview agents on this dialer's legs that asked to dial their reserved record."""
    rows = conn.execute(
        select(agents)
        .where(
            agents.c.campaign_id == campaign_id,
            agents.c.leg_holder == dialer_id,
            agents.c.dial_asked == 1,
            agents.c.data_id.is_not(None),
            effective_in([AgentState.RESERVED]),
        )
        .order_by(agents.c.state_since, agents.c.id),
        {"agent_now": now},
    ).mappings()
    return [_with_effective(row, now) for row in rows]


def extend_reservation(conn: Connection, agent_id: int, until: datetime) -> None:
    conn.execute(
        update(agents)
        .where(agents.c.id == agent_id, agents.c.state == AgentState.RESERVED)
        .values(state_until=until)
    )


def counts_by_state(
    conn: Connection, now: datetime, vdn_id: int | None = None
) -> list[tuple[int, int | None, str, int]]:
    """(vdn, campaign, public state, agents): every agent once per campaign it works for
    (campaign None: it works for none), in its effective state as clients see it."""
    query = select(
        agents.c.vdn_id, agent_campaigns.c.campaign_id, agents.c.state, agents.c.state_until
    ).select_from(agents.outerjoin(agent_campaigns, agent_campaigns.c.agent_id == agents.c.id))
    if vdn_id is not None:
        query = query.where(agents.c.vdn_id == vdn_id)
    counted: dict[tuple[int, int | None, str], int] = {}
    for vdn, campaign, state, until in conn.execute(query):
        key = (vdn, campaign, public_state(effective_state(state, until, now)))
        counted[key] = counted.get(key, 0) + 1
    return [
        (vdn, campaign, state, n)
        for (vdn, campaign, state), n in sorted(
            counted.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2])
        )
    ]
