"""dialer/simulated.py: the outcome mix, ringing cap and parsing of its options."""

from __future__ import annotations

from collections import Counter

import pytest

from isales.dialer import CallRequest, SimulatedDriver
from isales.dialer.simulated import parse_outcomes, parse_range


def call(max_alerting: int = 60) -> CallRequest:
    return CallRequest(1, "7", ["138"], "10086", "", max_alerting)


def test_outcomes_follow_the_weights_and_the_sleep_is_scaled():
    slept: list[float] = []
    driver = SimulatedDriver(
        {"00000": 3, "00537": 1},
        ring_seconds=(1, 1),
        talk_seconds=(10, 10),
        time_scale=0.5,
        seed=7,
        sleep=slept.append,
    )
    outcomes = [driver.place(call()) for _ in range(400)]
    codes = Counter(o.fail_code for o in outcomes)
    assert set(codes) == {"00000", "00537"}
    assert 250 < codes["00000"] < 350
    for outcome, pause in zip(outcomes, slept, strict=True):
        if outcome.fail_code == "00000":
            assert (outcome.status, pause) == ("6", 5.5) and outcome.answered
        else:
            assert (outcome.status, pause) == ("5", 0.5) and outcome.answered == ""
    assert len({o.call_id for o in outcomes}) == 400


def test_ringing_longer_than_max_alerting_time_is_unanswered():
    slept: list[float] = []
    driver = SimulatedDriver(
        {"00000": 1}, ring_seconds=(30, 30), talk_seconds=(5, 5), sleep=slept.append
    )
    outcome = driver.place(call(max_alerting=20))
    assert (outcome.status, outcome.fail_code) == ("5", "00603")
    assert slept == [20.0]


@pytest.mark.parametrize("text", ["", "00000", "00000=x", "00000=-1", "00000=0"])
def test_bad_outcome_mixes(text):
    with pytest.raises(ValueError):
        parse_outcomes(text)


def test_ranges():
    assert parse_range("2-8") == (2.0, 8.0) and parse_range("3") == (3.0, 3.0)
    for bad in ("8-2", "-1", "x"):
        with pytest.raises(ValueError):
            parse_range(bad)
