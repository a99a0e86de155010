"""A driver that places no real call: outcomes drawn from a configured mix.

Ringing longer than the campaign's maxAlertingTime ends unanswered ("00603"); a
connected call then talks for a while. Durations are multiplied by ``time_scale`` (tests
run whole campaigns in seconds).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from .driver import CONNECTED, FAILED, NO_ANSWER, SUCCESS_CODE, CallOutcome, CallRequest

DEFAULT_OUTCOMES = {SUCCESS_CODE: 60.0, NO_ANSWER: 25.0, "00537": 10.0, "00538": 5.0}


def parse_outcomes(text: str) -> dict[str, float]:
    """``"00000=60,00603=25"`` -> {failCode: weight}."""
    mix: dict[str, float] = {}
    for part in text.split(","):
        code, _, weight = part.partition("=")
        if not code.strip() or not weight.strip() or float(weight) < 0:
            raise ValueError(f"outcome {part!r}: write failCode=weight")
        mix[code.strip()] = float(weight)
    if not any(mix.values()):
        raise ValueError("at least one outcome needs a positive weight")
    return mix


def parse_range(text: str) -> tuple[float, float]:
    """``"2-8"`` -> (2.0, 8.0); ``"3"`` -> (3.0, 3.0)."""
    low, _, high = text.partition("-")
    bounds = (float(low), float(high or low))
    if bounds[0] < 0 or bounds[1] < bounds[0]:
        raise ValueError(f"range {text!r}: write low-high seconds")
    return bounds


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class SimulatedDriver:
    def __init__(
        self,
        outcomes: Mapping[str, float] = DEFAULT_OUTCOMES,
        ring_seconds: tuple[float, float] = (2.0, 8.0),
        talk_seconds: tuple[float, float] = (5.0, 30.0),
        time_scale: float = 1.0,
        seed: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.codes = list(outcomes)
        self.weights = [outcomes[code] for code in self.codes]
        self.ring_seconds, self.talk_seconds = ring_seconds, talk_seconds
        self.time_scale = time_scale
        self.rng = random.Random(seed)
        self.sleep = sleep

    def place(self, call: CallRequest) -> CallOutcome:
        code = self.rng.choices(self.codes, self.weights)[0]
        ring = self.rng.uniform(*self.ring_seconds)
        if ring > call.max_alerting_seconds:
            code, ring = NO_ANSWER, float(call.max_alerting_seconds)
        talk = self.rng.uniform(*self.talk_seconds) if code == SUCCESS_CODE else 0.0
        started = datetime.now(UTC)
        self.sleep((ring + talk) * self.time_scale)
        answered = started + timedelta(seconds=ring)
        return CallOutcome(
            status=CONNECTED if code == SUCCESS_CODE else FAILED,
            fail_code=code,
            call_id=f"sim-{uuid.uuid4().hex[:16]}",
            ring_started=_stamp(started),
            answered=_stamp(answered) if code == SUCCESS_CODE else "",
            ended=_stamp(answered + timedelta(seconds=talk)),
        )
