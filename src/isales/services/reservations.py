"""Use cases: reserved ("appointment") calls (docs/api.md, "Reserved calls").

A reservation belongs to a campaign of the VDN. The built-in dialer (and any dialer using
``callnos``) receives it at ``due_at`` — its time, or 5 minutes earlier for an automatic
call — ahead of the campaign's numbers; see ``DialerService.claim``.
"""

from __future__ import annotations

from typing import Any

from ..clock import Clock
from ..config import Settings
from ..domain.reservations import MANUAL, due_at, row_id
from ..errors import (
    Blacklisted,
    CampaignNotFound,
    ErrorCode,
    InvalidParameter,
    ReservationExecuted,
    ReservationNotFound,
)
from ..store import Store
from ..store import campaigns as campaign_store
from ..store import reservations as reservation_store
from ..store import suppressions as suppression_store
from . import contacts


class ReservationService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def create(self, vdn_id: int, request: dict[str, Any]) -> int:
        """The new reservation's row id; its campaign must exist in the VDN (0200007)."""
        now = self.clock()
        with self.store.write() as conn:
            campaign = (
                None
                if request["campaign_id"] is None
                else campaign_store.get_campaign(conn, vdn_id, request["campaign_id"])
            )
            if campaign is None:
                raise CampaignNotFound(f"taskId {request['task_id']}: no such outbound campaign")
            if suppression_store.suppressed(conn, vdn_id, [request["called"]], now):
                raise Blacklisted("the number was erased from this VDN")
            keying = contacts.keying(
                conn, vdn_id, campaign, self.settings.zone_table.international_prefix
            )
            return reservation_store.create(
                conn,
                {
                    "vdn_id": vdn_id,
                    "campaign_id": request["campaign_id"],
                    "call_type": request["call_type"],
                    "called": request["called"],
                    "user_account": request["user_account"],
                    "work_no": request["work_no"],
                    "appoint_at": request["appoint_at"],
                    "due_at": due_at(request["appoint_at"], request["call_type"]),
                    "call_data": request["call_data"],
                    "remark": request["remark"],
                    "time_zone": self.settings.zone_table.key_for(request["called"]),
                    **keying.keys(request),
                    "state": reservation_store.PENDING,
                    "created_at": now,
                },
            )

    def _existing(self, conn: Any, vdn_id: int, appoint_id: str) -> dict:
        reservation_id = row_id(int(appoint_id))
        found = (
            reservation_store.get(conn, vdn_id, reservation_id)
            if reservation_id is not None
            else None
        )
        if found is None:
            raise ReservationNotFound(f"appointId {appoint_id}: no such reserved call")
        return found

    def delete(self, vdn_id: int, appoint_id: str) -> None:
        with self.store.write() as conn:
            found = self._existing(conn, vdn_id, appoint_id)
            if reservation_store.delete_pending(conn, vdn_id, found["id"]) == 0:
                raise ReservationExecuted(
                    f"appointId {appoint_id}: already executed or being dialled"
                )

    def modify(self, vdn_id: int, appoint_id: str, changes: dict[str, Any]) -> None:
        """Change a manual reserved call not yet dialled (Huawei: automatic ones cannot be)."""
        with self.store.write() as conn:
            found = self._existing(conn, vdn_id, appoint_id)
            if found["call_type"] != MANUAL:
                raise InvalidParameter(
                    ErrorCode.PARAMETER_ERROR, "an automatic reserved call cannot be modified"
                )
            values = {key: value for key, value in changes.items() if value is not None}
            if "appoint_at" in values:
                values["due_at"] = due_at(values["appoint_at"], found["call_type"])
            if values and reservation_store.change_pending(conn, vdn_id, found["id"], values) == 0:
                raise ReservationExecuted(
                    f"appointId {appoint_id}: already executed or being dialled"
                )

    def page(
        self, vdn_id: int, filters: dict[str, Any], offset: int, limit: int
    ) -> tuple[int, list[dict]]:
        now = self.clock()
        with self.store.read() as conn:
            total, rows = reservation_store.page(conn, vdn_id, filters, offset, limit)
        # Timed out: still waiting although its time has passed (the list's ``timeout``).
        for row in rows:
            row["timed_out"] = row["state"] == "pending" and row["appoint_at"] < now
        return total, rows

    def update_result(self, vdn_id: int, appoint_id: str, result: dict[str, Any]) -> None:
        """The agent's result of a (manual) reserved call; the reservation is then executed."""
        now = self.clock()
        with self.store.write() as conn:
            found = self._existing(conn, vdn_id, appoint_id)
            values = {key: value for key, value in result.items() if value is not None}
            reservation_store.record_result(
                conn, vdn_id, found["id"], {**values, "executed_at": now}
            )
