"""Use cases of the contact-policy interfaces: the VDN's settings, policies and their
versions, and explain (docs/contact-policies.md). The claim's checks are
``services/contacts.py``'s, called by the claim's owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..domain import contact_keys
from ..domain import contact_policies as rules
from ..domain.contact_policies import Judgement
from ..errors import (
    AttemptNotFound,
    CampaignNotFound,
    ContactPolicyInUse,
    ContactPolicyNotFound,
    ErrorCode,
    InvalidParameter,
    NumberNotFound,
)
from ..store import Store, audit
from ..store import blacklist as blacklist_store
from ..store import campaigns as campaign_store
from ..store import contacts as contact_store
from ..store import numbers as number_store
from ..store import suppressions as suppression_store
from ..wire.schemas.contact import (
    answer_time,
    longest_window,
    settings_columns,
    wire_policy,
    wire_settings,
)
from . import contacts

Row = dict[str, Any]


@dataclass(frozen=True)
class Actor:
    """Who asks: an access key (or console user) and the request, for the audit log."""

    name: str
    request_id: str | None


class ContactPolicyService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    # --- settings ------------------------------------------------------------------------

    def get_settings(self, vdn_id: int) -> Row:
        with self.store.read() as conn:
            return wire_settings(settings_columns(contact_store.get_settings(conn, vdn_id)))

    def put_settings(self, vdn_id: int, changes: Row, actor: Actor) -> Row:
        """Change the fields given; audited with the old and new values. A new
        ``defaultCountry`` keys the numbers added from then on."""
        now = self.clock()
        with self.store.write() as conn:
            stored = contact_store.get_settings(conn, vdn_id)
            before = settings_columns(stored)
            after = {**before, **changes}
            longest = max(
                (longest_window(row["body"]) for row in contact_store.live_policies(conn, vdn_id)),
                default=0,
            )
            if after["ledger_retention_days"] * 86_400 < longest:
                raise InvalidParameter(
                    ErrorCode.WRONG_VALUE,
                    "ledgerRetentionDays: shorter than the longest window of the VDN's "
                    f"policies ({longest} s)",
                )
            contact_store.put_settings(
                conn, vdn_id, {**after, "updated_at": now}, exists_=stored is not None
            )
            audit.record(
                conn,
                actor=actor.name,
                operation="contacts.settings",
                vdn=vdn_id,
                request_id=actor.request_id,
                detail={"before": wire_settings(before), "after": wire_settings(after)},
                at=now,
            )
            return wire_settings(after)

    # --- policies ------------------------------------------------------------------------

    def _check_policy(
        self, conn: Any, vdn_id: int, stored: Row, except_id: int | None = None
    ) -> None:
        names = contact_store.live_names(conn, vdn_id)
        if names.get(stored["name"], except_id) != except_id:
            raise InvalidParameter(ErrorCode.WRONG_VALUE, "name: a live policy has this name")
        if except_id is None and len(names) >= rules.MAX_LIVE_POLICIES:
            raise InvalidParameter(
                ErrorCode.WRONG_VALUE, f"a VDN holds at most {rules.MAX_LIVE_POLICIES} policies"
            )
        retention = settings_columns(contact_store.get_settings(conn, vdn_id))
        if longest_window(stored) > retention["ledger_retention_days"] * 86_400:
            raise InvalidParameter(
                ErrorCode.WRONG_VALUE, "rules: a window is longer than ledgerRetentionDays"
            )

    def _audit(self, conn: Any, vdn_id: int, operation: str, detail: Row, actor: Actor) -> None:
        audit.record(
            conn,
            actor=actor.name,
            operation=operation,
            vdn=vdn_id,
            request_id=actor.request_id,
            detail=detail,
            at=self.clock(),
        )

    def add_policy(self, vdn_id: int, stored: Row, actor: Actor) -> tuple[int, int]:
        now = self.clock()
        with self.store.write() as conn:
            self._check_policy(conn, vdn_id, stored)
            policy_id = contact_store.add_policy(conn, vdn_id, stored["name"], stored, now)
            self._audit(
                conn,
                vdn_id,
                "contacts.policy.add",
                {"policyId": policy_id, "version": 1, "policy": stored},
                actor,
            )
            return policy_id, 1

    def replace_policy(
        self, vdn_id: int, policy_id: int, stored: Row, actor: Actor
    ) -> tuple[int, int]:
        now = self.clock()
        with self.store.write() as conn:
            current = contact_store.get_policy(conn, vdn_id, policy_id, lock=True)
            if current is None:
                raise ContactPolicyNotFound(f"policyId {policy_id}: no such live policy")
            self._check_policy(conn, vdn_id, stored, except_id=policy_id)
            version = current["version"]
            if not contact_store.replace_policy(
                conn, policy_id, version, stored["name"], stored, now
            ):
                raise ContactPolicyNotFound(f"policyId {policy_id}: changed or deleted meanwhile")
            self._audit(
                conn,
                vdn_id,
                "contacts.policy.change",
                {"policyId": policy_id, "version": version + 1, "policy": stored},
                actor,
            )
            return policy_id, version + 1

    def delete_policy(self, vdn_id: int, policy_id: int, actor: Actor) -> None:
        now = self.clock()
        with self.store.write() as conn:
            current = contact_store.get_policy(conn, vdn_id, policy_id, lock=True)
            if current is None:
                raise ContactPolicyNotFound(f"policyId {policy_id}: no such live policy")
            naming = contact_store.campaigns_naming_policy(conn, vdn_id, policy_id)
            if naming:
                raise ContactPolicyInUse(
                    f"policyId {policy_id} is named by campaigns {', '.join(map(str, naming))}"
                )
            contact_store.end_policy(conn, policy_id, current["version"], now)
            self._audit(
                conn,
                vdn_id,
                "contacts.policy.delete",
                {"policyId": policy_id, "version": current["version"]},
                actor,
            )

    def list_policies(self, vdn_id: int, include_versions: bool) -> list[Row]:
        with self.store.read() as conn:
            if not include_versions:
                return [
                    {
                        **wire_policy(row["id"], row["version"], row["body"]),
                        "validFrom": answer_time(row["valid_from"]),
                    }
                    for row in contact_store.live_policies(conn, vdn_id)
                ]
            return [
                {
                    **wire_policy(row["policy_id"], row["version"], row["body"]),
                    "validFrom": answer_time(row["valid_from"]),
                    "validTo": answer_time(row["valid_to"]),
                }
                for row in contact_store.policy_versions(conn, vdn_id)
            ]

    # --- explain -------------------------------------------------------------------------

    def explain(self, vdn_id: int, request: Row) -> Row:
        """Why a number was, or would be, handed out (docs/contact-policies.md, "Explain")."""
        now = self.clock()
        at = request.get("at") or now
        if at > now:
            raise InvalidParameter(ErrorCode.WRONG_VALUE, "at: must not be in the future")
        with self.store.read() as conn:
            if request.get("attempt_id") is not None:
                return self._explain_attempt(conn, vdn_id, request["attempt_id"])
            campaign = campaign_store.get_campaign(conn, vdn_id, request["campaign_id"])
            if campaign is None:
                raise CampaignNotFound()
            if request.get("data_id") is not None:
                row = number_store.get_number(conn, campaign["id"], request["data_id"])
                if row is None:
                    raise NumberNotFound()
                record = {**row, **{k: v for k, v in request.items() if k in _KEYS and v}}
            else:
                keying = contacts.keying(
                    conn, vdn_id, campaign, self.settings.zone_table.international_prefix
                )
                record = {"called": request["called"], **{k: request.get(k) for k in _KEYS}}
                record["number_key"] = keying.keys(record)["number_key"]
            return self._judged(conn, vdn_id, campaign, record, at, now, leave_out=None)

    def _judged(
        self,
        conn: Any,
        vdn_id: int,
        campaign: Row,
        record: Row,
        at: datetime,
        now: datetime,
        leave_out: str | None,
    ) -> Row:
        ctx = contacts.context(conn, campaign)
        policies = tuple(contacts.policies_of(contact_store.policies_at(conn, vdn_id, at)))
        ctx = contacts.ClaimContext(
            ctx.vdn_id,
            ctx.campaign_id,
            ctx.purpose,
            ctx.technology,
            ctx.campaign_policies,
            policies,
        )
        cand = contacts.candidate(ctx, record)
        since = at - timedelta(seconds=ctx.longest_window)
        rows = [
            row
            for row in contact_store.attempts_of_keys(
                conn,
                vdn_id,
                [cand.number_key],
                [cand.person_id] if cand.person_id else [],
                since,
                until=at,
            )
            if row["id"] != leave_out
        ]
        # as known at ``at``: an attempt that ended later was in flight then
        known = [
            {**row, "ended_at": None, "classes": "placed,connected"}
            if row["ended_at"] is not None and row["ended_at"] > at
            else row
            for row in rows
        ]
        attempts = [contacts.attempt_of(row) for row in known]
        in_flight = rules.in_flight_on(cand, attempts)
        verdict: Judgement = rules.judge(policies, cand, attempts, at)
        called = record["called"]
        blacklisted = bool(blacklist_store.blocked_for_add(conn, vdn_id, [called], now))
        erased = bool(suppression_store.suppressed(conn, vdn_id, [called], now))
        checks: list[Row] = [
            {"check": "suppression", "result": "fail" if erased else "pass", "asOf": "now"},
            {"check": "blacklist", "result": "fail" if blacklisted else "pass", "asOf": "now"},
            {"check": "inFlight", "result": "fail" if in_flight else "pass"},
            *(_rule_check(check, ctx.policies or ()) for check in verdict.checks),
        ]
        allowed = verdict.passed and not in_flight and not blacklisted and not erased
        return {
            "at": answer_time(at),
            "campaignId": campaign["id"],
            "purpose": ctx.purpose,
            "technology": ctx.technology,
            "number": {
                "called": called,
                "numberKey": cand.number_key,
                "keyKind": contact_keys.key_kind(cand.number_key),
                "jurisdictions": list(cand.jurisdictions) if cand.jurisdictions else ["*"],
            },
            "personId": cand.person_id,
            "subjectIds": list(cand.subject_ids),
            "verdict": "allowed" if allowed else "refused",
            "nextAllowedAt": None if allowed or in_flight else answer_time(verdict.next_allowed_at),
            "checks": checks,
            "attempts": [wire_attempt(row) for row in _full(conn, vdn_id, rows)],
        }

    def _explain_attempt(self, conn: Any, vdn_id: int, attempt_id: str) -> Row:
        row = contact_store.get_attempt(conn, vdn_id, attempt_id)
        if row is None:
            raise AttemptNotFound(f"attemptId {attempt_id}: no such attempt")
        campaign = campaign_store.get_campaign(conn, vdn_id, row["campaign_id"] or 0)
        if campaign is None:  # the campaign is gone: judge with what the attempt recorded
            campaign = {
                "id": row["campaign_id"],
                "vdn_id": vdn_id,
                "device_type": None,
                "contact_policy": {"purpose": row["purpose"] or "other"},
            }
        at = row["placed_at"]
        answer = self._judged(conn, vdn_id, campaign, row, at, at, leave_out=row["id"])
        return {
            **answer,
            "attempt": wire_attempt(row),
            "consistent": answer["verdict"] == "allowed",
        }


_KEYS = ("person_id", "subject_ids", "region")


def _rule_check(check: rules.RuleCheck, policies: tuple[rules.Policy, ...]) -> Row:
    rule = check.policy.rules[check.index]
    return {
        "check": "rule",
        "result": "pass" if check.passed else "fail",
        "policyId": check.policy.policy_id,
        "version": check.policy.version,
        "name": check.policy.name,
        "preset": check.policy.preset,
        "rule": check.index,
        "kind": rule.kind,
        "unit": rule.unit,
        "subject": check.subject,
        "counts": rule.counts,
        "limit": rule.limit,
        "windowSeconds": rule.window_seconds,
        "counted": check.counted,
        "attemptIds": list(check.attempt_ids),
        "releasesAt": answer_time(check.releases_at),
        "exempt": check.exempted,
    }


def _full(conn: Any, vdn_id: int, rows: list[Row]) -> list[Row]:
    found = [contact_store.get_attempt(conn, vdn_id, row["id"]) for row in rows]
    return sorted((row for row in found if row), key=lambda row: (row["placed_at"], row["id"]))


def wire_attempt(row: Row) -> Row:
    """An attempt as explain and export answer it."""
    return {
        "attemptId": row["id"],
        "campaignId": row["campaign_id"],
        "dataId": row["data_id"],
        "called": row["called"],
        "numberKey": row["number_key"],
        "personId": row["person_id"],
        "subjectIds": list(contact_keys.subject_ids(row["subject_ids"] or "")),
        "channel": row["channel"],
        "direction": row["direction"],
        "purpose": row["purpose"],
        "technology": row["technology"],
        "placedAt": answer_time(row["placed_at"]),
        "endedAt": answer_time(row["ended_at"]),
        "status": row["status"],
        "failCode": row["fail_code"],
        "classes": [c for c in (row["classes"] or "").split(",") if c],
        "voided": bool(row["voided"]),
        "exemptions": (row["evidence"] or {}).get("exemptions", []),
        "evidence": row["evidence"],
        "origin": row["origin"],
    }
