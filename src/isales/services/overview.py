"""Reads for the console: what an operator needs at a glance, confined to a VDN."""

from __future__ import annotations

from ..clock import Clock
from ..config import Settings
from ..domain.days import day_bounds
from ..errors import CampaignNotFound
from ..store import Store
from ..store import campaigns as campaign_store
from ..store import overview as overview_store
from ..store.overview import NumberSearch
from .campaigns import with_effective_status


class OverviewService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def campaigns(self, vdn_ids: list[int]) -> list[dict]:
        """Every campaign of the VDNs, with its effective status and ``by_state`` counts."""
        now = self.clock()
        with self.store.read() as conn:
            rows = overview_store.campaigns_of(conn, vdn_ids)
            counts = overview_store.numbers_by_state(conn, [row["id"] for row in rows])
        return [{**with_effective_status(r, now), "by_state": counts[r["id"]]} for r in rows]

    def campaign(self, vdn_id: int, campaign_id: int) -> dict:
        now = self.clock()
        with self.store.read() as conn:
            row = campaign_store.get_campaign(conn, vdn_id, campaign_id)
            if row is None:
                raise CampaignNotFound()
            counts = overview_store.numbers_by_state(conn, [campaign_id])
        return {**with_effective_status(row, now), "by_state": counts[campaign_id]}

    def search_numbers(
        self, vdn_id: int, campaign_id: int, search: NumberSearch, after_id: int, limit: int
    ) -> list[dict]:
        with self.store.read() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            return overview_store.search_numbers(conn, campaign_id, search, after_id, limit)

    def outcomes_today(self, vdn_id: int, campaign_id: int) -> list[tuple[str, str | None, int]]:
        """Today's call results of the campaign (in settings.zone) by callStatus and failCode."""
        day_from, day_until = day_bounds(self.clock(), self.settings.zone)
        with self.store.read() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            return overview_store.outcomes(conn, campaign_id, day_from, day_until)
