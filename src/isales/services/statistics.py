"""Use cases: today's statistics per campaign and batch (docs/api.md, "Today's statistics")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from ..clock import Clock
from ..config import Settings
from ..domain.days import day_bounds
from ..errors import CampaignNotFound, FlowControlled
from ..store import Store
from ..store import agents as agent_store
from ..store import campaigns as campaign_store
from ..store import statistics as statistics_store


@dataclass(frozen=True)
class CampaignCounts:
    """Raw counters of one campaign (``store.statistics``), and of one batch if asked."""

    campaign_id: int
    counts: dict[str, int]
    batch: dict[str, int] | None
    #: the campaign's agents by public state (domain/agents.public_state)
    agents: dict[str, int] = field(default_factory=dict)


class StatisticsService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def today(
        self, vdn_id: int, campaign_id: int | None, batch_id: str | None
    ) -> list[CampaignCounts]:
        """Counters of one campaign of the VDN (or all of them), "today" in settings.zone.

        With flow control on, a (VDN, campaignId) pair answers at most once per
        ``statistics_min_interval_seconds``; the mark lives in the store, so it holds across
        processes, and moves only when the statistics are answered.
        """
        now = self.clock()
        zone = self.settings.zone
        day_from, day_until = day_bounds(now, zone)
        flow_control = self.settings.statistics_flow_control_enabled
        with self.store.write() if flow_control else self.store.read() as conn:
            if campaign_id is None:
                ids = statistics_store.campaign_ids(conn, vdn_id)
            elif campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            else:
                ids = [campaign_id]
            if flow_control:
                key = f"statistics:{vdn_id}:{campaign_id or '*'}"
                gap = timedelta(seconds=self.settings.statistics_min_interval_seconds)
                if not statistics_store.take_flow_mark(conn, key, now, now - gap):
                    raise FlowControlled()
            totals = statistics_store.counts(conn, ids, None, day_from, day_until)
            batches = {}
            if batch_id is not None:
                batches = statistics_store.counts(conn, ids, batch_id, day_from, day_until)
            agents: dict[int, dict[str, int]] = {}
            for _, agent_campaign, state, n in agent_store.counts_by_state(conn, now, vdn_id):
                if agent_campaign is not None:
                    agents.setdefault(agent_campaign, {})[state] = n
        return [
            CampaignCounts(cid, totals[cid], batches.get(cid), agents.get(cid, {})) for cid in ids
        ]
