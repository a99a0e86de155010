"""The campaign form: labelled fields to and from the create/modify interface body.

The form only builds the body the interface takes; the rules are the interface's own
(``wire/schemas/campaigns.py``), applied field by field so every broken rule shows at
once, and each problem is placed next to the form field its path or message names
(docs/console.md#the-campaign-form).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..domain import retry
from ..errors import InvalidParameter
from ..wire.schemas import campaigns as campaign_schema
from ..wire.validation import Schema, field_problems, validate_object

DEVICE_TYPES = {
    1: "Intelligent IVR",
    2: "Predictive",
    3: "Automatic IVR",
    5: "Preview",
    6: "Pre-occupied",
}
WORKDAY_SLOTS = [(f"workdayBeginTime{n}", f"workdayEndTime{n}") for n in (1, 2, 3)]
_SCHEDULE_FIELDS = [name for pair in WORKDAY_SLOTS for name in pair]
#: the form's fields, named as the interface names them where it has the same field
FIELDS = (
    "name",
    "description",
    "strBeginTime",
    "strEndTime",
    "deviceType",
    "callerNo",
    "maxAlertingTime",
    "initStatus",
    "skillId",
    *_SCHEDULE_FIELDS,
    "retryDay",
    "retryTimes",
)
#: interface names whose problems belong to a form field of another name
_ALIASES = {"skillParam": "skillId", "accessCode": "callerNo", "retryTime": "retryTimes"}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
#: fields of the answer that are not part of a create or modify body
_NOT_IN_BODY = ("id", "status")


def field_of(text: str) -> str:
    """The form field a problem's path or message names first; "" for the form as a whole."""
    for name in _NAME.findall(text):
        if name in _ALIASES:
            return _ALIASES[name]
        if name in FIELDS:
            return name
    return ""


def _number(text: str) -> int | str:
    """A whole number as an integer; anything else as typed, for the schema to refuse."""
    return int(text) if re.fullmatch(r"-?[0-9]{1,18}", text) else text


def _wire_time(text: str) -> str:
    """``2026-12-07T09:00`` (a datetime-local input) as the interface writes it."""
    text = text.replace("T", " ")
    return text + ":00" if len(text) == 16 else text


def _simple_retry(policy: Any) -> tuple[Any, Any] | None:
    """(days, attempts a day) of a global policy with one ordinary item; None for any other."""
    if not isinstance(policy, dict) or policy.get("busiPolicy"):
        return None
    if policy.get("policyType") not in (retry.GLOBAL, str(retry.GLOBAL)):
        return None
    try:
        items = json.loads(policy.get("policyJson") or "")
    except ValueError:
        return None
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        return None
    item = items[0]
    if item.get("type") != retry.ORDINARY or "policy" in item or item.get("dataType"):
        return None
    return item.get("retryDay"), item.get("retryTimes", item.get("retryTime"))


def editable_body(wire: Mapping[str, Any]) -> dict[str, Any]:
    """A campaign's answer as the body that would modify it to itself (given fields only)."""

    def given(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: given(v) for k, v in value.items() if v not in (None, "")}
        if isinstance(value, list):
            return [given(item) for item in value]
        return value

    return given({k: v for k, v in wire.items() if k not in _NOT_IN_BODY})


def values_of(body: Mapping[str, Any]) -> dict[str, str]:
    """The form's field values for an interface body."""

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    caller = body.get("callerNo")
    if isinstance(caller, list):
        caller = caller[0].get("accessCode") if caller and isinstance(caller[0], dict) else ""
    schedule = body.get("scheduleParam") or {}
    skill = body.get("skillParam") or {}
    days, times = _simple_retry(body.get("retryPolicy")) or (None, None)
    return {
        "name": text(body.get("name")),
        "description": text(body.get("description")),
        "strBeginTime": text(body.get("strBeginTime")).replace(" ", "T"),
        "strEndTime": text(body.get("strEndTime")).replace(" ", "T"),
        "deviceType": text(body.get("deviceType")),
        "callerNo": text(caller),
        "maxAlertingTime": text(body.get("maxAlertingTime")),
        "initStatus": text(body.get("initStatus")),
        "skillId": text(skill.get("skillId") if isinstance(skill, dict) else None),
        **{name: text(schedule.get(name)) for name in _SCHEDULE_FIELDS},
        "retryDay": text(days),
        "retryTimes": text(times),
    }


def body_of(values: Mapping[str, str], base: Mapping[str, Any], version: int) -> dict[str, Any]:
    """The interface body: ``base`` (what the form does not show) with the form's fields."""
    body = {k: v for k, v in base.items() if k not in _NOT_IN_BODY}
    for name in ("name", "description"):
        body[name] = values.get(name, "")
    body["strBeginTime"] = _wire_time(values.get("strBeginTime", ""))
    body["strEndTime"] = _wire_time(values.get("strEndTime", ""))
    for name in ("deviceType", "maxAlertingTime", "initStatus"):
        body[name] = _number(values.get(name, ""))
    caller = values.get("callerNo", "")
    if version == 1:
        body["callerNo"] = caller
    else:  # the form shows the first calling number; any others stay as they were
        given = base.get("callerNo")
        others: list[Any] = given if isinstance(given, list) else []
        first = others[0] if others and isinstance(others[0], dict) else {}
        body["callerNo"] = [{**first, "accessCode": caller}, *others[1:]] if caller else []
    given_skill = base.get("skillParam")
    skill: dict[str, Any] = given_skill if isinstance(given_skill, dict) else {}
    skill_id = values.get("skillId", "")
    if skill_id:
        body["skillParam"] = {**skill, "skillId": _number(skill_id)}
    else:
        body.pop("skillParam", None)
    schedule = dict(base.get("scheduleParam") or {})
    for name in _SCHEDULE_FIELDS:
        schedule[name] = values.get(name, "")
    body["scheduleParam"] = {k: v for k, v in schedule.items() if v not in (None, "")}
    days, times = values.get("retryDay", ""), values.get("retryTimes", "")
    if days or times:
        item = {"type": retry.ORDINARY, "retryDay": _number(days), "retryTimes": _number(times)}
        policy = {"policyType": retry.GLOBAL, "policyJson": json.dumps([item])}
        body["retryPolicy"] = policy
    elif _simple_retry(base.get("retryPolicy")) is not None:
        body.pop("retryPolicy", None)  # the form showed the policy and it was cleared
    if version == 1:
        body.pop("retryPolicy", None)  # not an interface v1 field
    return {k: v for k, v in body.items() if v not in (None, "")}


def check(body: Mapping[str, Any], schema: Schema) -> tuple[dict[str, Any] | None, dict]:
    """The store's columns, or every problem by form field ("" for the form as a whole).

    Field rules are checked all at once; the cross-field rules (``to_columns``) only when
    every field is right, since they read validated values.
    """
    problems: dict[str, list[InvalidParameter]] = {}
    for path, problem in field_problems(body, schema).items():
        problems.setdefault(field_of(path), []).append(problem)
    if problems:
        return None, problems
    try:
        return campaign_schema.to_columns(validate_object(body, schema, "")), {}
    except InvalidParameter as exc:
        return None, {field_of(exc.message): [exc]}
