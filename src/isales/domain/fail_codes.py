"""The platform's outbound failCodes and what each means: the one table everyone reads.

The interface lists them with their sentence (queryOBSResultCode); people read the short
label beside the code (``00603 No answer``) in the console's results and statistics and
in the command line's exports and tables.
"""

from __future__ import annotations

from typing import NamedTuple


class FailCode(NamedTuple):
    code: str
    label: str  # a few words, for tables and charts
    meaning: str  # the sentence queryOBSResultCode answers


FAIL_CODES: tuple[FailCode, ...] = (
    FailCode("00000", "Connected", "The call succeeded."),
    FailCode("00531", "Called party hung up", "The called party hung up."),
    FailCode("00537", "Busy", "The called party is busy."),
    FailCode("00538", "Empty or wrong number", "The number is empty or wrong."),
    FailCode("00548", "Phone powered off", "The mobile phone is powered off."),
    FailCode("00549", "Out of service area", "The mobile phone is out of the service area."),
    FailCode("00551", "User hung up", "The user hung up."),
    FailCode("00601", "Hung up before answering", "The user hung up before answering."),
    FailCode("00602", "No ACD resource", "No resource available on the ACD."),
    FailCode("00603", "No answer", "The called party does not answer the call."),
    FailCode("00604", "Rejected", "The call is rejected."),
    FailCode("00605", "Switch busy", "The switch is busy."),
    FailCode("00606", "ACD timed out", "The ACD times out."),
    FailCode("00701", "Hung up while queuing", "The user hung up while queuing."),
    FailCode("00702", "Queuing timed out", "Queuing timed out; the platform released the call."),
    FailCode("01040", "Ringing timed out", "Ringing timed out; the platform released the call."),
    FailCode(
        "01043", "No result in time", "The platform timed out waiting for the outbound result."
    ),
    FailCode("01046", "No agent free", "No agent could be occupied."),
    FailCode("01048", "Out of resources", "Insufficient system resources."),
    FailCode("01049", "Detection timed out", "Outbound call detection timed out."),
    FailCode("34601", "No such task", "The outbound task does not exist."),
    FailCode("34605", "No number", "The called number is empty."),
    FailCode(
        "34606",
        "Call attempt failed",
        "The call attempt failed (for example, maximum concurrency reached).",
    ),
    FailCode("34608", "No result (timeout)", "No outbound result; written back on timeout."),
    FailCode("34611", "System error", "System error."),
)

_BY_CODE = {entry.code: entry for entry in FAIL_CODES}


def label(code: str | None) -> str:
    """The few words for a failCode (``"No answer"``); empty for a code outside the table
    (the detailed style's 128 + Q.850 codes) or no code."""
    entry = _BY_CODE.get(code or "")
    return entry.label if entry else ""


def described(code: str | None) -> str:
    """``"00603 No answer"``: the code and its words; a code outside the table as itself,
    and no code as an empty string."""
    return f"{code} {label(code)}".strip() if code else ""
