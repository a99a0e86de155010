"""The contact ledger and the claim's contact-policy checks (docs/contact-policies.md).

These functions run inside the caller's transaction, with its connection: the claim
(``services/campaign_numbers.py``, its one owner) asks :func:`context` whether the VDN is
under contact policies, :func:`judge` which candidates pass, and :func:`record` to write
one ledger row per attempt; the dialer's report, ``push/midresult`` and the preview's skip
call :func:`finish`, :func:`dialled` and :func:`void`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from ..domain import contact_keys
from ..domain import contact_policies as rules
from ..domain.contact_keys import Keying
from ..domain.contact_policies import Attempt, Candidate, Judgement, Policy
from ..domain.reservations import appoint_id
from ..errors import ContactPolicyUnknown
from ..store import contacts as contact_store

Row = dict[str, Any]


def campaign_policy(campaign: Row) -> dict[str, Any]:
    """The campaign's contactPolicy with every field (defaults filled in)."""
    return rules.campaign_policy(campaign.get("contact_policy"))


def keying(conn: Connection, vdn_id: int, campaign: Row, international_prefix: str) -> Keying:
    """How records added to ``campaign`` are keyed."""
    fields = campaign_policy(campaign)
    return Keying(
        default_country=contact_store.default_country(conn, vdn_id),
        international_prefix=international_prefix,
        person_key=fields["personKey"],
        subject_key=fields["subjectKey"],
    )


def stored_key(row: Row) -> str:
    """A row's number key; rows stored before keys existed are keyed by ``called``."""
    return str(row.get("number_key") or row["called"])


def policies_of(rows: Sequence[Row]) -> list[Policy]:
    return [rules.policy_from_body(row["id"], row["version"], row["body"]) for row in rows]


@dataclass(frozen=True)
class ClaimContext:
    """One claim's campaign, as the ledger and the checks see it."""

    vdn_id: int
    campaign_id: int
    purpose: str
    technology: str | None
    campaign_policies: frozenset[int]
    #: None: the VDN is not under contact policies (the claim only records)
    policies: tuple[Policy, ...] | None
    count_lapsed: bool = False

    @property
    def judged(self) -> bool:
        return self.policies is not None

    @property
    def longest_window(self) -> int:
        return max((policy.longest_window for policy in self.policies or ()), default=0)


def context(conn: Connection, campaign: Row) -> ClaimContext:
    """The claim's context. A VDN with nothing configured pays one index probe here."""
    fields = campaign_policy(campaign)
    policies: tuple[Policy, ...] | None = None
    count_lapsed = False
    if contact_store.under_policies(conn, campaign["vdn_id"]):
        policies = tuple(policies_of(contact_store.live_policies(conn, campaign["vdn_id"])))
        settings = contact_store.get_settings(conn, campaign["vdn_id"])
        count_lapsed = bool(settings and settings["count_lapsed_claims"])
    return ClaimContext(
        vdn_id=campaign["vdn_id"],
        campaign_id=campaign["id"],
        purpose=fields["purpose"],
        technology=rules.technology(campaign.get("device_type")),
        campaign_policies=frozenset(fields["policies"]),
        policies=policies,
        count_lapsed=count_lapsed,
    )


def candidate(ctx: ClaimContext, row: Row) -> Candidate:
    key = stored_key(row)
    return Candidate(
        number_key=key,
        person_id=row.get("person_id"),
        subject_ids=contact_keys.subject_ids(row.get("subject_ids") or ""),
        jurisdictions=contact_keys.candidate_jurisdictions(key, row.get("region")),
        purpose=ctx.purpose,
        technology=ctx.technology,
        campaign_policies=ctx.campaign_policies,
    )


def attempt_of(row: Row, now: datetime | None = None, count_lapsed: bool = False) -> Attempt:
    """A ledger row as the rules see it. An attempt still in flight whose lease ran out
    before ``now`` (its campaign's lapsed claims not yet released) is read as the release
    will record it: ended at its lease's end, counted if it was dialled (or the VDN counts
    lapsed claims), voided otherwise."""
    ended = row["ended_at"]
    classes = frozenset(c for c in (row["classes"] or "").split(",") if c)
    lease_until = row.get("lease_until")
    if ended is None and now is not None and lease_until is not None and lease_until < now:
        ended = lease_until
        if not (row.get("dialled") or count_lapsed):
            classes = frozenset()
    return Attempt(
        attempt_id=row["id"],
        number_key=row["number_key"],
        person_id=row["person_id"],
        subject_ids=contact_keys.subject_ids(row["subject_ids"] or ""),
        placed_at=row["placed_at"],
        ended_at=ended,
        classes=classes,
        channel=row["channel"],
        direction=row["direction"],
        purpose=row["purpose"],
        technology=row["technology"],
        consent_kinds=frozenset(k for k in (row["consent_kinds"] or "").split(",") if k),
    )


def _lock_names(ctx: ClaimContext, found: Candidate) -> list[str]:
    names = [f"{ctx.vdn_id}:n:{found.number_key}"]
    if found.person_id:
        names.append(f"{ctx.vdn_id}:p:{found.person_id}")
    return names


def judge(
    conn: Connection,
    ctx: ClaimContext,
    rows: Sequence[Row],
    now: datetime,
    taken: set[str],
    want: int,
) -> dict[int, Judgement]:
    """Which of the peeked ``rows`` (in claim order) may be handed out now: up to ``want``
    of them, by id, with their judgement.

    Their keys are locked first (PostgreSQL: advisory locks, without waiting; a row whose
    key another claim holds is skipped), then their attempts are read by a statement that
    starts after the locks are held, so every attempt of those keys that any claim
    committed is counted. ``taken``: the lock names already handed out by this claim (one
    number per number key and per person key).
    """
    found = [(row, candidate(ctx, row)) for row in rows]
    held = contact_store.try_lock_keys(
        conn, [name for _, c in found for name in _lock_names(ctx, c)]
    )
    since = now - timedelta(seconds=ctx.longest_window)
    attempts = [
        attempt_of(row, now, ctx.count_lapsed)
        for row in contact_store.attempts_of_keys(
            conn,
            ctx.vdn_id,
            sorted({c.number_key for _, c in found}),
            sorted({c.person_id for _, c in found if c.person_id}),
            since,
        )
    ]
    # each candidate is judged on its own keys' attempts only
    by_number: dict[str, list[Attempt]] = {}
    by_person: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_number.setdefault(attempt.number_key, []).append(attempt)
        if attempt.person_id:
            by_person.setdefault(attempt.person_id, []).append(attempt)
    passed: dict[int, Judgement] = {}
    for row, cand in found:
        if len(passed) >= want:
            break
        names = _lock_names(ctx, cand)
        if any(name not in held or name in taken for name in names):
            continue
        own = {
            id(a): a
            for a in (*by_number.get(cand.number_key, ()), *by_person.get(cand.person_id or "", ()))
        }
        mine = list(own.values())
        if rules.in_flight_on(cand, mine):
            continue
        verdict = rules.judge(ctx.policies or (), cand, mine, now)
        if not verdict.passed:
            continue
        taken.update(names)
        passed[row["id"]] = verdict
    return passed


def record(
    conn: Connection,
    ctx: ClaimContext,
    claimed: Sequence[Row],
    reserved: Sequence[Row],
    owner: str,
    now: datetime,
    lease_until: datetime,
    verdicts: dict[tuple[bool, int], Judgement] | None = None,
) -> None:
    """One ledger row per attempt handed out, in the claim's transaction."""
    rows = []
    for is_reserved, group in ((True, reserved), (False, claimed)):
        for row in group:
            verdict = (verdicts or {}).get((is_reserved, row["id"]))
            rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "vdn_id": ctx.vdn_id,
                    "campaign_id": ctx.campaign_id,
                    "data_id": appoint_id(row["id"]) if is_reserved else row["id"],
                    "called": row["called"],
                    "number_key": stored_key(row),
                    "person_id": row.get("person_id"),
                    "subject_ids": row.get("subject_ids"),
                    "channel": "voice",
                    "direction": "outbound",
                    "purpose": ctx.purpose,
                    "technology": ctx.technology,
                    "placed_at": now,
                    "ended_at": None,
                    "lease_owner": owner,
                    "lease_until": lease_until,
                    "dialled": 0,
                    "status": None,
                    "fail_code": None,
                    "classes": "placed,connected",
                    "voided": 0,
                    "consent_kinds": None,
                    "evidence": (
                        {"rules": verdict.evidence(), "exemptions": list(verdict.exemptions)}
                        if verdict is not None
                        else None
                    ),
                    "origin": {"kind": "claim"},
                }
            )
    contact_store.record_attempts(conn, rows)


def classes_text(status: str, fail_code: str | None, amd: str | None) -> str:
    return ",".join(
        name for name in rules.CLASSES if name in rules.outcome_classes(status, fail_code, amd)
    )


def finish(
    conn: Connection,
    data_id: int,
    campaign_id: int,
    now: datetime,
    status: str,
    fail_code: str | None,
    amd: str | None,
) -> int:
    """The reported result ends the record's attempt in flight (the result's transaction)."""
    return contact_store.finish_attempt(
        conn, data_id, campaign_id, now, status, fail_code, classes_text(status, fail_code, amd)
    )


def finish_late(
    conn: Connection,
    data_id: int,
    campaign_id: int,
    owner: str,
    status: str,
    fail_code: str | None,
    amd: str | None,
) -> int:
    """A result refused because its lease had lapsed still completes that attempt."""
    return contact_store.finish_late(
        conn, data_id, campaign_id, owner, status, fail_code, classes_text(status, fail_code, amd)
    )


def dialled(conn: Connection, data_id: int, campaign_id: int, lease_until: datetime | None) -> int:
    return contact_store.mark_dialled(conn, data_id, campaign_id, lease_until)


def void(conn: Connection, data_id: int, owner: str, now: datetime) -> int:
    """A preview record its agent skipped (or gave back) was never dialled: voided."""
    return contact_store.void_attempt(conn, data_id, owner, now)


def handed_over(
    conn: Connection, data_id: int, campaign_id: int, owner: str, lease_until: datetime
) -> int:
    return contact_store.move_lease(conn, data_id, campaign_id, owner, lease_until)


def lapse(conn: Connection, now: datetime, campaign_id: int | None = None) -> int:
    return contact_store.lapse(conn, now, campaign_id)


def check_campaign_policy(conn: Connection, vdn_id: int, stored: Row | None) -> None:
    """A campaign's contactPolicy names only live policies of its VDN (and do-not-call
    sources, none of which exist yet): 0209201 otherwise."""
    if stored is None:
        return
    live = {row["id"] for row in contact_store.live_policies(conn, vdn_id)}
    missing = [policy_id for policy_id in stored.get("policies", []) if policy_id not in live]
    if missing:
        raise ContactPolicyUnknown(
            f"contactPolicy.policies: no live policy {', '.join(map(str, missing))} in this VDN"
        )
    if stored.get("dncSources"):
        raise ContactPolicyUnknown(
            "contactPolicy.dncSources: no such do-not-call source in this VDN"
        )
