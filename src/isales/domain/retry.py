"""Retry and business-result policies: what happens after an attempt.

The rules: docs/api.md#retry-policies and docs/api.md#business-result-write-back.

A campaign stores one ``retryPolicy`` object — written by the set interface or carried by
a v2 create — of the shape ``{"policyType": 0|1, "policyJson": "<JSON text>",
"busiPolicy": [...]}``. :func:`read_policy` is the one place that turns it into rules;
the API validates the same shape on the way in (``wire/schemas/policies.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .days import day_start, local_date
from .states import CONNECTED, NumberState

GLOBAL, BY_NUMBER_TYPE = 0, 1  # policyType
ORDINARY, BY_RESULT = 0, 1  # an item's type
STOP, CALL_NEXT_NUMBER, CALL_AGAIN = 0, 1, 2  # busiResultPolicy
#: business-result policies that put a completed number back in the queue; the claim hands a
#: dialer every number of a customer at once, so "next number" is a recall of the customer too
RECALLS = (CALL_NEXT_NUMBER, CALL_AGAIN)


@dataclass(frozen=True)
class ResultRule:
    fail_code: str  # "result": the platform failCode as the dialer reports it, e.g. "00603"
    retries: int  # "retryNumber"
    interval: int  # "callInterval", seconds


@dataclass(frozen=True)
class PolicyItem:
    data_type: str  # "" matches any number type
    kind: int  # ORDINARY or BY_RESULT
    days: int = 0  # ordinary: "retryDay", calendar days counted from the first attempt
    per_day: int = 0  # ordinary: "retryTimes" (alias "retryTime"), attempts per day
    rules: tuple[ResultRule, ...] = ()
    no_retry: frozenset[str] = frozenset()

    def rule_for(self, fail_code: str | None) -> ResultRule | None:
        return next((r for r in self.rules if r.fail_code == fail_code), None)


@dataclass(frozen=True)
class BusiRule:
    code: str  # busiResultCode
    sub_code: str | None  # busiResultSubCode
    action: int  # busiResultPolicy
    interval: int | None  # callInterval, seconds


@dataclass(frozen=True)
class RetryPolicy:
    policy_type: int = GLOBAL
    items: tuple[PolicyItem, ...] = ()
    busi: tuple[BusiRule, ...] = ()

    def item_for(self, number_type: str) -> PolicyItem | None:
        """Global: the one item. By number type: the item of that type, else the untyped one."""
        if not self.items:
            return None
        if self.policy_type == GLOBAL:
            return self.items[0]
        by_type = {item.data_type: item for item in self.items}
        return by_type.get(number_type) or by_type.get("")


NO_POLICY = RetryPolicy()


# --- reading the stored shape ----------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_json_text(text: str) -> Any:
    """JSON held in a string field (``policyJson``, an item's ``policy``).

    Huawei's own v2 example writes it with single quotes, which its JSON library accepts;
    text without any double quote is read with its single quotes as double quotes.
    Raises ValueError when it is not JSON either way.
    """
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        if '"' in text or "'" not in text:
            raise
        return json.loads(text.replace("'", '"'), parse_constant=_reject_constant)


def _item_policy(raw: Any) -> Any:
    """An item's ``policy``: a list (or object), or the same as JSON text."""
    return decode_json_text(raw) if isinstance(raw, str) and raw.strip() else raw


def _ordinary_counts(item: Mapping[str, Any]) -> tuple[Any, Any]:
    """(retryDay, retryTimes) of an ordinary item: on the item, as Huawei's set page has
    them, or in its ``policy`` object; ``retryTime`` (the Chinese page's spelling) is
    ``retryTimes``."""
    policy = _item_policy(item.get("policy"))
    source = policy if isinstance(policy, Mapping) else item
    per_day = source.get("retryTimes")
    if per_day in (None, ""):
        per_day = source.get("retryTime")
    return source.get("retryDay"), per_day


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _item(raw: Mapping[str, Any]) -> PolicyItem:
    kind = int(raw["type"])
    no_retry = frozenset(_text(code) for code in raw.get("noRetryPolicy") or ())
    data_type = _text(raw.get("dataType"))
    if kind == ORDINARY:
        days, per_day = _ordinary_counts(raw)
        return PolicyItem(data_type, kind, int(days), int(per_day), no_retry=no_retry)
    if kind != BY_RESULT:
        raise ValueError(f"unknown item type {kind}")
    rules = tuple(
        ResultRule(_text(r["result"]), int(r["retryNumber"]), int(r["callInterval"]))
        for r in _item_policy(raw.get("policy"))
    )
    return PolicyItem(data_type, kind, rules=rules, no_retry=no_retry)


def _busi(raw: Mapping[str, Any]) -> BusiRule:
    interval = raw.get("callInterval")
    return BusiRule(
        _text(raw["busiResultCode"]),
        _text(raw.get("busiResultSubCode")) or None,
        int(raw["busiResultPolicy"]),
        None if interval in (None, "") else int(interval),
    )


def read_policy(stored: Mapping[str, Any] | None) -> RetryPolicy:
    """The rules of a stored ``retryPolicy`` object.

    What is stored was validated on the way in; a value that still cannot be read (stored
    before validation existed) is no policy, so a dialer's report never fails on it.
    """
    if not stored:
        return NO_POLICY
    try:
        policy_type = int(stored.get("policyType") or GLOBAL)
        if policy_type not in (GLOBAL, BY_NUMBER_TYPE):
            raise ValueError(f"unknown policyType {policy_type}")
        items = decode_json_text(stored.get("policyJson") or "[]")
        return RetryPolicy(
            policy_type=policy_type,
            items=tuple(_item(item) for item in items),
            busi=tuple(_busi(rule) for rule in stored.get("busiPolicy") or ()),
        )
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return NO_POLICY


def number_type(called_nos: Sequence[Mapping[str, Any]] | None) -> str:
    """A number's type for policyType 1: the ``type`` of its first v2 number ("" if none)."""
    return _text(called_nos[0].get("type")) if called_nos else ""


# --- after a reported attempt ----------------------------------------------------------------


@dataclass(frozen=True)
class AttemptHistory:
    """The number's earlier reported attempts (the one being reported not included)."""

    first_at: datetime | None = None  # when the first was reported
    today: int = 0  # reported in the current local day
    same_code: int = 0  # that failed with the failCode being reported


Outcome = tuple[NumberState, datetime | None]
COMPLETED: Outcome = (NumberState.COMPLETED, None)


def after_result(
    item: PolicyItem | None,
    call_status: str,
    fail_code: str | None,
    history: AttemptHistory,
    now: datetime,
    zone: ZoneInfo,
    ordinary_gap_seconds: int,
) -> Outcome:
    """The number's next state and, for *retry*, when it is due.

    A connected call is final, and so is a failure when no policy item applies or its
    failCode is in ``noRetryPolicy``.
    """
    if call_status == CONNECTED or item is None or (fail_code or "") in item.no_retry:
        return COMPLETED
    if item.kind == BY_RESULT:
        return _by_result(item, fail_code, history, now)
    return _ordinary(item, history, now, zone, ordinary_gap_seconds)


def _by_result(
    item: PolicyItem, fail_code: str | None, history: AttemptHistory, now: datetime
) -> Outcome:
    # every earlier failure with this code was followed by one retry
    rule = item.rule_for(fail_code)
    if rule is None or history.same_code >= rule.retries:
        return COMPLETED
    return NumberState.RETRY, now + timedelta(seconds=rule.interval)


def _ordinary(
    item: PolicyItem, history: AttemptHistory, now: datetime, zone: ZoneInfo, gap: int
) -> Outcome:
    today = local_date(now, zone)
    first_day = local_date(history.first_at, zone) if history.first_at else today
    due = now + timedelta(seconds=gap)
    if history.today + 1 >= item.per_day or local_date(due, zone) != today:
        # today's attempts are spent (or the gap ends tomorrow): the next local day
        due = max(due, day_start(today + timedelta(days=1), zone))
    if (local_date(due, zone) - first_day).days >= item.days:
        return COMPLETED
    return NumberState.RETRY, due


# --- business results ------------------------------------------------------------------------


def sub_status_allowed(rules: Sequence[BusiRule], busi_result: str, sub_status: str | None) -> bool:
    """A sub-status must be one the policy lists for that result, when it lists any."""
    if sub_status is None:
        return True
    listed = {r.sub_code for r in rules if r.code == busi_result and r.sub_code is not None}
    return not listed or sub_status in listed


def busi_rule_for(
    rules: Sequence[BusiRule], busi_result: str, sub_status: str | None
) -> BusiRule | None:
    """The rule for (result, sub-status), else the result's rule without a sub-code."""
    by_key = {(r.code, r.sub_code): r for r in rules}
    exact = by_key.get((busi_result, sub_status)) if sub_status is not None else None
    return exact or by_key.get((busi_result, None))


def recall_due(rule: BusiRule | None, now: datetime) -> datetime | None:
    """When a completed number is called again after this business result, if it is."""
    if rule is None or rule.action not in RECALLS:
        return None
    return now + timedelta(seconds=rule.interval or 0)
