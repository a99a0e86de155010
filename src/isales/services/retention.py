"""Retention and legal holds (docs/api.md#retention-and-legal-holds).

The sweep (a background job, run once at start and then every
``retention_sweep_seconds``) purges history rows and call results older than
``history_retention_days`` in batches of ``PURGE_BATCH`` rows, one transaction each,
skipping held campaigns; each batch writes its audit entries (one per VDN) in its own
transaction.
"""

from __future__ import annotations

from datetime import timedelta

from ..clock import Clock
from ..config import Settings
from ..errors import CampaignNotFound
from ..store import Store, audit
from ..store import campaigns as campaign_store
from ..store import holds as hold_store

#: rows deleted per transaction
PURGE_BATCH = 5000


class RetentionService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def set_hold(self, vdn_id: int, campaign_id: int, reason: str | None, actor: str) -> bool:
        """True: newly held; False: it was held already (its reason is replaced)."""
        now = self.clock()
        with self.store.write() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update") is None:
                raise CampaignNotFound()
            created = hold_store.set_hold(conn, vdn_id, campaign_id, reason, actor, now)
            audit.record(
                conn,
                actor=actor,
                operation="hold-set",
                vdn=vdn_id,
                request_id=None,
                detail={"campaignId": campaign_id, "reason": reason, "new": created},
                at=now,
            )
            return created

    def release_hold(self, vdn_id: int, campaign_id: int, actor: str) -> bool:
        now = self.clock()
        with self.store.write() as conn:
            released = hold_store.release(conn, vdn_id, campaign_id)
            if released:
                audit.record(
                    conn,
                    actor=actor,
                    operation="hold-release",
                    vdn=vdn_id,
                    request_id=None,
                    detail={"campaignId": campaign_id},
                    at=now,
                )
            return released

    def holds(self) -> list[dict]:
        with self.store.read() as conn:
            return hold_store.list_holds(conn)

    def purge(self) -> dict[str, int]:
        """Purge what retention allows now; returns rows removed per kind (none: {})."""
        days = self.settings.history_retention_days
        if days is None:
            return {}
        removed = {"history": 0, "results": 0}
        now = self.clock()
        cutoff = now - timedelta(days=days)
        for kind in removed:
            while True:
                with self.store.write() as conn:
                    by_vdn = hold_store.purge_batch(conn, kind, cutoff, PURGE_BATCH)
                    for vdn_id, purged in sorted(by_vdn.items()):
                        audit.record(
                            conn,
                            actor="retention",
                            operation="purge",
                            vdn=vdn_id,
                            request_id=None,
                            detail={kind: purged, "olderThan": cutoff.isoformat()},
                            at=now,
                        )
                batch = sum(by_vdn.values())
                removed[kind] += batch
                if batch < PURGE_BATCH:
                    break
        return {kind: n for kind, n in removed.items() if n}
