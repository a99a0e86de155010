"""Dialing modes: what a campaign's ``deviceType`` makes the dialer do on an answer.

CC-iSales names the modes by ``deviceType`` (docs/telephony.md):

- 3, automatic IVR: *notification* — the campaign's prompt is played, then the call ends;
- 6, pre-occupied agent: *progressive* — a number is dialled only for a READY agent
  reserved for it, and bridged to that agent at once (it cannot be abandoned);
- 5, preview: an agent asks for the next record, then dials or skips it;
- 2, predictive: more numbers than free agents are dialled, paced by
  :mod:`isales.domain.pacing`; an answer that finds no agent free within
  ``agentWaitSeconds`` hears the compliance message and counts as abandoned.

The pacing settings' defaults (``abandonTarget``, ``abandonCap``, ``minAgentsPredictive``,
``agentWaitSeconds``) are :class:`isales.domain.pacing.PacingSettings`'s; the two below
are the agent campaigns' other settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta

NOTIFICATION = 3
PROGRESSIVE = 6
PREVIEW = 5
PREDICTIVE = 2

#: Modes whose answered calls go to an agent.
AGENT_MODES = frozenset({PROGRESSIVE, PREVIEW, PREDICTIVE})

#: ``wrapUpSeconds``: how long an agent stays in WRAP_UP after a call unless its
#: ``callBusiResult`` (naming the agent's ``workNo``) ends it sooner.
DEFAULT_WRAP_UP_SECONDS = 10
#: ``abandonRedialHours``: a number whose call was abandoned (failCode 01046) is not
#: dialled again for this long (Ofcom: no repeat call within 72 hours of an abandoned one).
DEFAULT_ABANDON_REDIAL_HOURS = 72
#: failCode of a call answered by a person when no agent was free (the compliance message
#: was played); it counts as abandoned.
ABANDONED_FAIL_CODE = "01046"


def is_abandoned(fail_code: str | None) -> bool:
    """Whether a call's failCode says a person answered and no agent was free."""
    return fail_code == ABANDONED_FAIL_CODE


def redial_not_before(
    fail_code: str | None, ended_at: datetime, redial_hours: int
) -> datetime | None:
    """The earliest moment a number may be dialled again after a call, when that call
    restricts it: ``redial_hours`` after an abandoned call ended; None for any other call.

    The number's next due time is raised to this when its result is recorded, so the
    claim (which walks numbers in due-time order) needs no rule of its own.
    """
    if not is_abandoned(fail_code):
        return None
    return ended_at + timedelta(hours=redial_hours)
