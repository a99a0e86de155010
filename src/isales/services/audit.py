"""The audit log (docs/api.md#audit-log): list entries, verify the hash chain.

Entries are written by the use cases themselves, with ``store.audit.record`` inside the
transaction of the change they record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..clock import Clock
from ..config import Settings
from ..domain.audit import verify_chain
from ..store import Store
from ..store import audit as audit_store


@dataclass(frozen=True)
class Verification:
    checked: int
    first_broken: int | None  # id of the first entry whose hash does not match

    @property
    def intact(self) -> bool:
        return self.first_broken is None


class AuditService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def entries(self, vdn_id: int | None = None, since: datetime | None = None) -> list[dict]:
        with self.store.read() as conn:
            return audit_store.entries(conn, vdn_id, since)

    def verify(self) -> Verification:
        with self.store.read() as conn:
            rows = (row for batch in audit_store.all_entries(conn) for row in batch)
            checked, broken = verify_chain(rows)
        return Verification(checked, broken)
