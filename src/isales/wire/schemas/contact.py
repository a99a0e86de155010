"""Contact-policy interfaces: the VDN's settings, policies, a campaign's contactPolicy and
explain (docs/contact-policies.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...domain import contact_policies as rules
from ...domain.contact_keys import PERSON_KEYS, SUBJECT_KEYS
from ...errors import ErrorCode, InvalidParameter
from ..validation import DATE_FORMAT, INT64_MAX, PHONE_CHARS, Field, Schema
from .numbers import CONTACT_KEYS

ANSWER_TIME = "%Y-%m-%d %H:%M:%S.%f"

# --- the VDN's settings ------------------------------------------------------------------------

#: wire name -> (column, default)
SETTINGS: dict[str, tuple[str, Any]] = {
    "defaultCountry": ("default_country", ""),
    "revokeScope": ("revoke_scope", "purpose"),
    "revocationDeadlineBusinessDays": ("revocation_deadline_business_days", 10),
    "nonBusinessDates": ("non_business_dates", []),
    "revocationBusiResults": ("revocation_busi_results", []),
    "countLapsedClaims": ("count_lapsed_claims", 0),
    "ledgerRetentionDays": ("ledger_retention_days", 1095),
}

SETTINGS_PUT: Schema = (
    Field(
        "defaultCountry",
        max_length=2,
        format="country",
        empty_is_value=True,
        description='ISO 3166-1 alpha-2 known to phonenumbers; "" for none',
    ),
    Field("revokeScope", choices=("purpose", "all")),
    Field("revocationDeadlineBusinessDays", "integer", minimum=1, maximum=30),
    Field(
        "nonBusinessDates",
        "list",
        max_items=100,
        item=Field("nonBusinessDates[]", required=True, format="date"),
    ),
    Field(
        "revocationBusiResults",
        "list",
        max_items=50,
        item=Field("revocationBusiResults[]", required=True, max_length=50),
    ),
    Field("countLapsedClaims", "integer", choices=(0, 1)),
    Field("ledgerRetentionDays", "integer", minimum=31, maximum=3650),
)


def settings_changes(body: dict[str, Any]) -> dict[str, Any]:
    """The columns a PUT changes: the fields given (``defaultCountry`` ``""`` clears it)."""
    changes: dict[str, Any] = {}
    for name, (column, _) in SETTINGS.items():
        if name == "defaultCountry" and body.get(name) == "":
            changes[column] = None
        elif body.get(name) is not None:
            value = body[name]
            if name == "nonBusinessDates":
                value = sorted({day.strftime(DATE_FORMAT) for day in value})
            changes[column] = value
    return changes


def settings_columns(row: dict[str, Any] | None) -> dict[str, Any]:
    """Every settings column, the stored ones or the defaults."""
    defaults = dict(SETTINGS.values())
    defaults["default_country"] = None
    if row is None:
        return defaults
    return {column: row[column] for column in defaults}


def wire_settings(columns: dict[str, Any]) -> dict[str, Any]:
    return {
        name: (columns[column] if columns[column] is not None else default)
        for name, (column, default) in SETTINGS.items()
    }


# --- a campaign's contactPolicy ---------------------------------------------------------------

CONTACT_POLICY = Field(
    "contactPolicy",
    "object",
    fields=(
        Field("purpose", choices=rules.PURPOSES, description="default other"),
        Field("seller", max_length=64, description="the brand calling"),
        Field(
            "policies",
            "list",
            max_items=20,
            item=Field("policies[]", "integer", required=True, minimum=1, maximum=INT64_MAX),
        ),
        Field(
            "dncSources",
            "list",
            max_items=20,
            item=Field("dncSources[]", "integer", required=True, minimum=1, maximum=INT64_MAX),
        ),
        Field(
            "consentRequired",
            "list",
            max_items=len(rules.CONSENT_KINDS),
            item=Field("consentRequired[]", required=True, choices=rules.CONSENT_KINDS),
        ),
        Field("personKey", choices=PERSON_KEYS, description="default personId"),
        Field("subjectKey", choices=SUBJECT_KEYS, description="default subjectId"),
    ),
    description="isales: contact policies (docs/contact-policies.md); a modify without it "
    "leaves it as it was",
)


def contact_policy_column(body: dict[str, Any]) -> dict[str, Any] | None:
    """The stored contactPolicy (only the fields given), or None when not given."""
    given = body.get("contactPolicy")
    if given is None:
        return None
    return {name: value for name, value in given.items() if value is not None}


def wire_contact_policy(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    return rules.campaign_policy(stored)


# --- policies -----------------------------------------------------------------------------------

RULE = Field(
    "rules[]",
    "object",
    required=True,
    fields=(
        Field("kind", required=True, choices=rules.KINDS),
        Field("unit", required=True, choices=rules.UNITS),
        Field("counts", required=True, choices=rules.CLASSES),
        Field("limit", "integer", minimum=1, maximum=rules.MAX_LIMIT, description="caps only"),
        Field(
            "windowSeconds",
            "integer",
            required=True,
            minimum=rules.MIN_WINDOW,
            maximum=rules.MAX_WINDOW,
        ),
        Field(
            "channels",
            "list",
            max_items=2,
            item=Field("channels[]", required=True, choices=rules.CHANNELS),
        ),
        Field(
            "exemptWith",
            "list",
            max_items=len(rules.CONSENT_KINDS),
            item=Field("exemptWith[]", required=True, choices=rules.CONSENT_KINDS),
        ),
    ),
)


POLICY: Schema = (
    Field("name", required=True, max_length=100, description="unique among live policies"),
    Field("preset", choices=tuple(rules.PRESETS), description="a preset's name"),
    Field("scope", choices=rules.SCOPES, description="default tenant"),
    Field(
        "purposes",
        "list",
        max_items=len(rules.PURPOSES),
        item=Field("purposes[]", required=True, choices=rules.PURPOSES),
    ),
    Field(
        "technologies",
        "list",
        max_items=len(rules.TECHNOLOGIES),
        item=Field("technologies[]", required=True, choices=rules.TECHNOLOGIES),
    ),
    Field(
        "jurisdictions",
        "list",
        max_items=100,
        item=Field("jurisdictions[]", required=True, max_length=6, format="region"),
    ),
    Field("rules", "list", max_items=rules.MAX_RULES, item=RULE),
)


def policy_body(body: dict[str, Any]) -> dict[str, Any]:
    """A checked policy as it is stored (its cross-field rules:
    docs/contact-policies.md, "The policy object")."""
    preset = body["preset"]
    if preset is not None:
        for name in ("purposes", "technologies", "rules"):
            if body[name] is not None:
                raise InvalidParameter(
                    ErrorCode.WRONG_COMBINATION, f"{name}: not with a preset (the preset fixes it)"
                )
    elif not body["rules"]:
        raise InvalidParameter(ErrorCode.EMPTY, "rules: give 1 to 10 rules, or a preset")
    stored: dict[str, Any] = {
        "name": body["name"],
        "preset": preset,
        "scope": body["scope"] or "tenant",
        "jurisdictions": body["jurisdictions"] or [],
    }
    if preset is None:
        checked = []
        for index, rule in enumerate(body["rules"]):
            if rule["kind"] == "cap" and rule["limit"] is None:
                raise InvalidParameter(ErrorCode.EMPTY, f"rules[{index}].limit: caps need one")
            if rule["kind"] == "cooldown" and rule["limit"] is not None:
                raise InvalidParameter(
                    ErrorCode.WRONG_COMBINATION, f"rules[{index}].limit: not with a cooldown"
                )
            checked.append(
                rules.Rule(
                    kind=rule["kind"],
                    unit=rule["unit"],
                    counts=rule["counts"],
                    window_seconds=rule["windowSeconds"],
                    limit=rule["limit"],
                    channels=tuple(dict.fromkeys(rule["channels"] or ["voice"])),
                    exempt_with=tuple(dict.fromkeys(rule["exemptWith"] or [])),
                ).wire()
            )
        stored |= {
            "purposes": body["purposes"] or [],
            "technologies": body["technologies"] or [],
            "rules": checked,
        }
    return stored


def longest_window(stored: dict[str, Any]) -> int:
    return rules.policy_from_body(0, 0, stored).longest_window


def wire_policy(policy_id: int, version: int, stored: dict[str, Any]) -> dict[str, Any]:
    """A policy version as the list answers it (a preset's fields filled in)."""
    policy = rules.policy_from_body(policy_id, version, stored)
    return {
        "policyId": policy_id,
        "version": version,
        "name": policy.name,
        "preset": policy.preset,
        "scope": policy.scope,
        "purposes": list(policy.purposes),
        "technologies": list(policy.technologies),
        "jurisdictions": list(policy.jurisdictions),
        "rules": [rule.wire() for rule in policy.rules],
    }


POLICY_LIST: Schema = (
    Field("includeVersions", "integer", choices=(0, 1), description="default 0"),
)


def answer_time(moment: datetime | None) -> str | None:
    """``yyyy-MM-dd HH:mm:ss.SSS`` (UTC) or None."""
    return None if moment is None else moment.strftime(ANSWER_TIME)[:-3]


# --- explain ------------------------------------------------------------------------------------

EXPLAIN: Schema = (
    Field("campaignId", "integer", minimum=1, maximum=2**31 - 1, key="campaign_id"),
    Field("called", max_length=24, charset=PHONE_CHARS, key="called"),
    Field("dataId", "integer", minimum=1, maximum=INT64_MAX, key="data_id"),
    *CONTACT_KEYS,
    Field("at", format="time", description="UTC; not in the future; default now"),
    Field("attemptId", max_length=36, key="attempt_id"),
)


def explain_request(body: dict[str, Any]) -> dict[str, Any]:
    """``attemptId`` alone, or ``campaignId`` with ``called`` or ``dataId``."""
    if body["attempt_id"] is not None:
        others = [name for name in ("campaign_id", "called", "data_id") if body[name] is not None]
        if others:
            raise InvalidParameter(ErrorCode.WRONG_COMBINATION, "attemptId goes alone")
        return body
    if body["campaign_id"] is None:
        raise InvalidParameter(ErrorCode.EMPTY, "campaignId: is mandatory without attemptId")
    if (body["called"] is None) == (body["data_id"] is None):
        raise InvalidParameter(ErrorCode.WRONG_COMBINATION, "give exactly one of called, dataId")
    return body
