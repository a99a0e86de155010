"""Reads for the console: what an operator needs at a glance, confined to a VDN."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..domain.days import day_bounds
from ..errors import CampaignNotFound
from ..store import Store
from ..store import agents as agent_store
from ..store import campaigns as campaign_store
from ..store import overview as overview_store
from ..store.overview import NumberSearch
from .campaigns import with_effective_status
from .statistics import CampaignAbandon, abandon_counts, campaign_abandon

#: the spans the live page counts ended calls over (docs/console.md, "Live")
PACE_SPANS = (timedelta(minutes=1), timedelta(minutes=15))


@dataclass(frozen=True)
class CampaignLive:
    """What the console's live page shows of a campaign now, read in one transaction."""

    now: datetime
    #: the campaign row with its effective status
    campaign: dict[str, Any]
    agent_total: int
    #: the first agents (store/agents rows: ``effective`` state, ``state_since``)
    agents: list[dict[str, Any]]
    #: numbers in state calling: how many, and the first of them
    calling_total: int
    calling: list[dict[str, Any]]
    abandon: CampaignAbandon
    #: call results reported in each of PACE_SPANS before ``now``
    ended: tuple[int, ...]


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

    def live(self, vdn_id: int, campaign_id: int, agents: int, calling: int) -> CampaignLive:
        """The campaign's agents, calls in progress, abandon rate and pace, now: each read
        is one index range, so the page can ask for it every few seconds."""
        now = self.clock()
        with self.store.read() as conn:
            row = campaign_store.get_campaign(conn, vdn_id, campaign_id)
            if row is None:
                raise CampaignNotFound()
            agent_total, agent_rows = agent_store.page(conn, vdn_id, campaign_id, 0, agents, now)
            calling_total, calling_rows = overview_store.calling_numbers(conn, campaign_id, calling)
            figures = abandon_counts(conn, [campaign_id], now)[campaign_id]
            ended = overview_store.results_reported(conn, campaign_id, now, PACE_SPANS)
        return CampaignLive(
            now,
            with_effective_status(row, now),
            agent_total,
            agent_rows,
            calling_total,
            calling_rows,
            campaign_abandon(dict(row), figures),
            ended,
        )
