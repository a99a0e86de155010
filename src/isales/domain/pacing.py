"""Predictive pacing: how many numbers a predictive campaign dials now (docs/pacing.md).

A predictive campaign dials ahead of its agents because most calls are never answered by a
person; the risk is a person who answers while every agent is busy. Regulators cap those
*abandoned* calls as a share of live answers (3 % per campaign, over 24 hours in the UK
and 30 days in the US), so the pacer aims at ``abandon_target`` under ``abandon_cap``:

- it asks, every tick, for the largest number of new calls ``n`` whose expected overflow
  stays within the target: ``E[max(X - A, 0)] / E[X] <= target`` with ``X`` the live
  answers to come from the calls ringing and the ``n`` new ones, and ``A`` the agents free
  now or within the look-ahead. ``X`` is a sum of independent answers (a binomial when
  every call has the same chance), and its *tail*, not its mean, is what keeps a small
  team safe: a mean-only rule dials until the expected answers match the agents, and
  every unlucky second then abandons;
- each call's chance of a live answer is learnt from recent outcomes (exponentially
  weighted, so a list that turns out better or worse is followed within a few hundred
  calls) and depends on how long the call has rung already: a call ringing for 15 s is
  mostly going to ring out;
- every minute the working target moves against the window's abandon rate (down fast,
  up slowly), which absorbs what the model leaves out (talk times, agents that free early);
- at or above the cap, and with fewer staffed agents than ``min_agents_predictive``, it
  dials progressively (one call per free agent), which cannot abandon: small teams have
  too little slack for any over-dialling, and a campaign at its cap must still be able to
  bring its rate down with fresh live answers instead of stalling until the window ages.

Everything here is pure: the dialer passes the clock and the counts in, and the benchmark
(``bench/pacing.py``) drives the same class against a simulated world.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

#: ``abandonWindow`` values: the UK reads the cap per 24 hours, the US over 30 days.
ABANDON_WINDOWS: dict[str, timedelta] = {"24h": timedelta(hours=24), "30d": timedelta(days=30)}
DEFAULT_ABANDON_WINDOW = "24h"

#: Seconds ahead in which an agent about to leave wrap-up counts as free. People answer a
#: few seconds after the dial at the earliest (3-20 s in the simulation), so an agent who
#: frees within this time is there for nearly every answer to come. A longer look-ahead
#: counts agents the early answers cannot wait for: 12 s (the first design) held 2.5 % at
#: a 30 % hit rate but sat at the cap (2.9 %) with 10 agents and a 50 % hit rate; 6 s held
#: about 2.5 % in both, with more occupancy.
LOOK_AHEAD_SECONDS = 6.0
#: How often the working target is corrected against the window's rate, and by how much:
#: down by 15 % when above the target, up by 3 % when below, so an overshoot is paid back
#: within minutes while the climb back is cautious.
FEEDBACK_SECONDS = 60.0
FEEDBACK_DOWN = 0.85
FEEDBACK_UP = 1.03
#: The working target stays within these multiples of ``abandon_target``: the floor keeps
#: some over-dialling alive after a bad spell, the ceiling stops a long quiet spell (large
#: teams abandon less than the model predicts) from building a target that floods the
#: lines the moment luck turns.
TARGET_FLOOR = 0.1
TARGET_CEILING = 2.0
#: The hit-rate estimate starts high (a high estimate dials fewer calls, the safe side)
#: and learns from each outcome with this weight; the fresh-dial rate never goes below the
#: floor, so a run of unanswered calls cannot make the rule dial thousands of numbers per
#: free agent. Ring ages are kept per whole second up to RING_BUCKETS (longer calls share
#: the last second; rings are capped by ``maxAlertingTime``, at most 60 s in CC-iSales).
INITIAL_HIT_RATE = 0.5
HIT_RATE_WEIGHT = 0.01
HIT_RATE_FLOOR = 0.02
RING_BUCKETS = 120

Mode = Literal["progressive", "capped", "predictive"]


def abandon_window(name: str) -> timedelta:
    """The length of an ``abandonWindow`` value (``24h`` or ``30d``); ValueError otherwise."""
    try:
        return ABANDON_WINDOWS[name]
    except KeyError:
        raise ValueError(f"abandonWindow must be one of {sorted(ABANDON_WINDOWS)}") from None


def window_start(now: datetime, name: str) -> datetime:
    """The oldest moment whose live answers and abandons count towards the cap at ``now``.

    The window slides (it is not a calendar day): a burst of abandons just before midnight
    still counts just after it, which is how the regulators' "per 24 hours" and "over 30
    days" read.
    """
    return now - abandon_window(name)


def abandon_rate(live: int, abandoned: int) -> float:
    """Abandoned calls as a share of live answers (0.0 before the first live answer).

    The denominator is *live* answers, not dials: the rules protect people who picked up.
    Every abandoned call was a live answer first, so ``abandoned <= live``.
    """
    if live < 0 or abandoned < 0 or abandoned > live:
        raise ValueError(f"need 0 <= abandoned <= live, got {abandoned} of {live}")
    return abandoned / live if live else 0.0


@dataclass(frozen=True)
class PacingSettings:
    """A campaign's pacing settings, as fractions (``abandonTarget`` 2.5 % is 0.025)."""

    abandon_target: float = 0.025
    abandon_cap: float = 0.03
    min_agents_predictive: int = 8
    #: How long a live answer waits for an agent before it hears the compliance message.
    #: The pacer does not read it (its look-ahead is far longer); the dialer and the
    #: simulation do, and it lives here so that both take it from one place.
    agent_wait_seconds: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.abandon_target <= self.abandon_cap < 1:  # fractions, not percent
            raise ValueError("need 0 < abandon_target <= abandon_cap < 1")
        if self.min_agents_predictive < 1:
            raise ValueError("min_agents_predictive must be at least 1")
        if self.agent_wait_seconds < 0:
            raise ValueError("agent_wait_seconds must not be negative")


@dataclass(frozen=True)
class PacingSnapshot:
    """What the dialer sees of one campaign at one tick.

    ``staffed_agents``: logged in and not paused (READY, RESERVED, TALKING, WRAP_UP); this,
    not the READY count, chooses between progressive and predictive, since in a busy
    predictive campaign almost nobody is READY at any instant.
    ``ready_agents``: READY now. ``agents_freeing``: not READY now but known to be within
    :data:`LOOK_AHEAD_SECONDS` (an agent in wrap-up whose wrap-up ends by then; a talking
    agent's end is unknown and is not counted).
    ``ringing``: for each call placed and not yet answered or ended, the seconds since it
    was dialled; none has an agent of its own (each takes a READY agent if a person
    answers).
    ``answers_waiting``: answered calls waiting for an agent right now.
    ``live_answers`` and ``abandoned``: counted over the campaign's abandon window.
    """

    staffed_agents: int
    ready_agents: int
    agents_freeing: int
    ringing: Sequence[float]
    answers_waiting: int = 0
    live_answers: int = 0
    abandoned: int = 0

    @property
    def abandon_rate(self) -> float:
        return abandon_rate(self.live_answers, self.abandoned)


@dataclass(frozen=True)
class Pace:
    """One decision: how many numbers to dial now, and which rule chose it."""

    dials: int
    mode: Mode


class HitRateEstimator:
    """The chance that a person answers a call, fresh or already ringing, learnt from outcomes.

    A call that has rung for 15 s is far less likely to be answered than a fresh one (most
    people who answer do so within seconds; what is left mostly rings out), so the chance is
    kept per ring age: among recent outcomes that came after ``age`` seconds of ringing,
    the share that were live answers. Counting every call in flight at the fresh rate would
    expect answers that will not come and leave agents idle. Recent outcomes weigh more
    (exponentially, by ``weight`` per outcome) because the rate drifts with the list and
    the hour. ``initial`` enters as ``prior_calls`` pseudo-outcomes that count at every
    age and fade like real ones; it starts high because a high estimate dials less.
    """

    def __init__(
        self,
        initial: float = INITIAL_HIT_RATE,
        weight: float = HIT_RATE_WEIGHT,
        prior_calls: float = 20.0,
    ) -> None:
        if not 0 < initial <= 1 or not 0 < weight < 1 or prior_calls <= 0:
            raise ValueError("need 0 < initial <= 1, 0 < weight < 1 and prior_calls > 0")
        # per whole second of ring time; the last bucket holds longer calls and the prior
        self._live = [0.0] * (RING_BUCKETS + 1)
        self._all = [0.0] * (RING_BUCKETS + 1)
        self._live[-1], self._all[-1] = initial * prior_calls, prior_calls
        self._decay = 1 / (1 - weight)
        # the weight of the next outcome: it grows instead of every stored weight shrinking
        self._next = 1.0
        self._by_age: list[float] = []  # the chance per bucket; empty when out of date

    def record(self, live: bool, ring_seconds: float) -> None:
        """One ended dial: ``live`` when a person answered (abandoned or not), after
        ``ring_seconds`` from the dial to the answer or the failure."""
        self._next *= self._decay
        bucket = min(max(int(ring_seconds), 0), RING_BUCKETS)
        self._all[bucket] += self._next
        if live:
            self._live[bucket] += self._next
        if self._next > 1e100:  # rescale long before floats run out
            self._live = [w / self._next for w in self._live]
            self._all = [w / self._next for w in self._all]
            self._next = 1.0
        self._by_age = []

    def _table(self) -> list[float]:
        """The chance per bucket: live outcomes over all outcomes from that bucket on."""
        if not self._by_age:
            live = every = 0.0
            table = [0.0] * (RING_BUCKETS + 1)
            for bucket in range(RING_BUCKETS, -1, -1):
                live += self._live[bucket]
                every += self._all[bucket]
                # an empty tail (the prior faded out of floats) falls back to the fresh rate
                table[bucket] = live / every if every > 0 else -1.0
            fresh = max(table[0], HIT_RATE_FLOOR)
            self._by_age = [fresh if chance < 0 else chance for chance in table]
            self._by_age[0] = fresh
        return self._by_age

    def given_ringing(self, age: float) -> float:
        """The chance that a call ringing for ``age`` seconds ends in a live answer."""
        return self._table()[min(max(int(age), 0), RING_BUCKETS)]

    def given_ringing_all(self, ages: Sequence[float]) -> list[float]:
        """:meth:`given_ringing` of each of ``ages`` (one table look-up each)."""
        table, last = self._table(), RING_BUCKETS
        return [table[min(max(int(age), 0), last)] for age in ages]

    @property
    def value(self) -> float:
        """The chance for a fresh dial, never below :data:`HIT_RATE_FLOOR`."""
        return self._table()[0]


def _add_calls(short: list[float], chances: Sequence[float]) -> None:
    """Fold calls into ``short`` = P(X = k) for k < agents (the rest is X >= agents)."""
    top = len(short) - 1
    for chance in chances:
        stay = 1.0 - chance
        for k in range(top, 0, -1):
            short[k] = short[k] * stay + short[k - 1] * chance
        short[0] *= stay


def _overflow_ratio(short: list[float], mean: float) -> float:
    """``E[max(X - A, 0)] / E[X]`` from ``short`` (A = its length) and ``mean`` = E[X].

    Uses ``E[max(X - A, 0)] = E[X] - A + E[max(A - X, 0)]``, whose sum runs over X < A only,
    so the cost grows with the agents free, not with the calls in flight.
    """
    if mean <= 0:
        return 0.0
    agents = len(short)
    under = sum((agents - k) * p for k, p in enumerate(short))
    return max(mean - agents + under, 0.0) / mean


def expected_overflow_ratio(chances: Sequence[float], agents: int) -> float:
    """The share of the live answers to come that would find none of ``agents`` free.

    ``chances`` holds each call's chance of a live answer; with equal chances ``p`` this is
    ``E[max(X - agents, 0)] / E[X]`` for ``X ~ Binomial(len(chances), p)``.
    """
    mean = math.fsum(chances)
    if agents <= 0:
        return 1.0 - agents / mean if mean > 0 else 0.0
    short = [1.0] + [0.0] * (agents - 1)
    _add_calls(short, chances)
    return _overflow_ratio(short, mean)


def predictive_dials(ringing: Sequence[float], fresh: float, agents: int, target: float) -> int:
    """The largest ``n >= 0`` such that the calls ringing (their chances of a live answer)
    plus ``n`` fresh dials (chance ``fresh`` each) keep the expected overflow ratio over
    ``agents`` within ``target``.

    The ratio grows with every call added, so the search adds fresh calls one at a time
    and stops at the first that crosses the target. Once ``E[X]`` exceeds
    ``agents / (1 - target)`` the ratio is above the target whatever the spread, which
    bounds the search when ``fresh`` is small.
    """
    if agents <= 0 or not 0 < fresh <= 1:
        return 0
    short = [1.0] + [0.0] * (agents - 1)
    _add_calls(short, ringing)
    mean = math.fsum(ringing)
    if _overflow_ratio(short, mean) > target:
        return 0
    bound = math.ceil((agents / (1 - target) - mean) / fresh) + 1
    dials = 0
    one = (fresh,)
    while dials < bound:
        _add_calls(short, one)
        mean += fresh
        if _overflow_ratio(short, mean) > target:
            break
        dials += 1
    return dials


def progressive_dials(snapshot: PacingSnapshot) -> int:
    """One call per READY agent that no call in flight or answer waiting will take."""
    return max(snapshot.ready_agents - len(snapshot.ringing) - snapshot.answers_waiting, 0)


class Pacer:
    """The pacing of one predictive campaign; one instance lives as long as the campaign runs.

    Feed it every ended dial (:meth:`record_outcome`) and ask it each tick (:meth:`decide`).
    It keeps two pieces of state: the hit-rate estimate and the working target.
    """

    def __init__(
        self, settings: PacingSettings | None = None, hit_rate: HitRateEstimator | None = None
    ) -> None:
        self.settings = settings or PacingSettings()
        self.hit_rate = hit_rate or HitRateEstimator()
        self._target = self.settings.abandon_target
        self._feedback_at: float | None = None

    @property
    def target(self) -> float:
        """The working target the binomial rule uses now (moved by the minute feedback)."""
        return self._target

    def record_outcome(self, live: bool, ring_seconds: float) -> None:
        """One dial ended after ``ring_seconds``: ``live`` when a person answered, whether
        an agent took the call or not."""
        self.hit_rate.record(live, ring_seconds)

    def adjust_target(self, window_rate: float) -> None:
        """One feedback step: lower the working target when the window's rate is above
        ``abandon_target``, raise it when below, keep it within its floor and ceiling."""
        goal = self.settings.abandon_target
        if window_rate > goal:
            self._target *= FEEDBACK_DOWN
        elif window_rate < goal:
            self._target *= FEEDBACK_UP
        self._target = min(max(self._target, goal * TARGET_FLOOR), goal * TARGET_CEILING)

    def room_for_an_abandon(self, snapshot: PacingSnapshot) -> bool:
        """Whether one more abandoned call would leave the window's rate under the cap.

        Dialling ahead risks an abandon, so it needs that room: at or above the cap there
        is none, and neither is there at the start of a window (the first abandon among
        fewer than 33 live answers is already 3 %). The progressive dialling that runs
        instead adds live answers without abandons, which makes the room, and it teaches
        the hit-rate estimate before any over-dialling relies on it.
        """
        live, abandoned = snapshot.live_answers + 1, snapshot.abandoned + 1
        return abandon_rate(live, abandoned) < self.settings.abandon_cap

    def decide(self, snapshot: PacingSnapshot, now: float) -> Pace:
        """How many numbers to dial at ``now`` (seconds on any monotonic clock)."""
        if self._feedback_at is None:
            self._feedback_at = now
        if now - self._feedback_at >= FEEDBACK_SECONDS:
            # one step per decision, however long since the last: a campaign paused for an
            # hour has learnt nothing in that hour
            self._feedback_at = now
            self.adjust_target(snapshot.abandon_rate)
        if snapshot.staffed_agents < self.settings.min_agents_predictive:
            return Pace(progressive_dials(snapshot), "progressive")
        if not self.room_for_an_abandon(snapshot):
            return Pace(progressive_dials(snapshot), "capped")
        agents = snapshot.ready_agents + snapshot.agents_freeing - snapshot.answers_waiting
        if agents <= 0:  # every answer to come would overflow: nothing to weigh
            return Pace(0, "predictive")
        chances = self.hit_rate.given_ringing_all(snapshot.ringing)
        dials = predictive_dials(chances, self.hit_rate.value, agents, self._target)
        return Pace(dials, "predictive")
