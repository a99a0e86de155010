"""The predictive pacer (isales.domain.pacing) and the seeded simulation that benchmarks it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest

from bench.pacing import simulate
from isales.domain.pacing import (
    FEEDBACK_DOWN,
    FEEDBACK_SECONDS,
    FEEDBACK_UP,
    TARGET_CEILING,
    TARGET_FLOOR,
    HitRateEstimator,
    Pacer,
    PacingSettings,
    PacingSnapshot,
    abandon_rate,
    abandon_window,
    expected_overflow_ratio,
    predictive_dials,
    window_start,
)


def snapshot(**fields: object) -> PacingSnapshot:
    values: dict[str, object] = {
        "staffed_agents": 10,
        "ready_agents": 4,
        "agents_freeing": 0,
        "ringing": (),
        "live_answers": 1000,  # room for abandons, unless a test says otherwise
    }
    values.update(fields)
    return PacingSnapshot(**values)  # type: ignore[arg-type]


# --- the rate and the window -------------------------------------------------------------


def test_abandon_rate_counts_abandons_among_live_answers() -> None:
    assert abandon_rate(0, 0) == 0.0
    assert abandon_rate(200, 6) == pytest.approx(0.03)
    assert snapshot(live_answers=40, abandoned=1).abandon_rate == pytest.approx(0.025)
    with pytest.raises(ValueError):
        abandon_rate(3, 4)  # an abandoned call was a live answer first
    with pytest.raises(ValueError):
        abandon_rate(-1, 0)


def test_the_window_is_24_hours_or_30_days_and_slides() -> None:
    assert abandon_window("24h") == timedelta(hours=24)
    assert abandon_window("30d") == timedelta(days=30)
    now = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)
    assert window_start(now, "24h") == datetime(2026, 12, 6, 0, 30, tzinfo=UTC)
    assert window_start(now, "30d") == datetime(2026, 11, 7, 0, 30, tzinfo=UTC)
    for wrong in ("1d", "24H", "", "7d"):
        with pytest.raises(ValueError):
            abandon_window(wrong)


def test_settings_are_fractions_with_the_target_under_the_cap() -> None:
    defaults = PacingSettings()
    assert (defaults.abandon_target, defaults.abandon_cap) == (0.025, 0.03)
    assert (defaults.min_agents_predictive, defaults.agent_wait_seconds) == (8, 1.0)
    for wrong in (
        {"abandon_target": 0.04},  # above the cap
        {"abandon_target": 2.5, "abandon_cap": 3.0},  # percent, not fractions
        {"abandon_target": 0.0},
        {"min_agents_predictive": 0},
        {"agent_wait_seconds": -1.0},
    ):
        with pytest.raises(ValueError):
            PacingSettings(**wrong)  # type: ignore[arg-type]


# --- the overflow rule on hand-computed cases ----------------------------------------------


def test_expected_overflow_ratio_of_small_binomials() -> None:
    # X ~ Bin(2, 1/2): P = 1/4, 1/2, 1/4; one agent: E[(X-1)+] = 1/4, E[X] = 1
    assert expected_overflow_ratio([0.5, 0.5], 1) == pytest.approx(0.25)
    # X ~ Bin(3, 1/2): P = 1/8, 3/8, 3/8, 1/8
    assert expected_overflow_ratio([0.5] * 3, 1) == pytest.approx((3 / 8 + 2 / 8) / 1.5)
    assert expected_overflow_ratio([0.5] * 3, 2) == pytest.approx((1 / 8) / 1.5)
    assert expected_overflow_ratio([0.5] * 3, 3) == 0.0
    # unequal chances: one certain answer and one coin, one agent: E[(X-1)+] = 1/2 of 3/2
    assert expected_overflow_ratio([1.0, 0.5], 1) == pytest.approx(1 / 3)
    # no agent: every expected answer overflows; no call: nothing does
    assert expected_overflow_ratio([0.3, 0.3], 0) == pytest.approx(1.0)
    assert expected_overflow_ratio([], 5) == 0.0


def test_expected_overflow_ratio_of_a_large_binomial_matches_the_direct_sum() -> None:
    from math import comb

    trials, p, agents = 60, 0.3, 15
    pmf = [comb(trials, k) * p**k * (1 - p) ** (trials - k) for k in range(trials + 1)]
    direct = sum(max(k - agents, 0) * pmf[k] for k in range(trials + 1)) / (trials * p)
    assert expected_overflow_ratio([p] * trials, agents) == pytest.approx(direct, rel=1e-9)


def test_predictive_dials_is_the_largest_count_within_the_target() -> None:
    # one agent, fresh chance 1/2: two dials give 1/4 (within 1/4), three give 5/12
    assert predictive_dials([], 0.5, 1, 0.25) == 2
    assert predictive_dials([], 0.5, 1, 0.24) == 1
    # two agents: three dials give 1/12; four give Bin(4, 1/2) -> (4/16 + 2/16) / 2 = 3/16
    assert predictive_dials([], 0.5, 2, 0.1) == 3
    assert predictive_dials([], 0.5, 2, 0.1875) == 4
    # calls already ringing use up the room: one coin ringing, one agent, target 1/4
    assert predictive_dials([0.5], 0.5, 1, 0.25) == 1
    # a certain answer ringing for the only agent leaves no room for anything
    assert predictive_dials([1.0], 0.5, 1, 0.25) == 0
    # when what rings already overflows past the target, nothing is dialled
    assert predictive_dials([0.5] * 3, 0.5, 1, 0.25) == 0
    assert predictive_dials([], 0.5, 0, 0.25) == 0


def test_predictive_dials_stays_bounded_when_nearly_nobody_answers() -> None:
    dials = predictive_dials([], 0.02, 50, 0.05)
    assert 50 / 0.02 * 0.8 < dials < 50 / 0.02 * 1.2


# --- the hit rate -------------------------------------------------------------------------


def test_hit_rate_starts_high_and_learns_from_outcomes() -> None:
    estimate = HitRateEstimator()
    assert estimate.value == pytest.approx(0.5)
    for n in range(2000):
        estimate.record(n % 10 < 3, 25.0)  # 30 % live, all at the same ring time
    assert estimate.value == pytest.approx(0.3, abs=0.02)
    for _ in range(2000):
        estimate.record(False, 25.0)
    assert estimate.value == pytest.approx(0.02)  # the floor


def test_a_call_that_has_rung_long_is_less_likely_to_be_answered() -> None:
    estimate = HitRateEstimator()
    for n in range(3000):
        if n % 10 < 3:
            estimate.record(True, 3 + n % 7)  # people answer within 3-9 s
        else:
            estimate.record(False, 25.0)  # the rest ring out at 25 s
    assert estimate.given_ringing(0) == pytest.approx(0.3, abs=0.02)
    assert estimate.given_ringing(6) < estimate.given_ringing(0)
    assert estimate.given_ringing(12) < 0.01  # past every answer seen: it will ring out


# --- the pacer ----------------------------------------------------------------------------


def test_below_min_agents_predictive_it_dials_one_per_free_agent() -> None:
    pacer = Pacer()
    pace = pacer.decide(snapshot(staffed_agents=7, ready_agents=5, ringing=(1.0, 4.0)), 0.0)
    assert (pace.dials, pace.mode) == (3, "progressive")
    pace = pacer.decide(snapshot(staffed_agents=7, ready_agents=2, ringing=(1.0, 4.0)), 1.0)
    assert (pace.dials, pace.mode) == (0, "progressive")
    # an answer waiting for an agent takes one of the free agents too
    waiting = snapshot(staffed_agents=7, ready_agents=3, ringing=(1.0,), answers_waiting=1)
    assert pacer.decide(waiting, 2.0).dials == 1
    # a higher minimum makes a larger team progressive as well
    strict = Pacer(PacingSettings(min_agents_predictive=20))
    assert strict.decide(snapshot(staffed_agents=19, ready_agents=4), 0.0).dials == 4
    # from the minimum on it dials ahead of the agents
    pace = Pacer().decide(snapshot(staffed_agents=8, ready_agents=4), 0.0)
    assert pace.mode == "predictive" and pace.dials > 4


def test_at_or_over_the_cap_it_never_dials_ahead_of_the_agents() -> None:
    free = snapshot(ready_agents=4, ringing=(2.0,))
    nearly = PacingSnapshot(**{**asdict(free), "live_answers": 1000, "abandoned": 29})
    below = Pacer().decide(nearly, 0.0)
    assert below.mode == "predictive" and below.dials > 3
    for abandoned in (30, 31, 100):  # 3.0 %, 3.1 %, 10 % of 1000 live answers
        at = PacingSnapshot(**{**asdict(free), "live_answers": 1000, "abandoned": abandoned})
        pace = Pacer().decide(at, 0.0)
        assert (pace.dials, pace.mode) == (3, "capped")
    covered = snapshot(ready_agents=2, ringing=(1.0, 2.0), live_answers=100, abandoned=3)
    assert Pacer().decide(covered, 0.0).dials == 0
    tighter = Pacer(PacingSettings(abandon_target=0.01, abandon_cap=0.02))
    assert tighter.decide(snapshot(live_answers=200, abandoned=2), 0.0).mode == "predictive"
    assert tighter.decide(snapshot(live_answers=100, abandoned=2), 0.0).mode == "capped"


def test_it_dials_ahead_only_with_room_for_one_more_abandon_under_the_cap() -> None:
    # a fresh window: the first abandon among fewer than 33 live answers is 3 % or more
    for live in (0, 1, 32):
        pace = Pacer().decide(snapshot(ready_agents=4, live_answers=live), 0.0)
        assert (pace.dials, pace.mode) == (4, "capped")
    assert Pacer().decide(snapshot(live_answers=33), 0.0).mode == "predictive"  # 1/34 < 3 %
    # 2.2 % now, but one more abandon makes 3/91 = 3.3 %: no dialling ahead
    assert Pacer().decide(snapshot(live_answers=90, abandoned=2), 0.0).mode == "capped"
    # 2 % now and 3/101 = 2.97 % after one more: room
    assert Pacer().decide(snapshot(live_answers=100, abandoned=2), 0.0).mode == "predictive"
    assert Pacer().decide(snapshot(live_answers=200, abandoned=4), 0.0).mode == "predictive"


def test_the_target_moves_against_the_window_rate_once_a_minute() -> None:
    above = snapshot(live_answers=1000, abandoned=29)  # 2.9 %: above 2.5, below the cap
    pacer = Pacer()
    pacer.decide(above, 0.0)
    pacer.decide(above, FEEDBACK_SECONDS - 1)
    assert pacer.target == pytest.approx(0.025)  # not yet a minute
    pacer.decide(above, FEEDBACK_SECONDS)
    assert pacer.target == pytest.approx(0.025 * FEEDBACK_DOWN)
    below = snapshot(live_answers=100, abandoned=1)
    pacer.decide(below, 2 * FEEDBACK_SECONDS)
    assert pacer.target == pytest.approx(0.025 * FEEDBACK_DOWN * FEEDBACK_UP)
    pacer.decide(below, 10 * FEEDBACK_SECONDS)  # one step however long the gap
    assert pacer.target == pytest.approx(0.025 * FEEDBACK_DOWN * FEEDBACK_UP**2)
    on_target = snapshot(live_answers=200, abandoned=5)
    pacer.decide(on_target, 11 * FEEDBACK_SECONDS)
    assert pacer.target == pytest.approx(0.025 * FEEDBACK_DOWN * FEEDBACK_UP**2)


def test_the_working_target_stays_within_its_floor_and_ceiling() -> None:
    pacer = Pacer()
    for _ in range(200):
        pacer.adjust_target(0.5)
    assert pacer.target == pytest.approx(0.025 * TARGET_FLOOR)
    for _ in range(500):
        pacer.adjust_target(0.0)
    assert pacer.target == pytest.approx(0.025 * TARGET_CEILING)


def test_a_lower_target_dials_fewer_and_a_higher_hit_rate_dials_fewer() -> None:
    many = snapshot(staffed_agents=20, ready_agents=10, agents_freeing=2)
    assert (
        Pacer(PacingSettings(abandon_target=0.005)).decide(many, 0.0).dials
        < Pacer().decide(many, 0.0).dials
    )
    low = Pacer(hit_rate=HitRateEstimator(initial=0.2))
    high = Pacer(hit_rate=HitRateEstimator(initial=0.6))
    assert high.decide(many, 0.0).dials < low.decide(many, 0.0).dials


# --- the simulation -----------------------------------------------------------------------


def test_the_simulation_is_deterministic_by_seed() -> None:
    first = simulate("predictive", 10, 0.3, seed=1, hours=0.25)
    again = simulate("predictive", 10, 0.3, seed=1, hours=0.25)
    other = simulate("predictive", 10, 0.3, seed=2, hours=0.25)
    assert asdict(first) == asdict(again)
    assert (first.dials, first.live, first.busy_seconds) != (
        other.dials,
        other.live,
        other.busy_seconds,
    )
    assert first.dials > first.live > first.connects - 1 > 0
    assert set(first.modes) <= {"predictive", "capped"}


def test_the_simulated_small_team_runs_progressive_and_abandons_nothing() -> None:
    run = simulate("predictive", 5, 0.3, seed=3, hours=0.25)
    assert set(run.modes) == {"progressive"}
    assert run.abandoned == 0 and run.connects > 0
