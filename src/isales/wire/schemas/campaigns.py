"""Campaign interfaces (docs/api.md#campaigns): fields, cross-field rules, wire form."""

from __future__ import annotations

from typing import Any

from ...domain import dialing, pacing
from ...errors import ErrorCode, InvalidParameter
from ..validation import DIGITS, INT32_MAX, PHONE_CHARS, TIME_FORMAT, Field, Schema
from . import policies
from .contact import CONTACT_POLICY, contact_policy_column, wire_contact_policy

DEVICE_TYPES = (1, 2, 3, 5, 6)
IVR_DEVICES = (1, dialing.NOTIFICATION)
#: the agent modes (domain/dialing.py): skillParam names their skill queue
SKILL_DEVICES = tuple(sorted(dialing.AGENT_MODES))

_SCHEDULE_SLOTS = [
    (f"{kind}BeginTime{n}", f"{kind}EndTime{n}")
    for kind in ("workday", "holiday")
    for n in (1, 2, 3)
]
SCHEDULE = (
    *(
        Field(name, format="hhmm", description="HH:mm, or empty")
        for pair in _SCHEDULE_SLOTS
        for name in pair
    ),
    # an isales extension: windows apply in each number's local time
    # (docs/api.md, "Calling hours in each number's own time zone")
    Field(
        "calleeLocalTime",
        "integer",
        choices=(0, 1),
        description="1: the windows apply in each called number's own time zone; default 0",
    ),
)

_COMMON_HEAD = (
    Field("name", required=True, max_length=100, description="unique in the VDN"),
    Field("description", max_length=200, forbidden='"[]=;<>'),
    Field("strBeginTime", required=True, format="time", description="UTC"),
    Field("strEndTime", required=True, format="time", description="UTC, later than strBeginTime"),
    Field("deviceType", "integer", required=True, choices=DEVICE_TYPES),
)
_COMMON_TAIL = (
    Field("scheduleParam", "object", required=True, fields=SCHEDULE),
    Field("ivrParam", "object", description="mandatory for deviceType 1 and 3; stored as given"),
    Field(
        "skillParam", "object", description="mandatory for deviceType 2, 5 and 6; stored as given"
    ),
)
_INIT = Field(
    "initStatus", "integer", choices=(0, 1), description="0 executing (default), 1 paused"
)
_CALLBACK = Field("callBackUrl", max_length=1024, format="url")

# --- the agent campaigns' dialing settings (an isales extension; docs/api.md) ---------------

_PACING = pacing.PacingSettings()
#: wire name -> (column, default); a column left NULL means the default, so a campaign
#: follows the defaults (domain/pacing.py, domain/dialing.py) unless it sets its own
DIALING_SETTINGS: dict[str, tuple[str, Any]] = {
    "abandonTarget": ("abandon_target", round(_PACING.abandon_target * 100, 6)),
    "abandonCap": ("abandon_cap", round(_PACING.abandon_cap * 100, 6)),
    "abandonWindow": ("abandon_window", pacing.DEFAULT_ABANDON_WINDOW),
    "minAgentsPredictive": ("min_agents_predictive", _PACING.min_agents_predictive),
    "agentWaitSeconds": ("agent_wait_seconds", _PACING.agent_wait_seconds),
    "wrapUpSeconds": ("wrap_up_seconds", dialing.DEFAULT_WRAP_UP_SECONDS),
    "abandonRedialHours": ("abandon_redial_hours", dialing.DEFAULT_ABANDON_REDIAL_HOURS),
}
_DIALING = (
    Field(
        "abandonTarget",
        "number",
        minimum=0,
        maximum=100,
        description="percent of live answers the pacer aims at; above 0, at most abandonCap;"
        " default 2.5",
    ),
    Field(
        "abandonCap",
        "number",
        minimum=0,
        maximum=100,
        description="percent of live answers never to exceed; below 100; default 3",
    ),
    Field(
        "abandonWindow",
        choices=tuple(pacing.ABANDON_WINDOWS),
        description="the window the abandon rate is read over; default 24h",
    ),
    Field(
        "minAgentsPredictive",
        "integer",
        minimum=1,
        maximum=INT32_MAX,
        description="fewer staffed agents than this dial progressively; default 8",
    ),
    Field(
        "agentWaitSeconds",
        "number",
        minimum=0,
        maximum=10,
        description="how long a live answer waits for a free agent; default 1",
    ),
    Field(
        "wrapUpSeconds",
        "integer",
        minimum=0,
        maximum=3600,
        description="how long an agent stays in wrap-up after a call; default 10",
    ),
    Field(
        "abandonRedialHours",
        "integer",
        minimum=0,
        maximum=720,
        description="an abandoned number is not dialled again for this long; default 72",
    ),
)

CREATE_V1: Schema = (
    *_COMMON_HEAD,
    Field("callerNo", required=True, max_length=24, charset=PHONE_CHARS),
    Field("maxAlertingTime", "integer", required=True, minimum=5, maximum=120),
    *_COMMON_TAIL,
    _INIT,
    _CALLBACK,
    *_DIALING,
    CONTACT_POLICY,
)

CALLER_V2 = Field(
    "callerNo",
    "list",
    required=True,
    max_items=100,
    item=Field(
        "callerNo[]",
        "object",
        required=True,
        fields=(
            Field("accessCode", required=True, max_length=24, charset=DIGITS),
            Field("priority", "integer", minimum=1, maximum=5),
        ),
    ),
)

CREATE_V2: Schema = (
    *_COMMON_HEAD,
    CALLER_V2,
    Field("maxAlertingTime", "integer", required=True, minimum=5, maximum=60),
    Field("priority", "integer", minimum=1, maximum=5, description="1 (highest) to 5"),
    *_COMMON_TAIL,
    Field("retryPolicy", "object", description="stored as given"),
    Field("callPolicy", "object", description="stored as given"),
    _INIT,
    _CALLBACK,
    *_DIALING,
    CONTACT_POLICY,
)

DELETE: Schema = (Field("archiveHistory", "integer", choices=(0, 1), description="default 0"),)

LIST_QUERY: Schema = (
    Field("name", max_length=30, description="part of the name"),
    Field("status", "integer", required=True, choices=(0, 2, 3, 4), description="0 = all"),
    Field(
        "deviceType", "integer", required=True, choices=(0, *DEVICE_TYPES), description="0 = all"
    ),
    Field("beginTime", format="time", description="earliest strBeginTime"),
    Field("endTime", format="time", description="latest strEndTime"),
    Field(
        "curPage",
        "integer",
        minimum=-INT32_MAX - 1,
        maximum=INT32_MAX,
        description="default 1; values below 1 read as 1",
    ),
    Field("rowsPerPage", "integer", minimum=1, maximum=100, description="default 10"),
    Field("statusV2", description="accepted and ignored"),
    Field("ccId", description="accepted and ignored"),
)


def _invalid(code: ErrorCode, message: str) -> InvalidParameter:
    return InvalidParameter(code, message)


def to_columns(body: dict[str, Any]) -> dict[str, Any]:
    """Cross-field rules, then the store's column names."""
    if body["strEndTime"] <= body["strBeginTime"]:
        raise _invalid(ErrorCode.WRONG_COMBINATION, "strEndTime must be later than strBeginTime")
    columns = {
        **setup_columns(body),
        **dialing_columns(body),
        "begin_time": body["strBeginTime"],
        "end_time": body["strEndTime"],
    }
    contact_policy = contact_policy_column(body)
    if contact_policy is not None:  # a modify without it leaves it as it was
        columns["contact_policy"] = contact_policy
    return columns


def dialing_columns(body: dict[str, Any]) -> dict[str, Any]:
    """The dialing settings' columns (None: the default), after their cross-field rules.

    ``0 < abandonTarget <= abandonCap < 100`` is read on the effective values, so a target
    above the default cap needs the cap too.
    """
    target = effective(body.get("abandonTarget"), "abandonTarget")
    cap = effective(body.get("abandonCap"), "abandonCap")
    if target <= 0:
        raise _invalid(ErrorCode.WRONG_VALUE, "abandonTarget: must be above 0")
    if cap >= 100:
        raise _invalid(ErrorCode.WRONG_VALUE, "abandonCap: must be below 100")
    if target > cap:
        raise _invalid(ErrorCode.WRONG_COMBINATION, "abandonTarget must not be above abandonCap")
    return {column: body.get(name) for name, (column, _) in DIALING_SETTINGS.items()}


def effective(value: Any, name: str) -> Any:
    """A dialing setting's value, or its default when it is not set."""
    return DIALING_SETTINGS[name][1] if value is None else value


def dialing_settings(row: dict[str, Any]) -> dict[str, Any]:
    """A campaign's dialing settings as the interfaces answer them (defaults filled in)."""
    return {
        name: effective(row.get(column), name) for name, (column, _) in DIALING_SETTINGS.items()
    }


def setup_columns(body: dict[str, Any]) -> dict[str, Any]:
    """The rules and columns a campaign shares with a campaign template (all but its times)."""
    device = body["deviceType"]
    if device == dialing.PREVIEW and body["maxAlertingTime"] < 9:
        raise _invalid(ErrorCode.WRONG_VALUE, "maxAlertingTime: at least 9 for preview campaigns")
    if device in IVR_DEVICES and body["ivrParam"] is None:
        raise _invalid(ErrorCode.EMPTY, "ivrParam: is mandatory for deviceType 1 and 3")
    if device in SKILL_DEVICES and body["skillParam"] is None:
        raise _invalid(ErrorCode.EMPTY, "skillParam: is mandatory for deviceType 2, 5 and 6")
    schedule = body["scheduleParam"]
    for begin, end in _SCHEDULE_SLOTS:
        if (schedule[begin] is None) != (schedule[end] is None):
            raise _invalid(
                ErrorCode.WRONG_COMBINATION, f"scheduleParam: {begin} and {end} go together"
            )
        if schedule[begin] is not None and schedule[begin] >= schedule[end]:
            raise _invalid(
                ErrorCode.WRONG_COMBINATION, f"scheduleParam: {end} must be after {begin}"
            )
    policies.check_retry_policy(body.get("retryPolicy"))
    return {
        "name": body["name"],
        "description": body["description"],
        "device_type": device,
        "caller_no": body["callerNo"],
        "max_alerting_time": body["maxAlertingTime"],
        "priority": body.get("priority"),
        "schedule_param": {k: v for k, v in schedule.items() if v is not None},
        "ivr_param": body["ivrParam"],
        "skill_param": body["skillParam"],
        "retry_policy": body.get("retryPolicy"),
        "call_policy": body.get("callPolicy"),
        "call_back_url": body["callBackUrl"],
    }


def wire(row: dict[str, Any], defaults: bool = True) -> dict[str, Any]:
    """A campaign as the query answers it; ``defaults=False`` leaves the dialing settings the
    campaign does not set as None (a form that edits it must not set them)."""
    settings = (
        dialing_settings(row)
        if defaults
        else {name: row.get(column) for name, (column, _) in DIALING_SETTINGS.items()}
    )
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"] or "",
        "status": int(row["status"]),
        "strBeginTime": row["begin_time"].strftime(TIME_FORMAT),
        "strEndTime": row["end_time"].strftime(TIME_FORMAT),
        "deviceType": row["device_type"],
        "callerNo": row["caller_no"],
        "maxAlertingTime": row["max_alerting_time"],
        "priority": row["priority"],
        "scheduleParam": row["schedule_param"],
        "ivrParam": row["ivr_param"],
        "skillParam": row["skill_param"],
        "retryPolicy": row["retry_policy"],
        "callPolicy": row["call_policy"],
        "callBackUrl": row["call_back_url"] or "",
        **settings,
        # isales: only a campaign that set it shows it (the others answer as CC-iSales)
        **(
            {"contactPolicy": wire_contact_policy(row["contact_policy"])}
            if row.get("contact_policy") is not None
            else {}
        ),
    }


def wire_summary(row: dict[str, Any]) -> dict[str, Any]:
    full = wire(row)
    keys = ("id", "name", "status", "strBeginTime", "strEndTime", "deviceType", "callerNo")
    return {key: full[key] for key in keys}
