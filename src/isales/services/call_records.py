"""Use cases: call records of a call and fail-category statistics of a campaign."""

from __future__ import annotations

from datetime import date, timedelta

from ..clock import Clock
from ..config import Settings
from ..domain.days import day_start, local_date
from ..errors import CampaignNotFound, NumberNotFound
from ..store import Store
from ..store import campaigns as campaign_store
from ..store import results as result_store


class CallRecordService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def records(self, vdn_id: int, call_id: str) -> list[dict]:
        """The dialogue turns of a call of the VDN.

        isales runs no IVR, so no call has turns to transcribe: a known call has none.
        """
        with self.store.read() as conn:
            if result_store.result_by_call_id(conn, vdn_id, call_id) is None:
                raise NumberNotFound("no call with this callId in this VDN")
        return []

    def fail_categories(
        self, vdn_id: int, campaign_id: int, days: tuple[date, date] | None
    ) -> list[tuple[date, dict[str, int]]]:
        """Failed attempts by failCode, per local day (``ISALES_TIMEZONE``); today if no days."""
        zone = self.settings.zone
        if days is None:
            today = local_date(self.clock(), zone)
            days = (today, today)
        first, last = days
        with self.store.read() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            result = []
            day = first
            while day <= last:
                following = day + timedelta(days=1)
                counts = result_store.fail_counts(
                    conn, campaign_id, day_start(day, zone), day_start(following, zone)
                )
                result.append((day, counts))
                day = following
        return result
