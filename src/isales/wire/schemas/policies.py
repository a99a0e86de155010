"""Retry policies and business-result write-back.

The rules: docs/api.md#retry-policies and docs/api.md#business-result-write-back.

The set interface's body and a v2 campaign's ``retryPolicy`` object are the same shape and
pass the same rules (:func:`check_retry_policy`); ``domain/retry.py`` reads what is stored.
"""

from __future__ import annotations

from typing import Any

from ...domain import retry
from ...errors import ErrorCode, InvalidParameter
from ..validation import Field, Schema, validate_object, validate_value

MAX_POLICY_JSON = 65_536
MAX_ITEMS = 50
MAX_CODES = 100
_CODE = Field("code", max_length=10, description="a platform failCode, e.g. 00603")

RESULT_RULE: Schema = (
    Field("result", required=True, max_length=10, description="failCode, e.g. 00603"),
    Field("retryNumber", "integer", required=True, minimum=0, maximum=10),
    Field("callInterval", "integer", required=True, minimum=1, maximum=86_400),
)
RESULT_RULES = Field(
    "policy",
    "list",
    required=True,
    max_items=MAX_ITEMS,
    item=Field("policy[]", "object", required=True, fields=RESULT_RULE),
)
_ORDINARY_FIELDS: Schema = (
    Field("retryDay", "integer", minimum=1, maximum=30, description="attempt days"),
    Field("retryTimes", "integer", minimum=1, maximum=10, description="attempts per day"),
    Field("retryTime", "integer", minimum=1, maximum=10, description="same as retryTimes"),
)
#: a policyJson item, ``policy`` aside (its shape follows ``type``)
ITEM: Schema = (
    Field("dataType", max_length=32, description="number type; empty matches any"),
    Field("type", "integer", required=True, choices=(retry.ORDINARY, retry.BY_RESULT)),
    *_ORDINARY_FIELDS,
    Field("noRetryPolicy", "list", max_items=MAX_CODES, item=_CODE),
)

BUSI_RULE: Schema = (
    Field("busiResultCode", required=True, max_length=50),
    Field("busiResultSubCode", max_length=50),
    Field(
        "busiResultPolicy",
        "integer",
        required=True,
        choices=(retry.STOP, retry.CALL_NEXT_NUMBER, retry.CALL_AGAIN),
        description="0 stop, 1 call next number, 2 call current number again",
    ),
    Field("callInterval", "integer", minimum=1, maximum=3600, description="seconds"),
)

SET: Schema = (
    Field("policyType", "integer", required=True, choices=(retry.GLOBAL, retry.BY_NUMBER_TYPE)),
    Field("policyJson", required=True, max_length=MAX_POLICY_JSON, description="JSON text"),
    Field(
        "busiPolicy",
        "list",
        max_items=MAX_ITEMS,
        item=Field("busiPolicy[]", "object", required=True, fields=BUSI_RULE),
    ),
)

WRITE_BACK: Schema = (
    Field("busiResult", required=True, max_length=50),
    Field("subStatus", max_length=50),
    Field("busiResultDesc", max_length=1024),
    Field("workNo", max_length=32, description="agent who handled the call"),
)


def _invalid(code: ErrorCode, message: str) -> InvalidParameter:
    return InvalidParameter(code, message)


def _decode(text: str, where: str) -> Any:
    try:
        return retry.decode_json_text(text)
    except (ValueError, RecursionError) as exc:
        raise _invalid(ErrorCode.CONVERSION, f"{where}: is not JSON text") from exc


def _ordinary(raw: dict[str, Any], item: dict[str, Any], where: str) -> None:
    policy = raw.get("policy")
    if isinstance(policy, str) and policy.strip():
        policy = _decode(policy, where + "policy")
    if isinstance(policy, dict):  # the counts inside ``policy``; any other policy is ignored
        where += "policy."
        item = validate_object(policy, _ORDINARY_FIELDS, where)
    per_day, alias = item["retryTimes"], item["retryTime"]
    if per_day is not None and alias is not None and per_day != alias:
        raise _invalid(ErrorCode.WRONG_COMBINATION, f"{where}retryTimes and retryTime differ")
    if item["retryDay"] is None:
        raise _invalid(ErrorCode.EMPTY, f"{where}retryDay: is mandatory for type 0")
    if per_day is None and alias is None:
        raise _invalid(ErrorCode.EMPTY, f"{where}retryTimes: is mandatory for type 0")


def _by_result(raw: dict[str, Any], where: str) -> None:
    policy = raw.get("policy")
    if isinstance(policy, str) and policy.strip():
        policy = _decode(policy, where + "policy")
    rules = validate_value(RESULT_RULES, policy, where + "policy")
    codes = [rule["result"] for rule in rules]
    if len(set(codes)) != len(codes):
        raise _invalid(ErrorCode.WRONG_COMBINATION, f"{where}policy: a result is listed twice")


def _items(policy_json: str, policy_type: int, where: str) -> None:
    items = _decode(policy_json, where + "policyJson")
    if not isinstance(items, list):
        raise _invalid(ErrorCode.WRONG_TYPE, f"{where}policyJson: must be a JSON list")
    if len(items) > MAX_ITEMS:
        raise _invalid(ErrorCode.TOO_MANY_PARAMETERS, f"{where}policyJson: more than {MAX_ITEMS}")
    if policy_type == retry.GLOBAL and len(items) > 1:
        raise _invalid(
            ErrorCode.WRONG_COMBINATION, f"{where}policyJson: a global policy has one item"
        )
    data_types = []
    for index, raw in enumerate(items):
        at = f"{where}policyJson[{index}]."
        if not isinstance(raw, dict):
            raise _invalid(ErrorCode.WRONG_TYPE, f"{at[:-1]}: must be a JSON object")
        item = validate_object({k: v for k, v in raw.items() if k != "policy"}, ITEM, at)
        if policy_type == retry.BY_NUMBER_TYPE and item["noRetryPolicy"]:
            raise _invalid(
                ErrorCode.WRONG_COMBINATION, f"{at}noRetryPolicy: not allowed with policyType 1"
            )
        if item["type"] == retry.ORDINARY:
            _ordinary(raw, item, at)
        else:
            _by_result(raw, at)
        data_types.append(item["dataType"] or "")
    if policy_type == retry.BY_NUMBER_TYPE and len(set(data_types)) != len(data_types):
        raise _invalid(
            ErrorCode.WRONG_COMBINATION, f"{where}policyJson: a dataType is listed twice"
        )


def _busi_rules(rules: list[dict[str, Any]], where: str) -> None:
    keys = [(rule["busiResultCode"], rule["busiResultSubCode"]) for rule in rules]
    if len(set(keys)) != len(keys):
        raise _invalid(ErrorCode.WRONG_COMBINATION, f"{where}busiPolicy: a result is listed twice")
    for index, rule in enumerate(rules):
        if rule["busiResultPolicy"] in retry.RECALLS and rule["callInterval"] is None:
            raise _invalid(
                ErrorCode.EMPTY,
                f"{where}busiPolicy[{index}].callInterval: is mandatory for policies 1 and 2",
            )


def stored_form(body: dict[str, Any], where: str = "") -> dict[str, Any]:
    """The policyJson content and cross-field rules of a validated body; what is stored."""
    _items(body["policyJson"], body["policyType"], where)
    busi = body["busiPolicy"] or []
    _busi_rules(busi, where)
    return {"policyType": body["policyType"], "policyJson": body["policyJson"], "busiPolicy": busi}


def check_retry_policy(raw: dict[str, Any] | None) -> None:
    """A v2 campaign's ``retryPolicy`` object follows the set interface's rules."""
    if raw is not None:
        stored_form(validate_object(raw, SET, "retryPolicy."), "retryPolicy.")


def wire_policy(campaign_id: int, stored: dict[str, Any] | None) -> dict[str, Any]:
    """The query answer's ``data``; a campaign without a policy answers the empty one."""
    policy = retry.read_policy(stored)
    return {
        "retryPolicyId": str(campaign_id),
        "policyType": policy.policy_type,
        "policyJson": stored["policyJson"] if stored and policy.items else "[]",
        "busiPolicy": [
            {
                "busiResultCode": rule.code,
                "busiResultSubCode": rule.sub_code or "",
                "busiResultPolicy": rule.action,
                "callInterval": rule.interval,
            }
            for rule in policy.busi
        ],
    }
