"""What a call's end does to its agent, inside the transaction that records the call
(``call/result``, ``callBusiResult``); kept apart from ``agents.py`` so the dialer's and
the write-back's use cases can call it.

The rules: docs/api.md, "Agents" (wrap-up).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from ..domain import dialing
from ..store import agents as agent_store
from ..store.agents import CALL_CLEARED, Row


def wrap_up_seconds(campaign: Row | None) -> int:
    """The campaign's ``wrapUpSeconds`` (its column once campaigns have it; NULL or absent:
    the default). The one place this setting is read."""
    value = (campaign or {}).get("wrap_up_seconds")
    return dialing.DEFAULT_WRAP_UP_SECONDS if value is None else int(value)


def after_call(
    conn: Connection,
    vdn_id: int,
    work_no: str,
    campaign: Row | None,
    data_id: int,
    answered: bool,
    now: datetime,
) -> Row | None:
    """A reported call's agent moves on, in the report's transaction: answered → WRAP_UP
    for the campaign's ``wrapUpSeconds``; not answered → READY (RESERVED) or WRAP_UP (it was
    bridged). None when the agent was not on that call (nothing changed)."""
    on_call = {"data_id": data_id}
    wrap_up = {
        "state_until": now + timedelta(seconds=wrap_up_seconds(campaign)),
        "data_id": None,
        "dial_asked": 0,
    }
    if not answered:
        row = agent_store.change(
            conn, vdn_id, work_no, "unanswered", now, where=on_call, values={**CALL_CLEARED}
        )
        if row is not None:
            return row
    return agent_store.change(conn, vdn_id, work_no, "answered", now, where=on_call, values=wrap_up)


def business_result(conn: Connection, vdn_id: int, work_no: str, now: datetime) -> Row | None:
    """``callBusiResult`` naming an agent's workNo ends its wrap-up (WRAP_UP → READY)."""
    return agent_store.change(
        conn, vdn_id, work_no, "business_result", now, values={**CALL_CLEARED}
    )
