"""Agents: their states, every transition between them, and the work-number rules.

The server is the authority on an agent's state; the dialer holds the SIP legs and
reports what happens on them (docs/api.md, "Agents"). The store embeds these rules in
guarded UPDATEs (``store/agents.py``: the source states are part of the WHERE clause);
this module is where a reader finds what the rules are.

Two states lapse by themselves, evaluated lazily (no job moves them): a WRAP_UP agent
whose wrap-up has ended, and a RESERVED agent whose reservation has lapsed (the dialer
never called, or the preview record's hold ran out), *is* READY for every read and every
transition from then on. Their stored row keeps ``state_until``; the effective state is
:func:`effective_state`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AgentState(StrEnum):
    LOGGED_OUT = "LOGGED_OUT"
    #: internal: the server asked a dialer to call the agent and waits for the answer
    LOGGING_IN = "LOGGING_IN"
    READY = "READY"
    RESERVED = "RESERVED"
    TALKING = "TALKING"
    WRAP_UP = "WRAP_UP"
    PAUSED = "PAUSED"


S = AgentState

#: the states the interfaces answer, in this order (LOGGING_IN is shown as LOGGED_OUT)
PUBLIC_STATES = tuple(state.value for state in AgentState if state != S.LOGGING_IN)

#: states that end by themselves at ``state_until`` (the agent is READY after it)
LAPSING = frozenset({S.RESERVED, S.WRAP_UP})

#: the states with a leg held by a dialer (a call to the agent is up)
ON_LEG = frozenset({S.READY, S.RESERVED, S.TALKING, S.WRAP_UP, S.PAUSED})

#: staffed: logged in and not paused — what the predictive pacer counts as the team
STAFFED = ON_LEG - {S.PAUSED}


@dataclass(frozen=True)
class Transition:
    sources: frozenset[AgentState]
    target: AgentState


#: every transition: name -> the (effective) states it may start from, and its target
TRANSITIONS: dict[str, Transition] = {
    # public interfaces
    "login": Transition(frozenset({S.LOGGED_OUT}), S.LOGGING_IN),
    "ready": Transition(frozenset({S.PAUSED, S.WRAP_UP}), S.READY),
    "pause": Transition(frozenset({S.READY, S.WRAP_UP}), S.PAUSED),
    # not while a call is being placed or bridged to the agent: skip or finish it first
    "logout": Transition(frozenset({S.LOGGING_IN, S.READY, S.PAUSED, S.WRAP_UP}), S.LOGGED_OUT),
    "login_timeout": Transition(frozenset({S.LOGGING_IN}), S.LOGGED_OUT),
    # preview: ``next`` reserves a record, ``skip`` gives it back (``dial`` keeps RESERVED)
    "next": Transition(frozenset({S.READY}), S.RESERVED),
    "skip": Transition(frozenset({S.RESERVED}), S.READY),
    "dial": Transition(frozenset({S.RESERVED}), S.RESERVED),
    # the dialer's events on the agent's leg
    "up": Transition(frozenset({S.LOGGING_IN}), S.READY),
    "failed": Transition(frozenset({S.LOGGING_IN}), S.LOGGED_OUT),
    "down": Transition(ON_LEG, S.LOGGED_OUT),
    "talking": Transition(frozenset({S.RESERVED, S.TALKING}), S.TALKING),
    # claims: progressive reserves one agent per number, predictive takes one on an answer
    "reserve": Transition(frozenset({S.READY}), S.RESERVED),
    "unreserve": Transition(frozenset({S.RESERVED}), S.READY),
    "take": Transition(frozenset({S.READY}), S.TALKING),
    # the call's result: answered -> wrap-up; not answered -> READY again
    "answered": Transition(frozenset({S.RESERVED, S.TALKING}), S.WRAP_UP),
    "unanswered": Transition(frozenset({S.RESERVED}), S.READY),
    # callBusiResult naming the agent ends its wrap-up
    "business_result": Transition(frozenset({S.WRAP_UP}), S.READY),
}

#: the only state in which an agent may be deleted
DELETABLE = frozenset({S.LOGGED_OUT})

#: the events a dialer reports on a leg (``agents/event``)
EVENTS = ("up", "failed", "down", "talking")


def effective_state(state: str, until: datetime | None, now: datetime) -> AgentState:
    """The state an agent is in now: a lapsed RESERVED or WRAP_UP is READY."""
    current = AgentState(state)
    if current in LAPSING and until is not None and until <= now:
        return S.READY
    return current


def public_state(state: AgentState) -> str:
    """The name clients see: a login in progress shows as LOGGED_OUT until the leg is up."""
    return S.LOGGED_OUT.value if state == S.LOGGING_IN else state.value


def may(transition: str, state: AgentState) -> bool:
    return state in TRANSITIONS[transition].sources


#: a work number: 1 to 32 digits and letters, unique in its VDN
WORK_NO_MAX = 32
WORK_NO = re.compile(r"^[0-9A-Za-z]{1,32}\Z")


#: SIP URIs the dialer can call
SIP_URI = re.compile(r"^sips?:[^\s]{1,250}\Z")
#: how long a dialer given a pending login holds it before another dialer may take it
LOGIN_LEASE_SECONDS = 30
#: a preview record stays reserved to its agent for the campaign's maxAlertingTime plus this
PREVIEW_HOLD_EXTRA_SECONDS = 60


def lease_owner(agent_id: int) -> str:
    """The claim owner of a preview record held for an agent (``numbers.lease_owner``);
    access keys are never of this form."""
    return f"agent:{agent_id}"
