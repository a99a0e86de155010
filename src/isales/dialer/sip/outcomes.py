"""What a SIP call attempt ended with, as the status and failCode isales reports.

This module is the one place where SIP response codes and Q.850 causes become failCodes
(docs/telephony.md, "Call outcomes"). It is a pure table: the driver records what it saw
(:class:`Seen`) and :func:`classify` reads the table.

Rules, in order:

1. a 2xx answer is a connected call (status 6, ``00000``);
2. the trunk refusing our credentials (401/407 after we answered the challenge, or 403
   without Q.850 cause 21) is a configuration error: ``34606``, flagged so the dialer can
   stop before it burns a list;
3. the Q.850 cause of a ``Reason`` header wins when the table knows it;
4. otherwise the SIP code decides, and for 480 whether a 180/183 came first;
5. our own ring limit (CANCEL, then 487) is "no answer"; no response at all (timer B)
   and anything unknown is ``34606`` "call attempt failed".

``detailed`` style: where a row has a Huawei 128 + Q.850 code, that code is reported
instead (computed from the cause when one was given, else the row's own cause).
"""

from __future__ import annotations

from dataclasses import dataclass

CONNECTED, FAILED = "6", "5"
SUCCESS = "00000"
BUSY = "00537"
EMPTY_NUMBER = "00538"
POWERED_OFF = "00548"
OUT_OF_AREA = "00549"
NO_ANSWER = "00603"
REJECTED = "00604"
SWITCH_BUSY = "00605"
ATTEMPT_FAILED = "34606"

STYLES = ("reference", "detailed")

#: failCode -> the Q.850 cause its row stands for when the detailed style reports 128 + cause
_DETAILED_CAUSE = {BUSY: 17, EMPTY_NUMBER: 1, OUT_OF_AREA: 18, NO_ANSWER: 19, REJECTED: 21}

#: Q.850 cause (RFC 3326 ``Reason``) -> failCode; a cause not listed leaves the SIP code to decide
BY_CAUSE: dict[int, str] = {
    1: EMPTY_NUMBER,  # unallocated number
    17: BUSY,  # user busy
    18: OUT_OF_AREA,  # no user responding
    19: NO_ANSWER,  # no answer from user (alerted)
    20: POWERED_OFF,  # subscriber absent
    21: REJECTED,  # call rejected
    22: EMPTY_NUMBER,  # number changed
    28: EMPTY_NUMBER,  # invalid number format
    34: SWITCH_BUSY,  # no circuit available
    38: SWITCH_BUSY,  # network out of order
    41: SWITCH_BUSY,  # temporary failure
    42: SWITCH_BUSY,  # switching equipment congestion
    47: SWITCH_BUSY,  # resource unavailable
    102: SWITCH_BUSY,  # recovery on timer expiry
}

#: SIP final response code -> failCode (480 and 408 are decided in :func:`classify`)
BY_CODE: dict[int, str] = {
    486: BUSY,
    600: BUSY,
    404: EMPTY_NUMBER,
    604: EMPTY_NUMBER,
    410: EMPTY_NUMBER,
    484: EMPTY_NUMBER,
    408: OUT_OF_AREA,  # sent by the far end; our own timer B is ``timed_out``
    603: REJECTED,
    500: SWITCH_BUSY,
    502: SWITCH_BUSY,
    503: SWITCH_BUSY,
    504: SWITCH_BUSY,
}

#: 4xx codes that say the trunk does not accept who we are
CREDENTIAL_CODES = (401, 407)


@dataclass(frozen=True)
class Seen:
    """What the driver saw of one attempt."""

    sip_code: int | None = None  # the final response (None: none arrived)
    q850_cause: int | None = None  # from a ``Reason: Q.850;cause=N`` header
    ringing: bool = False  # a 180 or 183 came before the final response
    ring_limit: bool = False  # our maxAlertingTime fired and we sent CANCEL
    timed_out: bool = False  # no response at all (timer B) or the trunk unreachable


@dataclass(frozen=True)
class Outcome:
    status: str
    fail_code: str
    credentials_refused: bool = False


def credentials_refused(seen: Seen) -> bool:
    if seen.sip_code in CREDENTIAL_CODES:
        return True
    return seen.sip_code == 403 and seen.q850_cause != 21


def classify(seen: Seen, style: str = "reference") -> Outcome:
    if seen.sip_code is not None and 200 <= seen.sip_code < 300:
        return Outcome(CONNECTED, SUCCESS)
    if credentials_refused(seen):
        return Outcome(FAILED, ATTEMPT_FAILED, credentials_refused=True)
    code = _fail_code(seen)
    if style == "detailed" and code in _DETAILED_CAUSE and not _our_ring_limit(seen):
        cause = seen.q850_cause if BY_CAUSE.get(seen.q850_cause or -1) == code else None
        code = f"{128 + (cause or _DETAILED_CAUSE[code]):05d}"
    return Outcome(FAILED, code)


def _our_ring_limit(seen: Seen) -> bool:
    return seen.ring_limit and seen.sip_code in (None, 487)


def _fail_code(seen: Seen) -> str:
    if _our_ring_limit(seen):
        return NO_ANSWER
    if seen.timed_out:
        return ATTEMPT_FAILED
    if seen.q850_cause in BY_CAUSE:
        return BY_CAUSE[seen.q850_cause]
    if seen.sip_code == 480:
        return NO_ANSWER if seen.ringing else POWERED_OFF
    if seen.sip_code in BY_CODE:
        return BY_CODE[seen.sip_code]
    return ATTEMPT_FAILED


def q850_cause(reason_header: str | None) -> int | None:
    """The cause of an RFC 3326 ``Reason`` header value, e.g. ``Q.850;cause=17;text="busy"``."""
    if not reason_header:
        return None
    for value in reason_header.split(","):
        protocol, *params = (part.strip() for part in value.split(";"))
        if protocol.upper() != "Q.850":
            continue
        for param in params:
            name, _, text = param.partition("=")
            if name.strip().lower() == "cause" and text.strip().isdigit():
                return int(text.strip())
    return None
