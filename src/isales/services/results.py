"""Use cases: call-result queries (docs/api.md#call-results)."""

from __future__ import annotations

from typing import Any

from ..clock import Clock
from ..config import Settings
from ..errors import CampaignNotFound, NumberNotFound
from ..store import Store
from ..store import campaigns as campaign_store
from ..store import definitions as definition_store
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
            total, rows = result_store.result_page(conn, campaign_id, result_filter, offset, limit)
            return total, _with_display_codes(conn, vdn_id, rows)

    def detail(self, vdn_id: int, call_id: str) -> dict:
        with self.store.read() as conn:
            row = result_store.result_by_call_id(conn, vdn_id, call_id)
            if row is None:
                raise NumberNotFound("no call result with this callId in this VDN")
            return _with_display_codes(conn, vdn_id, [row])[0]


def _with_display_codes(conn: Any, vdn_id: int, rows: list[dict]) -> list[dict]:
    """Each row with ``display_code``: the resultCode a display result of the VDN shows for
    its failCode, if one does."""
    shown = definition_store.shown_codes(
        conn, vdn_id, {r["fail_code"] for r in rows if r["fail_code"]}
    )
    return [{**row, "display_code": shown.get(row["fail_code"])} for row in rows]
