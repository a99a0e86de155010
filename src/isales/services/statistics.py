"""Use cases: today's statistics per campaign and batch (docs/api.md, "Today's statistics")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..domain import dialing, pacing
from ..domain.days import day_bounds
from ..errors import CampaignNotFound, FlowControlled
from ..store import Store
from ..store import agents as agent_store
from ..store import campaigns as campaign_store
from ..store import statistics as statistics_store
from ..wire.schemas.campaigns import effective


@dataclass(frozen=True)
class CampaignCounts:
    """Raw counters of one campaign (``store.statistics``), and of one batch if asked."""

    campaign_id: int
    counts: dict[str, int]
    batch: dict[str, int] | None
    #: live answers and abandoned calls over the campaign's ``abandonWindow``
    abandon: dict[str, int]
    #: the campaign's agents by public state (domain/agents.public_state)
    agents: dict[str, int] = field(default_factory=dict)

    @property
    def abandon_rate(self) -> float:
        """Abandoned calls as a share of live answers (a fraction)."""
        return pacing.abandon_rate(self.abandon["live_answers"], self.abandon["abandoned"])


@dataclass(frozen=True)
class CampaignAbandon:
    """One agent campaign's abandon figures over its ``abandonWindow``, for ``/metrics``."""

    vdn_id: int
    campaign_id: int
    live_answers: int
    abandoned: int
    #: abandoned calls in percent of live answers (as ``abandonCap`` is)
    rate: float
    over_cap: bool
    #: the campaign's ``abandonCap`` (percent) and ``abandonWindow`` (``24h``/``30d``)
    cap: float
    window: str


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
            abandon = abandon_counts(conn, ids, now)
            agents: dict[int, dict[str, int]] = {}
            for _, agent_campaign, state, n in agent_store.counts_by_state(conn, now, vdn_id):
                if agent_campaign is not None:
                    agents.setdefault(agent_campaign, {})[state] = n
        return [
            CampaignCounts(cid, totals[cid], batches.get(cid), abandon[cid], agents.get(cid, {}))
            for cid in ids
        ]

    def abandon_overview(self) -> list[CampaignAbandon]:
        """Every agent campaign that has not ended, with its abandon figures (``/metrics``)."""
        now = self.clock()
        with self.store.read() as conn:
            rows = statistics_store.live_agent_campaigns(conn, dialing.AGENT_MODES, now)
            counts = abandon_counts(conn, [row["id"] for row in rows], now)
        return [campaign_abandon(row, counts[row["id"]]) for row in rows]


def campaign_abandon(campaign: dict[str, Any], figures: dict[str, int]) -> CampaignAbandon:
    """A campaign's abandon figures (``abandon_counts``) against its own cap and window."""
    rate = 100 * pacing.abandon_rate(figures["live_answers"], figures["abandoned"])
    cap = effective(campaign["abandon_cap"], "abandonCap")
    return CampaignAbandon(
        campaign["vdn_id"],
        campaign["id"],
        figures["live_answers"],
        figures["abandoned"],
        round(rate, 4),
        bool(figures["abandoned"]) and rate >= cap,
        cap,
        effective(campaign["abandon_window"], "abandonWindow"),
    )


def abandon_counts(conn: Any, campaign_ids: list[int], now: datetime) -> dict[int, dict[str, int]]:
    """Live answers and abandoned calls of each campaign over its own ``abandonWindow``:
    one query per window length, each reading only its campaigns' window of results."""
    windows = statistics_store.abandon_windows(conn, campaign_ids)
    by_window: dict[str, list[int]] = {}
    for cid in campaign_ids:
        name = effective(windows.get(cid), "abandonWindow")
        by_window.setdefault(name, []).append(cid)
    counts: dict[int, dict[str, int]] = {}
    for name, ids in by_window.items():
        since = pacing.window_start(now, name)
        counts.update(statistics_store.abandon_counts(conn, ids, since))
    return counts
