"""The one owner of a campaign's numbers: locking the campaign, admitting numbers,
claiming them, and removing them.

Every use case that adds (add, file import, restore), claims (the dialer, reserved
calls) or removes (delete, batch delete, import rollback, campaign delete, erasure)
numbers runs inside its own transaction and calls these functions with its connection;
the statements are ``store/numbers.py``'s.
docs/architecture.md, "One owner of a campaign's numbers", lists which rule lives where.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ..domain import states
from ..domain.agents import lease_owner
from ..domain.contact_keys import Keying
from ..domain.number_filter import NumberFilter
from ..domain.reservations import appoint_id
from ..domain.states import KEPT_REASON, CampaignStatus, NumberState
from ..domain.time_zones import ZoneTable
from ..errors import (
    Blacklisted,
    CampaignNotFound,
    StateForbidsAdding,
    StateForbidsNumberDelete,
    TooManyUncompleted,
)
from ..store import agents as agent_store
from ..store import audit
from ..store import blacklist as blacklist_store
from ..store import campaigns as campaign_store
from ..store import erasure as erasure_store
from ..store import numbers as number_store
from ..store import suppressions as suppression_store
from ..store.numbers import Claimant, Row
from . import contacts

# --- the campaign row lock ----------------------------------------------------------------


def lock_campaign(conn: Connection, vdn_id: int, campaign_id: int) -> Row | None:
    """The campaign, row-locked FOR UPDATE (None: no such campaign of the VDN).

    The row lock serialises adds, imports, restores and removals of one campaign (so the
    uncompleted-numbers cap is exact), and waits for claims in flight (they hold FOR
    SHARE, :func:`claim`).
    """
    return campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update")


def locked_campaign(conn: Connection, vdn_id: int, campaign_id: int) -> Row:
    """:func:`lock_campaign`, refused (0200007) when there is no such campaign."""
    campaign = lock_campaign(conn, vdn_id, campaign_id)
    if campaign is None:
        raise CampaignNotFound()
    return campaign


def lock_for_adding(conn: Connection, vdn_id: int, campaign_id: int, now: datetime) -> Row:
    """The campaign, row-locked, that numbers may be added to (or restored into).

    Missing: 0200007; completed: 0200019.
    """
    campaign = locked_campaign(conn, vdn_id, campaign_id)
    if not states.may_add_numbers(effective_status(campaign, now)):
        raise StateForbidsAdding("the outbound campaign has completed")
    return campaign


def effective_status(campaign: Row, now: datetime) -> CampaignStatus:
    return states.effective_status(campaign["status"], campaign["end_time"], now)


def lock_vdn(conn: Connection, vdn_id: int, now: datetime) -> list[int]:
    """Lock every campaign of the VDN (id order) and release their lapsed claims: adds,
    imports, restores, removals and claims of the VDN wait (an erasure)."""
    campaign_ids = erasure_store.lock_campaigns(conn, vdn_id)
    for campaign_id in campaign_ids:
        number_store.release_lapsed_claims(conn, now, campaign_id)
    return campaign_ids


# --- admission: blacklist, erasure suppression, the uncompleted cap -----------------------


@dataclass(frozen=True)
class Wording:
    """How a refusal names the numbers: an add's request, or a restore's archived rows."""

    blacklisted: str  # {numbers}
    erased: str
    over_cap: str  # {uncompleted} {count} {cap}


ADDING = Wording(
    blacklisted="blacklisted numbers in the request: {numbers}",
    erased="the request holds a number erased from this VDN",
    over_cap="the campaign has {uncompleted} uncompleted numbers; adding {count} "
    "would exceed the limit of {cap}",
)
RESTORING = Wording(
    blacklisted="blacklisted numbers among them: {numbers}",
    erased="a number among them was erased from this VDN",
    over_cap="the campaign has {uncompleted} uncompleted numbers; restoring {count} "
    "would exceed the limit of {cap}",
)


@dataclass(frozen=True)
class Admission:
    """What the store says about numbers about to enter a campaign (under its row lock).

    A number blacklisted with a call quota is admitted: the claim enforces the quota.
    """

    blocked: list[str]  # blacklisted, in the order the blacklist lists them
    erased: frozenset[str]  # erased from the VDN (suppressed)
    uncompleted: int
    cap: int

    @property
    def room(self) -> int:
        """How many more uncompleted numbers the campaign may take."""
        return max(self.cap - self.uncompleted, 0)

    def refuse_barred(self, wording: Wording) -> None:
        """All or nothing: 0200017 when any number is blacklisted or erased."""
        if self.blocked:
            raise Blacklisted(wording.blacklisted.format(numbers=", ".join(self.blocked)))
        if self.erased:
            raise Blacklisted(wording.erased)

    def refuse_over_cap(self, count: int, wording: Wording) -> None:
        """All or nothing: 0200020 when ``count`` more would pass the cap."""
        if self.uncompleted + count > self.cap:
            raise TooManyUncompleted(
                wording.over_cap.format(uncompleted=self.uncompleted, count=count, cap=self.cap)
            )


def admission(
    conn: Connection, vdn_id: int, campaign_id: int, called: list[str], now: datetime, cap: int
) -> Admission:
    """The admission rules for ``called`` (every number of the records), read once."""
    return Admission(
        blocked=blacklist_store.blocked_for_add(conn, vdn_id, called, now),
        erased=frozenset(suppression_store.suppressed(conn, vdn_id, called, now)),
        uncompleted=number_store.count_uncompleted(conn, campaign_id),
        cap=cap,
    )


def keying(conn: Connection, vdn_id: int, campaign: Row, zones: ZoneTable) -> Keying:
    """How records added to ``campaign`` get their contact keys (the VDN's country, the
    campaign's personKey and subjectKey), read once per add or import chunk."""
    return contacts.keying(conn, vdn_id, campaign, zones.international_prefix)


def new_number(
    record: dict[str, Any],
    campaign_id: int,
    vdn_id: int,
    now: datetime,
    zones: ZoneTable,
    keying: Keying,
) -> Row:
    """The numbers row of an added record: pending, never attempted, due now.

    Its time zone: the record's ``timeZone``, else the prefix table's key for its (first)
    number, else none (the server's zone). Its contact keys: ``keying``'s
    (docs/contact-policies.md, "Keys"), computed once and stored.
    """
    return {
        **{k: v for k, v in record.items() if k != "called_all"},
        **keying.keys(record),
        "time_zone": record.get("time_zone") or zones.key_for(record["called"]),
        "campaign_id": campaign_id,
        "vdn_id": vdn_id,
        "state": NumberState.PENDING,
        "attempts": 0,
        "next_due_at": now,
        "created_at": now,
    }


# --- claims -------------------------------------------------------------------------------


def claim(
    conn: Connection,
    campaign: Row,
    batch: int,
    by: Claimant,
    zone_keys: list[str | None] | None,
) -> tuple[list[Row], list[Row]]:
    """Claim up to ``batch`` due reserved calls and numbers: (numbers, reserved calls).

    The caller holds the campaign row FOR SHARE (claims do not wait for each other; a
    removal, an add or a pause waits for them). Lapsed claims are released first;
    reserved calls due now go first, outside the numbers' due order; ``zone_keys`` (a
    local-time campaign): only numbers of these zone keys.

    Every attempt handed out is recorded in the contact ledger in this transaction. In a
    VDN under contact policies each candidate is judged first (:func:`_claim_judged`); in
    any other VDN the claim is the one statement it always was, plus the ledger rows.
    """
    campaign_id = campaign["id"]
    release_lapsed(conn, by.now, campaign_id)
    ctx = contacts.context(conn, campaign)
    if ctx.judged:
        return _claim_judged(conn, ctx, batch, by, zone_keys)
    reserved = number_store.claim_reservations(conn, campaign_id, batch, by, zone_keys)
    claimed = _claim_due(conn, campaign_id, batch - len(reserved), by, zone_keys)
    contacts.record(conn, ctx, claimed, reserved, by.owner, by.now, by.lease_until)
    return claimed, reserved


#: a judged claim first peeks twice its remaining batch, and twice as many each round after
#: (refused candidates stay due at the head of the due order, so it must be able to look
#: past them), up to _PEEK_MOST rows a round and _PEEK_ROUNDS rounds (a claim of 50 reads at
#: most about 3,700 candidates, so it never holds the write lock long)
_PEEK_FACTOR = 2
_PEEK_MOST = 1024
_PEEK_ROUNDS = 6


def _claim_judged(
    conn: Connection,
    ctx: contacts.ClaimContext,
    batch: int,
    by: Claimant,
    zone_keys: list[str | None] | None,
    reservations: bool = True,
) -> tuple[list[Row], list[Row]]:
    """The claim in a VDN under contact policies (docs/contact-policies.md, "The claim"):
    candidates are peeked and locked in claim order, their keys locked and judged, and
    only those that pass are claimed (re-checked by the claiming statement); a refused one
    stays as it is. Reserved calls first (unless ``reservations`` is False: a preview
    record), then numbers; at most one per key per claim."""
    taken: set[str] = set()
    verdicts: dict[tuple[bool, int], contacts.Judgement] = {}
    got: dict[bool, list[Row]] = {True: [], False: []}
    for reserved in (True, False) if reservations else (False,):
        after: tuple[datetime, int] | None = None
        limit = 0
        for _ in range(_PEEK_ROUNDS):
            want = batch - len(got[True]) - len(got[False])
            if want <= 0:
                break
            limit = min(max(want * _PEEK_FACTOR, limit * 2), _PEEK_MOST)
            rows = number_store.peek(
                conn, ctx.campaign_id, limit, by, zone_keys, after, reserved=reserved
            )
            passed = contacts.judge(conn, ctx, rows, by.now, taken, want)
            taken_rows = number_store.take(conn, ctx.campaign_id, list(passed), by, reserved)
            for row in taken_rows:
                verdicts[(reserved, row["id"])] = passed[row["id"]]
            got[reserved].extend(taken_rows)
            if len(rows) < limit:
                break
            after = (rows[-1]["due"], rows[-1]["id"])
    claimed, reserved_rows = got[False], got[True]
    contacts.record(conn, ctx, claimed, reserved_rows, by.owner, by.now, by.lease_until, verdicts)
    return sorted(claimed, key=lambda row: row["id"]), reserved_rows


def _claim_due(
    conn: Connection,
    campaign_id: int,
    count: int,
    by: Claimant,
    zone_keys: list[str | None] | None,
) -> list[Row]:
    """Up to ``count`` due numbers, of ``zone_keys`` only for a local-time campaign."""
    if zone_keys is None:
        return number_store.claim_due(conn, campaign_id, count, by)
    return number_store.claim_due_in_zones(conn, campaign_id, zone_keys, count, by)


def claim_for_agents(
    conn: Connection,
    campaign: Row,
    batch: int,
    by: Claimant,
    zone_keys: list[str | None] | None,
    dialer_id: str,
) -> tuple[list[Row], list[Row], dict[int, str]]:
    """The progressive claim: one READY agent on ``dialer_id``'s legs is reserved per
    number (READY → RESERVED, guarded), so no more numbers are claimed than such agents;
    (numbers, reserved calls, dataId → the workNo reserved for it). Agents left without a
    number are READY again."""
    agents = agent_store.reserve_ready(
        conn, campaign["id"], dialer_id, batch, by.now, by.lease_until
    )
    claimed, reserved = claim(conn, campaign, len(agents), by, zone_keys)
    data_ids = [appoint_id(row["id"]) for row in reserved] + [row["id"] for row in claimed]
    work_nos: dict[int, str] = {}
    for agent, data_id in zip(agents, data_ids, strict=False):
        agent_store.assign_call(conn, agent["id"], data_id)
        work_nos[data_id] = agent["work_no"]
    for agent in agents[len(data_ids) :]:
        agent_store.unreserve(conn, agent["id"])
    return claimed, reserved, work_nos


def claim_for_preview(
    conn: Connection, campaign: Row, by: Claimant, zone_keys: list[str | None] | None
) -> Row | None:
    """Preview ``next``: one due number held for an agent (``by.owner`` is the agent's
    lease owner, ``by.lease_until`` the end of its hold); lapsed holds are released first,
    by the same rule as every claim. The record held is one attempt (voided if skipped)."""
    campaign_id = campaign["id"]
    release_lapsed(conn, by.now, campaign_id)
    ctx = contacts.context(conn, campaign)
    if ctx.judged:
        found, _ = _claim_judged(conn, ctx, 1, by, zone_keys, reservations=False)
    else:
        found = _claim_due(conn, campaign_id, 1, by, zone_keys)
        contacts.record(conn, ctx, found, [], by.owner, by.now, by.lease_until)
    return found[0] if found else None


def hand_over_previews(
    conn: Connection, campaign_id: int, dialer_id: str, batch: int, by: Claimant
) -> tuple[list[Row], dict[int, str]]:
    """The preview claim: only the records agents on ``dialer_id``'s legs asked to dial,
    each passing from the agent's hold to the dialer's lease; (numbers, dataId → workNo)."""
    claimed: list[Row] = []
    work_nos: dict[int, str] = {}
    for agent in agent_store.dial_asked(conn, campaign_id, dialer_id, by.now)[:batch]:
        row = number_store.hand_over(
            conn, campaign_id, agent["data_id"], lease_owner(agent["id"]), by
        )
        if row is None:
            continue
        agent_store.extend_reservation(conn, agent["id"], by.lease_until)
        # the agent's hold was the attempt; the dialer's lease now bounds it
        contacts.handed_over(conn, row["id"], campaign_id, by.owner, by.lease_until)
        claimed.append(row)
        work_nos[row["id"]] = agent["work_no"]
    return claimed, work_nos


def give_back(conn: Connection, data_id: int, owner: str, now: datetime) -> bool:
    """A record held for an agent (skipped, or its agent's leg went down) is released; its
    attempt is voided (never dialled)."""
    given = number_store.give_back(conn, data_id, owner, now)
    if given:
        contacts.void(conn, data_id, owner, now)
    return given


# --- removal ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeleteOutcome:
    removed: int
    kept: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        if not self.kept:
            return ""
        reasons = ", ".join(
            f"{count} {KEPT_REASON[NumberState(state)]}"
            for state, count in sorted(self.kept.items())
        )
        return f"{sum(self.kept.values())} matched numbers were kept: {reasons}"


def filter_detail(number_filter: NumberFilter, keyed: Callable[[str], str]) -> dict[str, Any]:
    """A delete filter as the audit log keeps it: a number only as its keyed hash."""
    recycle = number_filter.recycle
    detail = {
        "sessionId": number_filter.session_id,
        "calledHash": keyed(number_filter.called) if number_filter.called else None,
        "customField": number_filter.custom_field,
        "batchId": number_filter.batch_id,
        "recycleFrom": recycle.lower.isoformat() if recycle and recycle.lower else None,
        "recycleBefore": recycle.upper.isoformat() if recycle else None,
    }
    return {name: value for name, value in detail.items() if value is not None}


Check = Callable[[Connection, Row], None]


def _no_check(conn: Connection, campaign: Row) -> None:
    return None


@dataclass(frozen=True)
class Removal:
    """One removal of a campaign's deletable numbers: which, by whom, and its own rules."""

    operation: str  # the audit operation, and the history rows' reason
    number_filter: NumberFilter
    archive: bool  # move them to history
    actor: str  # an access key or a console user
    request_id: str
    executing: str  # the refusal (0200028) while the campaign is executing
    #: its own check of how many were removed, before anything is counted or audited (a
    #: refusal rolls the removal back: the delete interface's ``expectedCount``)
    check_removed: Callable[[int], None] = lambda removed: None
    #: the refusal when every matched number is kept (None: an empty removal is answered)
    all_kept: str | None = None
    #: its own checks, run under the row lock before / after the executing refusal
    before_status: Check = _no_check
    after_status: Check = _no_check
    may_remove: Callable[[CampaignStatus], bool] = states.may_delete_numbers
    #: the audit detail beside the counts (given the transaction; called only to audit)
    detail: Callable[[Connection], dict[str, Any]] = lambda conn: {}
    audit_empty: bool = False  # audit a removal that removed nothing


def remove(
    conn: Connection, removal: Removal, vdn_id: int, campaign_id: int, now: datetime
) -> DeleteOutcome:
    """The safe delete, the same for every removal (docs/api.md, "Deleting outbound numbers").

    Lock the campaign (FOR UPDATE: a resume, an import, or a claim's FOR SHARE waits),
    refuse while it is executing, release lapsed claims (a claim whose lease ran out is no
    longer a call in progress), remove only the deletable numbers the filter matches (in
    one statement, archived or not), run the removal's own check of the count, count what
    is kept, refuse when all was kept, audit.
    """
    campaign = locked_campaign(conn, vdn_id, campaign_id)
    removal.before_status(conn, campaign)
    if not removal.may_remove(effective_status(campaign, now)):
        raise StateForbidsNumberDelete(removal.executing)
    removal.after_status(conn, campaign)
    number_store.release_lapsed_claims(conn, now, campaign_id)
    number_filter, archive = removal.number_filter, removal.archive
    removed, kept = number_store.remove_matching_counting_kept(
        conn,
        campaign_id,
        number_filter,
        archive=archive,
        now=now,
        archived_by=removal.actor,
        request_id=removal.request_id,
        reason=removal.operation,
    )
    removal.check_removed(removed)
    outcome = DeleteOutcome(removed, kept)
    if removal.all_kept is not None and removed == 0 and kept:
        raise StateForbidsNumberDelete(f"{removal.all_kept}: {outcome.describe()}")
    if removed or removal.audit_empty:
        audit.record(
            conn,
            actor=removal.actor,
            operation=removal.operation,
            vdn=vdn_id,
            request_id=removal.request_id,
            detail={
                "campaignId": campaign_id,
                **removal.detail(conn),
                "archiveHistory": archive,
                "deleted": removed,
                "kept": kept,
            },
            at=now,
        )
    return outcome


def _remove_matching(
    conn: Connection, campaign_id: int, removal: Removal, now: datetime, only_deletable: bool = True
) -> int:
    return number_store.remove_matching(
        conn,
        campaign_id,
        removal.number_filter,
        archive=removal.archive,
        now=now,
        archived_by=removal.actor,
        request_id=removal.request_id,
        reason=removal.operation,
        only_deletable=only_deletable,
    )


def remove_all(
    conn: Connection,
    campaign_id: int,
    *,
    archive: bool,
    actor: str,
    request_id: str,
    now: datetime,
    operation: str,
) -> int:
    """Every number of the campaign (a campaign delete; the caller has refused while any
    is being called, after :func:`release_lapsed`)."""
    everything = Removal(operation, NumberFilter(), archive, actor, request_id, executing="")
    return _remove_matching(conn, campaign_id, everything, now, only_deletable=False)


def release_lapsed(conn: Connection, now: datetime, campaign_id: int | None = None) -> int:
    """Claims whose lease ran out go back to the state they had (all campaigns: None); their
    attempts end at the lease's end (voided unless dialled)."""
    contacts.lapse(conn, now, campaign_id)
    return number_store.release_lapsed_claims(conn, now, campaign_id)


def calling(conn: Connection, campaign_id: int) -> int:
    """The campaign's numbers being called now."""
    return number_store.count_calling(conn, campaign_id)
