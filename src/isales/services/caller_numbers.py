"""Use cases: a campaign's calling numbers (docs/api.md#calling-numbers).

A v1 campaign stores its ``callerNo`` as one String, a v2 campaign as a list of
``{accessCode, priority}``. Adding or deleting works on the list form: a v1 campaign's
String becomes the list's first entry ``{"accessCode": <String>, "priority": null}`` when the
list is written (entries are stored as a v2 create stores them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..errors import (
    CallerNumbersFull,
    CampaignNotFound,
    DuplicateNumbers,
    ErrorCode,
    InvalidParameter,
    LastCallerNumber,
)
from ..store import Store
from ..store import caller_numbers as caller_store
from ..store import campaigns as campaign_store

CallerList = list[dict[str, Any]]


def as_list(caller_no: str | CallerList) -> CallerList:
    if isinstance(caller_no, str):
        return [{"accessCode": caller_no, "priority": None}]
    return list(caller_no)


def _refuse_duplicates(codes: list[str]) -> None:
    duplicates = sorted(code for code, times in Counter(codes).items() if times > 1)
    if duplicates:
        raise DuplicateNumbers(f"duplicate numbers in the request: {', '.join(duplicates)}")


class CallerNumberService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def _change(
        self, vdn_id: int, campaign_id: int, edit: Callable[[CallerList], CallerList]
    ) -> CallerList:
        """Read-modify-write of the list under the campaign row lock."""
        now = self.clock()
        with self.store.write() as conn:
            campaign = campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update")
            if campaign is None:
                raise CampaignNotFound()
            updated = edit(as_list(campaign["caller_no"]))
            caller_store.set_caller_numbers(conn, vdn_id, campaign_id, updated, now)
            return updated

    def add(self, vdn_id: int, campaign_id: int, entries: CallerList) -> CallerList:
        """Append calling numbers; each must be new to the campaign. Returns the new list."""
        codes = [entry["accessCode"] for entry in entries]
        _refuse_duplicates(codes)
        limit = self.settings.caller_numbers_max_total

        def edit(current: CallerList) -> CallerList:
            present = {entry["accessCode"] for entry in current}
            again = [code for code in codes if code in present]
            if again:
                raise DuplicateNumbers(
                    f"already calling numbers of the campaign: {', '.join(again)}"
                )
            if len(current) + len(entries) > limit:
                raise CallerNumbersFull(
                    f"the campaign has {len(current)} calling numbers; adding {len(entries)} "
                    f"would exceed the limit of {limit}"
                )
            return current + entries

        return self._change(vdn_id, campaign_id, edit)

    def delete(self, vdn_id: int, campaign_id: int, codes: list[str]) -> CallerList:
        """Remove calling numbers; each must be one of the campaign's, one must remain."""
        _refuse_duplicates(codes)

        def edit(current: CallerList) -> CallerList:
            present = {entry["accessCode"] for entry in current}
            unknown = [code for code in codes if code not in present]
            if unknown:
                raise InvalidParameter(
                    ErrorCode.PARAMETER_ERROR,
                    f"not calling numbers of the campaign: {', '.join(unknown)}",
                )
            remaining = [entry for entry in current if entry["accessCode"] not in set(codes)]
            if not remaining:
                raise LastCallerNumber()
            return remaining

        return self._change(vdn_id, campaign_id, edit)
