"""Use cases: special dates (holidays) of a campaign (docs/api.md#special-dates).

The built-in dialer reads them with ``store.special_dates.list_for_campaign``.
"""

from __future__ import annotations

from typing import Any

from ..clock import Clock
from ..config import Settings
from ..errors import (
    CampaignNotFound,
    ErrorCode,
    InvalidParameter,
    SpecialDateNameTaken,
    SpecialDateNotFound,
)
from ..store import Store
from ..store import campaigns as campaign_store
from ..store import special_dates as special_date_store

#: a campaign holds fewer than this many special dates
MAX_PER_CAMPAIGN = 20


class SpecialDateService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def add(self, vdn_id: int, campaign_id: int, values: dict[str, Any]) -> int:
        now = self.clock()
        with self.store.write() as conn:
            # the row lock serialises adds to one campaign: the name and count checks are exact
            if campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update") is None:
                raise CampaignNotFound()
            if special_date_store.name_taken(conn, campaign_id, values["name"]):
                raise SpecialDateNameTaken()
            held = special_date_store.count_for_campaign(conn, campaign_id)
            if held >= MAX_PER_CAMPAIGN - 1:
                raise InvalidParameter(
                    ErrorCode.TOO_MANY_PARAMETERS,
                    f"the campaign already has {held} special dates; fewer than "
                    f"{MAX_PER_CAMPAIGN} are allowed",
                )
            return special_date_store.insert_special_date(conn, campaign_id, values, now)

    def list(self, vdn_id: int, campaign_id: int) -> list[dict]:
        with self.store.read() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
            return special_date_store.list_for_campaign(conn, campaign_id)

    def delete(self, vdn_id: int, campaign_id: int, name: str | None, date_id: int | None) -> None:
        with self.store.write() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update") is None:
                raise CampaignNotFound()
            if special_date_store.delete_special_date(conn, campaign_id, name, date_id) == 0:
                raise SpecialDateNotFound()
