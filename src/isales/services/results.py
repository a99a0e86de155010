"""Use cases: call-result queries (reference §3.1, §3.2)."""

from __future__ import annotations

from ..clock import Clock
from ..config import Settings
from ..errors import CampaignNotFound, NumberNotFound
from ..store import Store
from ..store import campaigns as campaign_store
from ..store import results as result_store
from ..store.results import ResultFilter


class ResultService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def query(
        self, vdn_id: int, campaign_id: int, result_filter: ResultFilter, offset: int, limit: int
    ) -> tuple[int, list[dict]]:
        """(total matching, one page) of a campaign's results; the campaign must be the VDN's."""
        with self.store.read() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            return result_store.result_page(conn, campaign_id, result_filter, offset, limit)

    def detail(self, vdn_id: int, call_id: str) -> dict:
        with self.store.read() as conn:
            row = result_store.result_by_call_id(conn, vdn_id, call_id)
        if row is None:
            raise NumberNotFound("no call result with this callId in this VDN")
        return row
