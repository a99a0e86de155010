"""The agent state machine (domain/agents.py): what each transition starts from, and when
RESERVED and WRAP_UP lapse to READY."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from isales.domain.agents import (
    LAPSING,
    TRANSITIONS,
    WORK_NO,
    AgentState,
    effective_state,
    may,
    public_state,
)

S = AgentState
NOW = datetime(2026, 12, 7, 12, 0, 0)


@pytest.mark.parametrize("state", sorted(LAPSING))
def test_a_lapsing_state_is_ready_once_its_end_has_passed(state):
    assert effective_state(state, NOW + timedelta(seconds=1), NOW) == state
    assert effective_state(state, NOW, NOW) == S.READY
    assert effective_state(state, None, NOW) == state  # no end: it lasts


@pytest.mark.parametrize("state", [s for s in S if s not in LAPSING])
def test_other_states_never_lapse(state):
    assert effective_state(state, NOW - timedelta(days=1), NOW) == state


def test_only_the_six_public_states_are_shown():
    assert public_state(S.LOGGING_IN) == "LOGGED_OUT"
    shown = {public_state(state) for state in S}
    assert shown == {"LOGGED_OUT", "READY", "RESERVED", "TALKING", "WRAP_UP", "PAUSED"}


@pytest.mark.parametrize(
    ("transition", "allowed", "refused"),
    [
        ("login", [S.LOGGED_OUT], [S.LOGGING_IN, S.READY, S.PAUSED]),
        ("ready", [S.PAUSED, S.WRAP_UP], [S.READY, S.LOGGED_OUT, S.TALKING, S.RESERVED]),
        ("pause", [S.READY, S.WRAP_UP], [S.PAUSED, S.TALKING, S.RESERVED, S.LOGGED_OUT]),
        ("logout", [S.READY, S.PAUSED, S.WRAP_UP, S.LOGGING_IN], [S.RESERVED, S.TALKING]),
        ("down", [S.READY, S.RESERVED, S.TALKING, S.WRAP_UP, S.PAUSED], [S.LOGGED_OUT]),
        ("up", [S.LOGGING_IN], [S.LOGGED_OUT, S.READY]),
        ("take", [S.READY], [S.RESERVED, S.PAUSED, S.WRAP_UP]),
        ("answered", [S.RESERVED, S.TALKING], [S.READY, S.WRAP_UP]),
        ("business_result", [S.WRAP_UP], [S.READY, S.TALKING]),
    ],
)
def test_transitions_start_only_from_their_states(transition, allowed, refused):
    assert all(may(transition, state) for state in allowed)
    assert not any(may(transition, state) for state in refused)


def test_every_transition_leads_to_a_known_state():
    assert all(rule.target in S for rule in TRANSITIONS.values())


@pytest.mark.parametrize("text", ["a", "A1", "1" * 32])
def test_work_numbers(text):
    assert WORK_NO.match(text)


@pytest.mark.parametrize("text", ["", "a-1", "1" * 33, "é", "a 1"])
def test_not_work_numbers(text):
    assert not WORK_NO.match(text)
