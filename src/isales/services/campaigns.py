"""Campaign use cases: create, modify, read, list, pause, resume, delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from .. import events
from ..clock import Clock
from ..config import Settings
from ..domain import states
from ..domain.states import CampaignStatus
from ..errors import (
    BeginTimeInPast,
    CampaignEnded,
    CampaignNameTaken,
    CampaignNotFound,
    CampaignStillStarted,
    ErrorCode,
    InvalidParameter,
    LegalHold,
    StateForbidsTransition,
)
from ..store import Store, audit
from ..store import batches as batch_store
from ..store import campaigns as campaign_store
from ..store import holds as hold_store
from ..store import special_dates as special_date_store
from . import callback_targets, contacts
from . import campaign_numbers as owner


@dataclass(frozen=True)
class CampaignPage:
    total: int
    rows: list[dict[str, Any]]
    active_by_device: dict[int, int]


def with_effective_status(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {**row, "status": states.effective_status(row["status"], row["end_time"], now)}


class CampaignService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def _check_callback(self, values: dict[str, Any]) -> None:
        if values.get("call_back_url"):
            callback_targets.refuse_unsafe(
                values["call_back_url"], self.settings.callback_allow_private
            )

    def _check_begin_time(self, values: dict[str, Any], now: datetime) -> None:
        if values["begin_time"] < datetime.combine(now.date(), time.min):
            raise BeginTimeInPast()

    def create(
        self, vdn_id: int, values: dict[str, Any], init_status: int, api_version: int
    ) -> int:
        now = self.clock()
        self._check_begin_time(values, now)
        self._check_callback(values)
        row = {
            **values,
            "vdn_id": vdn_id,
            "status": int(states.INIT_STATUS[init_status]),
            "api_version": api_version,
            "created_at": now,
            "updated_at": now,
        }
        with self.store.write() as conn:
            if campaign_store.name_taken(conn, vdn_id, values["name"]):
                raise CampaignNameTaken()
            contacts.check_campaign_policy(conn, vdn_id, values.get("contact_policy"))
            campaign_id = campaign_store.insert_campaign(conn, row)
        events.campaign_status_changed(vdn_id, campaign_id, "create", row["status"])
        return campaign_id

    def modify(
        self, vdn_id: int, campaign_id: int, values: dict[str, Any], api_version: int
    ) -> None:
        now = self.clock()
        self._check_callback(values)
        with self.store.write() as conn:
            current = campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update")
            if current is None:
                raise CampaignNotFound()
            status = states.effective_status(current["status"], current["end_time"], now)
            if not states.may_modify_campaign(status):
                raise CampaignEnded()
            if values["device_type"] != current["device_type"]:
                raise InvalidParameter(
                    ErrorCode.WRONG_VALUE, "deviceType cannot change after the campaign is created"
                )
            self._check_begin_time(values, now)
            if campaign_store.name_taken(conn, vdn_id, values["name"], except_id=campaign_id):
                raise CampaignNameTaken()
            contacts.check_campaign_policy(conn, vdn_id, values.get("contact_policy"))
            campaign_store.update_campaign(
                conn, vdn_id, campaign_id, {**values, "api_version": api_version, "updated_at": now}
            )

    def get(self, vdn_id: int, campaign_id: int) -> dict[str, Any]:
        now = self.clock()
        with self.store.read() as conn:
            row = campaign_store.get_campaign(conn, vdn_id, campaign_id)
        if row is None:
            raise CampaignNotFound()
        return with_effective_status(row, now)

    def list(
        self,
        vdn_id: int,
        *,
        name: str | None,
        status: CampaignStatus | None,
        device_type: int | None,
        begin_from: datetime | None,
        end_until: datetime | None,
        page: int,
        rows_per_page: int,
    ) -> CampaignPage:
        now = self.clock()
        with self.store.read() as conn:
            total, rows = campaign_store.list_campaigns(
                conn,
                vdn_id,
                now,
                name=name,
                status=status,
                device_type=device_type,
                begin_from=begin_from,
                end_until=end_until,
                offset=(page - 1) * rows_per_page,
                limit=rows_per_page,
            )
            active = campaign_store.count_active_by_device(conn, vdn_id, now)
        return CampaignPage(total, [with_effective_status(r, now) for r in rows], active)

    def _transition(self, vdn_id: int, campaign_id: int, operation: str) -> None:
        source, target = states.CAMPAIGN_TRANSITIONS[operation]
        now = self.clock()
        with self.store.write() as conn:
            changed = campaign_store.change_status(conn, vdn_id, campaign_id, source, target, now)
            if not changed and campaign_store.get_campaign(conn, vdn_id, campaign_id) is None:
                raise CampaignNotFound()
        if changed:
            events.campaign_status_changed(vdn_id, campaign_id, operation, target)
            return
        raise StateForbidsTransition(f"the current state does not allow {operation}")

    def pause(self, vdn_id: int, campaign_id: int) -> None:
        self._transition(vdn_id, campaign_id, "pause")

    def resume(self, vdn_id: int, campaign_id: int) -> None:
        self._transition(vdn_id, campaign_id, "resume")

    def delete(
        self, vdn_id: int, campaign_id: int, archive: bool, access_key: str, request_id: str
    ) -> int:
        """Delete a campaign that is not executing and has no call in progress.

        Its numbers go to history (``archive``) or are removed; call results are kept.
        Returns how many numbers were moved or removed.
        """
        now = self.clock()
        with self.store.write() as conn:
            row = campaign_store.get_campaign(conn, vdn_id, campaign_id, lock="update")
            if row is None:
                raise CampaignNotFound()
            if hold_store.is_held(conn, vdn_id, campaign_id):
                raise LegalHold("the campaign is under a legal hold; release it before deleting")
            status = states.effective_status(row["status"], row["end_time"], now)
            if not states.may_delete_campaign(status):
                raise CampaignStillStarted()
            owner.release_lapsed(conn, now, campaign_id)
            if owner.calling(conn, campaign_id):
                raise CampaignStillStarted(
                    "the outbound campaign still has calls in progress; retry when they end"
                )
            removed = owner.remove_all(
                conn,
                campaign_id,
                archive=archive,
                actor=access_key,
                request_id=request_id,
                now=now,
                operation="campaign-delete",
            )
            special_date_store.delete_for_campaign(conn, campaign_id)
            batch_store.delete_for_campaign(conn, campaign_id)
            campaign_store.delete_campaign_row(conn, campaign_id)
            audit.record(
                conn,
                actor=access_key,
                operation="campaign-delete",
                vdn=vdn_id,
                request_id=request_id,
                detail={"campaignId": campaign_id, "archiveHistory": archive, "numbers": removed},
                at=now,
            )
        events.campaign_deleted(vdn_id, campaign_id, removed, archive)
        return removed
