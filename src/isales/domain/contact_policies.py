"""Contact policies, pure: what an attempt counts as, the presets, and whether a candidate
passes every rule of every policy that applies to it (docs/contact-policies.md).

The store reads the attempts of a candidate's keys inside the longest window; this module
judges them. The claim, explain and the tests share :func:`judge`, so a refusal is
explained by the same code that made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .contact_keys import jurisdiction_applies

# --- the vocabulary --------------------------------------------------------------------------

PURPOSES = ("telemarketing", "informational", "collection", "healthcare", "other")
TECHNOLOGIES = ("prerecorded", "predictive", "progressive", "preview")
CLASSES = ("placed", "connected", "conversation", "abandoned")
UNITS = ("number", "person", "personSubject")
KINDS = ("cap", "cooldown")
CHANNELS = ("voice", "sms")
CONSENT_KINDS = ("pewc", "pec", "ebrPurchase", "ebrInquiry", "gdpr", "direct")
SCOPES = ("tenant", "campaigns")

#: a campaign's contactPolicy fields when it sets none (docs/contact-policies.md,
#: "Campaign fields")
CAMPAIGN_DEFAULTS: dict[str, Any] = {
    "purpose": "other",
    "seller": None,
    "policies": [],
    "dncSources": [],
    "consentRequired": [],
    "personKey": "personId",
    "subjectKey": "subjectId",
}


def campaign_policy(stored: dict[str, Any] | None) -> dict[str, Any]:
    """A campaign's contactPolicy with every field: what it stored over the defaults."""
    return {**CAMPAIGN_DEFAULTS, **(stored or {})}


MIN_WINDOW = 60
MAX_WINDOW = 31_536_000
MAX_LIMIT = 1000
MAX_RULES = 10
MAX_LIVE_POLICIES = 100

#: a campaign's technology by its deviceType (1 and 3 prerecorded; others unknown: None)
_TECHNOLOGY = {1: "prerecorded", 3: "prerecorded", 2: "predictive", 6: "progressive", 5: "preview"}


def technology(device_type: int | None) -> str | None:
    return _TECHNOLOGY.get(device_type) if device_type is not None else None


# --- outcome classes -------------------------------------------------------------------------

#: busy, empty or not in service, network or platform resources busy, failed before the
#: network: not "connected to the dialed number" (Reg F does not count them)
NOT_CONNECTED = frozenset(
    {
        "00537",
        "00145",
        "00538",
        "00129",
        "00150",
        "34605",
        "00602",
        "00605",
        "00155",
        "01048",
        "34606",
    }
)
ABANDONED = frozenset({"01046", "00701", "00702"})
MACHINE_FAIL_CODE = "00263"
CONVERSATION_STATUS = "6"

IN_FLIGHT_CLASSES = frozenset({"placed", "connected"})


def outcome_classes(status: str | None, fail_code: str | None, amd: str | None) -> frozenset[str]:
    """The classes of a reported attempt (every reported attempt is placed)."""
    found = {"placed"}
    if fail_code not in NOT_CONNECTED:
        found.add("connected")
    if str(status) == CONVERSATION_STATUS and amd != "machine" and fail_code != MACHINE_FAIL_CODE:
        found.add("conversation")
    if fail_code in ABANDONED:
        found.add("abandoned")
    return frozenset(found)


# --- policies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    kind: str  # cap | cooldown
    unit: str  # number | person | personSubject
    counts: str  # an outcome class
    window_seconds: int
    limit: int | None = None  # caps only
    channels: tuple[str, ...] = ("voice",)
    exempt_with: tuple[str, ...] = ()

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "unit": self.unit, "counts": self.counts}
        if self.limit is not None:
            out["limit"] = self.limit
        out |= {
            "windowSeconds": self.window_seconds,
            "channels": list(self.channels),
            "exemptWith": list(self.exempt_with),
        }
        return out

    @classmethod
    def from_wire(cls, body: dict[str, Any]) -> Rule:
        return cls(
            kind=body["kind"],
            unit=body["unit"],
            counts=body["counts"],
            window_seconds=int(body["windowSeconds"]),
            limit=body.get("limit"),
            channels=tuple(body.get("channels") or ("voice",)),
            exempt_with=tuple(body.get("exemptWith") or ()),
        )


@dataclass(frozen=True)
class Preset:
    name: str
    purposes: tuple[str, ...]
    technologies: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    rules: tuple[Rule, ...]

    def wire(self) -> dict[str, Any]:
        return {
            "preset": self.name,
            "purposes": list(self.purposes),
            "technologies": list(self.technologies),
            "jurisdictions": list(self.jurisdictions),
            "rules": [rule.wire() for rule in self.rules],
        }


_DAY = 86_400
_WEEK = 604_800

#: the presets, exactly as documented (docs/contact-policies.md, "Presets"); not legal advice
PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "us-regf",
            ("collection",),
            (),
            ("US",),
            (
                Rule("cap", "personSubject", "connected", _WEEK, 7, exempt_with=("direct",)),
                Rule("cooldown", "personSubject", "conversation", _WEEK),
            ),
        ),
        Preset(
            "us-fl-ftsa",
            ("telemarketing",),
            (),
            ("US-FL",),
            (Rule("cap", "personSubject", "placed", _DAY, 3),),
        ),
        Preset(
            "us-ok-otsa",
            ("telemarketing",),
            (),
            ("US-OK",),
            (Rule("cap", "personSubject", "placed", _DAY, 3),),
        ),
        Preset(
            "us-md-ssca",
            ("telemarketing",),
            (),
            ("US-MD",),
            (Rule("cap", "personSubject", "placed", _DAY, 3, channels=("voice", "sms")),),
        ),
        Preset(
            "us-ma-debt",
            ("collection",),
            (),
            ("US-MA",),
            (Rule("cap", "personSubject", "connected", _WEEK, 2, channels=("voice", "sms")),),
        ),
        Preset(
            "us-tcpa-exempt-prerecorded",
            ("informational", "collection", "other"),
            ("prerecorded",),
            ("US",),
            (Rule("cap", "number", "placed", 2_592_000, 3, exempt_with=("pec", "pewc")),),
        ),
        Preset(
            "uk-ofcom-abandoned",
            (),
            ("predictive", "prerecorded"),
            ("GB",),
            (Rule("cooldown", "number", "abandoned", 259_200),),
        ),
    )
}


@dataclass(frozen=True)
class Policy:
    """One version of a policy, as the claim applies it."""

    policy_id: int
    version: int
    name: str
    preset: str | None
    scope: str  # tenant | campaigns
    purposes: tuple[str, ...]
    technologies: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    rules: tuple[Rule, ...]

    @property
    def longest_window(self) -> int:
        return max(rule.window_seconds for rule in self.rules)

    def covers(self, purpose: str | None, tech: str | None) -> bool:
        """Purpose and technology in the policy's lists (``[]``: all; unknown: always)."""
        return (not self.purposes or purpose is None or purpose in self.purposes) and (
            not self.technologies or tech is None or tech in self.technologies
        )

    def applies(
        self,
        campaign_policies: Iterable[int],
        purpose: str,
        tech: str | None,
        jurisdictions: tuple[str, ...] | None,
    ) -> bool:
        """Whether the policy applies to a candidate of a campaign: its scope, the
        campaign's purpose and technology, and any candidate jurisdiction."""
        if self.scope == "campaigns" and self.policy_id not in campaign_policies:
            return False
        if self.purposes and purpose not in self.purposes:
            return False
        if self.technologies and tech not in self.technologies:
            return False
        return jurisdiction_applies(self.jurisdictions, jurisdictions)


def policy_from_body(policy_id: int, version: int, body: dict[str, Any]) -> Policy:
    """A stored policy body (the wire form, a preset's fields filled in)."""
    preset = PRESETS.get(body.get("preset") or "")
    rules = preset.rules if preset else tuple(Rule.from_wire(r) for r in body["rules"])
    return Policy(
        policy_id=policy_id,
        version=version,
        name=body["name"],
        preset=preset.name if preset else None,
        scope=body.get("scope") or "tenant",
        purposes=preset.purposes if preset else tuple(body.get("purposes") or ()),
        technologies=preset.technologies if preset else tuple(body.get("technologies") or ()),
        jurisdictions=tuple(body.get("jurisdictions") or (preset.jurisdictions if preset else ())),
        rules=rules,
    )


# --- attempts and the judgement ---------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """A ledger row as the rules see it."""

    attempt_id: str
    number_key: str
    person_id: str | None
    subject_ids: tuple[str, ...]
    placed_at: datetime
    ended_at: datetime | None  # None: in flight
    classes: frozenset[str]  # empty: voided
    channel: str = "voice"
    direction: str = "outbound"
    purpose: str | None = None
    technology: str | None = None
    consent_kinds: frozenset[str] = frozenset()  # consent kinds that covered it at claim

    @property
    def in_flight(self) -> bool:
        return self.ended_at is None

    def in_class(self, name: str) -> bool:
        if self.in_flight:
            return name in IN_FLIGHT_CLASSES and bool(self.classes)
        return name in self.classes


@dataclass(frozen=True)
class Candidate:
    number_key: str
    person_id: str | None
    subject_ids: tuple[str, ...]
    jurisdictions: tuple[str, ...] | None  # None: every jurisdiction
    purpose: str
    technology: str | None
    campaign_policies: frozenset[int] = frozenset()
    consent_kinds: frozenset[str] = frozenset()  # valid consents covering it now


@dataclass(frozen=True)
class RuleCheck:
    policy: Policy
    index: int
    passed: bool
    counted: int
    attempt_ids: tuple[str, ...]
    releases_at: datetime | None
    subject: str | None = None
    exempted: bool = False

    def evidence(self) -> dict[str, Any]:
        return {
            "policyId": self.policy.policy_id,
            "version": self.policy.version,
            "rule": self.index,
            "counted": self.counted,
            **({"subject": self.subject} if self.subject else {}),
            **({"exempt": True} if self.exempted else {}),
        }


@dataclass(frozen=True)
class Judgement:
    passed: bool
    checks: tuple[RuleCheck, ...] = ()
    exemptions: tuple[str, ...] = field(default=())

    @property
    def next_allowed_at(self) -> datetime | None:
        failing = [check for check in self.checks if not check.passed]
        if not failing or any(check.releases_at is None for check in failing):
            return None
        return max(check.releases_at for check in failing if check.releases_at is not None)

    def evidence(self) -> list[dict[str, Any]]:
        return [check.evidence() for check in self.checks]


def _in_unit(attempt: Attempt, unit: str, candidate: Candidate) -> bool:
    if attempt.number_key == candidate.number_key:
        return True
    if unit == "number" or candidate.person_id is None:
        return False
    return attempt.person_id == candidate.person_id


def _about(attempt: Attempt, subject: str | None) -> bool:
    """An attempt about no subject may be about any; without a subject, all count."""
    return subject is None or not attempt.subject_ids or subject in attempt.subject_ids


def _covered(attempt: Attempt, at: datetime, window: timedelta) -> bool:
    return attempt.ended_at is None or attempt.ended_at > at - window


def _judge_rule(
    policy: Policy,
    index: int,
    rule: Rule,
    candidate: Candidate,
    attempts: Sequence[Attempt],
    at: datetime,
) -> RuleCheck:
    if rule.exempt_with and candidate.consent_kinds & set(rule.exempt_with):
        return RuleCheck(policy, index, True, 0, (), None, exempted=True)
    window = timedelta(seconds=rule.window_seconds)
    pool = [
        attempt
        for attempt in attempts
        if _in_unit(attempt, rule.unit, candidate)
        and _covered(attempt, at, window)
        and attempt.in_class(rule.counts)
        and attempt.channel in rule.channels
        and policy.covers(attempt.purpose, attempt.technology)
        and not (attempt.consent_kinds & set(rule.exempt_with))
        and (rule.kind == "cooldown" or attempt.direction == "outbound")
    ]
    subjects: Sequence[str | None] = (
        candidate.subject_ids if rule.unit == "personSubject" and candidate.subject_ids else [None]
    )
    worst: RuleCheck | None = None
    for subject in subjects:
        counted = sorted(
            (a for a in pool if _about(a, subject)),
            key=lambda a: (a.ended_at is None, a.ended_at or a.placed_at, a.attempt_id),
        )
        check = _verdict(policy, index, rule, counted, window, subject)
        if worst is None or (worst.passed and not check.passed):
            worst = check
        elif not check.passed and not worst.passed:
            worst = _later(worst, check)
    assert worst is not None
    return worst


def _verdict(
    policy: Policy,
    index: int,
    rule: Rule,
    counted: list[Attempt],
    window: timedelta,
    subject: str | None,
) -> RuleCheck:
    ids = tuple(a.attempt_id for a in counted)
    if rule.kind == "cooldown":
        if not counted:
            return RuleCheck(policy, index, True, 0, ids, None, subject)
        ends = [a.ended_at for a in counted]
        release = None if None in ends else max(e for e in ends if e is not None) + window
        return RuleCheck(policy, index, False, len(counted), ids, release, subject)
    limit = rule.limit or 0
    if len(counted) < limit:
        return RuleCheck(policy, index, True, len(counted), ids, None, subject)
    # the cap releases when the (count - limit + 1)-th oldest end leaves the window
    leaving = counted[len(counted) - limit]
    release = None if leaving.ended_at is None else leaving.ended_at + window
    return RuleCheck(policy, index, False, len(counted), ids, release, subject)


def _later(one: RuleCheck, other: RuleCheck) -> RuleCheck:
    if one.releases_at is None:
        return one
    if other.releases_at is None or other.releases_at > one.releases_at:
        return other
    return one


def applicable(policies: Iterable[Policy], candidate: Candidate) -> list[Policy]:
    return [
        policy
        for policy in policies
        if policy.applies(
            candidate.campaign_policies,
            candidate.purpose,
            candidate.technology,
            candidate.jurisdictions,
        )
    ]


def judge(
    policies: Iterable[Policy], candidate: Candidate, attempts: Sequence[Attempt], at: datetime
) -> Judgement:
    """Every rule of every policy that applies to the candidate, at ``at``."""
    checks = [
        _judge_rule(policy, index, rule, candidate, attempts, at)
        for policy in applicable(policies, candidate)
        for index, rule in enumerate(policy.rules)
    ]
    exemptions = sorted(
        {
            kind
            for check in checks
            if check.exempted
            for kind in check.policy.rules[check.index].exempt_with
            if kind in candidate.consent_kinds
        }
    )
    return Judgement(all(check.passed for check in checks), tuple(checks), tuple(exemptions))


def in_flight_on(candidate: Candidate, attempts: Iterable[Attempt]) -> bool:
    """One call at a time to a number key or a person key."""
    return any(
        attempt.in_flight
        and attempt.classes
        and (
            attempt.number_key == candidate.number_key
            or (candidate.person_id is not None and attempt.person_id == candidate.person_id)
        )
        for attempt in attempts
    )
