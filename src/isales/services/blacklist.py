"""Use cases: the blacklist (docs/api.md#blacklist), tenant-wide per VDN.

Enforcement lives where numbers are added (``NumberService.add``) and claimed
(``store.numbers.claim_due``); both read ``store.blacklist``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..domain.blacklist import expiry, is_valid
from ..errors import (
    AlreadyBlacklisted,
    DuplicateNumbers,
    ErrorCode,
    InvalidParameter,
    NotBlacklisted,
)
from ..store import Store, audit
from ..store import blacklist as blacklist_store
from ..store import suppressions as suppression_store


@dataclass(frozen=True)
class AddOutcome:
    written: int
    skipped: list[str]  # numbers already blacklisted, left as they were (isCoverDupNo 0)


class BlacklistService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def add(
        self, vdn_id: int, numbers: list[str], terms: dict[str, Any], cover: int | None
    ) -> AddOutcome:
        """Blacklist ``numbers``; ``cover`` is isCoverDupNo (None: refuse, 0: skip, 1: overwrite).

        Only *valid* entries count as "already blacklisted": an expired entry is replaced.
        """
        duplicates = sorted(n for n, times in Counter(numbers).items() if times > 1)
        if duplicates:
            raise DuplicateNumbers(f"duplicate numbers in the request: {', '.join(duplicates)}")
        now = self.clock()
        expires_at = terms["expires_at"]
        if expires_at is None and terms["validity"] is not None:
            expires_at = expiry(now, terms["validity"], terms["validity_unit"])
        if expires_at is not None and expires_at <= now:
            raise InvalidParameter(
                ErrorCode.WRONG_VALUE, "validityExpirationTime: must be later than now (UTC)"
            )
        rows = [
            {
                "vdn_id": vdn_id,
                "number": number,
                "expires_at": expires_at,
                "restrict_times": terms["restrict_times"],
                "restrict_period": terms["restrict_period"],
                "category_id": terms["category_id"],
                "type_id": terms["type_id"],
                "created_at": now,
            }
            for number in numbers
        ]
        with self.store.write() as conn:
            written = blacklist_store.put_entries(conn, rows, now, overwrite=cover == 1)
            skipped = [number for number in numbers if number not in written]
            if skipped and cover is None:
                raise AlreadyBlacklisted(
                    f"numbers already in the blacklist: {', '.join(skipped)}; "
                    "isCoverDupNo 0 skips them, 1 overwrites them"
                )
            return AddOutcome(len(written), skipped)

    def query(
        self,
        vdn_id: int,
        numbers: list[str] | None,
        category_id: str | None,
        type_id: str | None,
        offset: int,
        limit: int,
    ) -> tuple[int, list[dict]]:
        """Entries of the given numbers (those that have one), or one page of all entries."""
        now = self.clock()
        with self.store.read() as conn:
            if numbers is not None:
                distinct = list(dict.fromkeys(numbers))
                rows = blacklist_store.entries_for(conn, vdn_id, distinct, category_id, type_id)
                total = len(rows)
            else:
                total, rows = blacklist_store.page(
                    conn, vdn_id, category_id, type_id, offset, limit
                )
        return total, [{**row, "valid": is_valid(row["expires_at"], now)} for row in rows]

    def delete(
        self, vdn_id: int, number: str, actor: str = "cli", request_id: str | None = None
    ) -> None:
        now = self.clock()
        with self.store.write() as conn:
            if blacklist_store.delete_number(conn, vdn_id, number) == 0:
                raise NotBlacklisted(f"{number} is not in the blacklist")
            keyed = suppression_store.hasher(conn, now)
            audit.record(
                conn,
                actor=actor,
                operation="blacklist-delete",
                vdn=vdn_id,
                request_id=request_id,
                detail={"numberHash": keyed(number), "removed": 1},
                at=now,
            )

    def delete_all(self, vdn_id: int, actor: str = "cli", request_id: str | None = None) -> int:
        now = self.clock()
        with self.store.write() as conn:
            removed = blacklist_store.delete_all(conn, vdn_id)
            if removed:
                audit.record(
                    conn,
                    actor=actor,
                    operation="blacklist-delete",
                    vdn=vdn_id,
                    request_id=request_id,
                    detail={"all": True, "removed": removed},
                    at=now,
                )
            return removed
