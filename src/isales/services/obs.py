"""Use cases of the remaining dialer-facing interfaces: mid-results and holidays.

The rules: docs/api.md, "More dialer-facing interfaces".
"""

from __future__ import annotations

from datetime import UTC, timedelta

from ..clock import Clock
from ..config import Settings
from ..domain import reservations, schedule
from ..errors import DialerCode, DialerRefused
from ..store import Store
from ..store import campaigns as campaign_store
from ..store import leases as lease_store
from ..store import special_dates as special_date_store
from . import contacts


class ObsService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def mid_result(self, vdn_id: int, owner: str, campaign_id: int, unique_id: int) -> None:
        """A call still in progress: its claim's lease starts again (guarded).

        Refused (``"2"``) unless the number or reserved call is *calling* under this key's
        unexpired lease, in a campaign of the VDN.
        """
        now = self.clock()
        until = now + timedelta(seconds=self.settings.lease_seconds)
        with self.store.write() as conn:
            campaign = campaign_store.get_campaign(conn, vdn_id, campaign_id)
            renewed = campaign is not None and (
                lease_store.renew_reservation(
                    conn, campaign_id, reservations.row_id(unique_id) or 0, owner, now, until
                )
                if reservations.is_appoint_id(unique_id)
                else lease_store.renew_number(conn, campaign_id, unique_id, owner, now, until)
            )
            if renewed:
                # the call is known to be dialled: a lapse keeps its attempt counted
                contacts.dialled(conn, unique_id, campaign_id, until)
        if not renewed:
            raise DialerRefused(
                DialerCode.NOT_CALLING, "nothing is being called under this key's claim there"
            )

    def is_holiday(self, vdn_id: int, campaign_id: int) -> bool:
        """Whether today (``ISALES_TIMEZONE``) is a special date of the campaign."""
        now = self.clock()
        with self.store.read() as conn:
            if campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise DialerRefused(DialerCode.INVALID_REQUEST, "holidayId: no such campaign")
            specials = special_date_store.list_for_campaign(conn, campaign_id)
        today = now.replace(tzinfo=UTC).astimezone(self.settings.zone).date()
        return schedule.is_special(today, specials)
