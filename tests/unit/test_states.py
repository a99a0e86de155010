"""Campaign and number states (src/isales/domain/states.py, docs/api.md#number-states)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from isales.domain import states
from isales.domain.states import CampaignStatus, NumberState

NOW = datetime(2026, 11, 27, 8, 0, 0)


def test_status_values_are_the_wire_values():
    assert (CampaignStatus.EXECUTING, CampaignStatus.PAUSED, CampaignStatus.COMPLETED) == (2, 3, 4)


def test_init_status():
    assert states.INIT_STATUS == {0: CampaignStatus.EXECUTING, 1: CampaignStatus.PAUSED}


# --- effective_status -----------------------------------------------------------------------------


@pytest.mark.parametrize("stored", [2, 3])
def test_effective_status_before_end_is_the_stored_one(stored):
    assert states.effective_status(stored, NOW + timedelta(seconds=1), NOW) == stored
    assert states.effective_status(stored, NOW + timedelta(days=300), NOW) == stored


@pytest.mark.parametrize("stored", [2, 3, 4])
@pytest.mark.parametrize("end", [NOW, NOW - timedelta(seconds=1), NOW - timedelta(days=400)])
def test_effective_status_after_end_is_completed(stored, end):
    assert states.effective_status(stored, end, NOW) is CampaignStatus.COMPLETED


def test_effective_status_returns_the_enum():
    assert states.effective_status(3, NOW + timedelta(hours=1), NOW) is CampaignStatus.PAUSED


def test_effective_status_refuses_unknown_stored_value():
    with pytest.raises(ValueError):
        states.effective_status(1, NOW + timedelta(hours=1), NOW)


# --- may_* ----------------------------------------------------------------------------------------

RULES = {
    # rule: (executing, paused, completed)
    "may_add_numbers": (True, True, False),
    "may_delete_numbers": (False, True, True),
    "may_delete_campaign": (False, True, True),
    "may_modify_campaign": (True, True, False),
}


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize(
    ("index", "status"),
    [(0, CampaignStatus.EXECUTING), (1, CampaignStatus.PAUSED), (2, CampaignStatus.COMPLETED)],
)
def test_may_rules(rule, index, status):
    assert getattr(states, rule)(status) is RULES[rule][index]


# --- transitions ----------------------------------------------------------------------------------


def test_transition_table():
    assert states.CAMPAIGN_TRANSITIONS == {
        "pause": (CampaignStatus.EXECUTING, CampaignStatus.PAUSED),
        "resume": (CampaignStatus.PAUSED, CampaignStatus.EXECUTING),
    }


def test_no_transition_leaves_completed():
    assert all(
        source != CampaignStatus.COMPLETED for source, _ in states.CAMPAIGN_TRANSITIONS.values()
    )
    assert all(
        target != CampaignStatus.COMPLETED for _, target in states.CAMPAIGN_TRANSITIONS.values()
    )


def test_pause_then_resume_is_a_round_trip():
    pause_from, pause_to = states.CAMPAIGN_TRANSITIONS["pause"]
    resume_from, resume_to = states.CAMPAIGN_TRANSITIONS["resume"]
    assert pause_to == resume_from and resume_to == pause_from


# --- number states --------------------------------------------------------------------------------


def test_number_state_values():
    assert [s.value for s in NumberState] == ["pending", "calling", "retry", "completed"]


def test_number_state_groups():
    assert set(states.CLAIMABLE) == {NumberState.PENDING, NumberState.RETRY}
    assert set(states.DELETABLE) == {NumberState.PENDING}
    assert set(states.UNCOMPLETED) == {NumberState.PENDING, NumberState.CALLING, NumberState.RETRY}


def test_state_values_fit_the_store_column():
    assert max(len(s.value) for s in NumberState) <= 10


def test_every_kept_state_has_a_reason():
    kept = set(NumberState) - set(states.DELETABLE)
    assert set(states.KEPT_REASON) == kept
    assert all(states.KEPT_REASON.values())


def test_calling_is_neither_claimable_nor_deletable():
    assert NumberState.CALLING not in states.CLAIMABLE
    assert NumberState.CALLING not in states.DELETABLE


def test_result_codes():
    assert (states.CONNECTED, states.FAILED) == ("6", "5")
