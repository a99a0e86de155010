"""Use cases: campaign templates (docs/api.md#campaign-templates).

A template holds a campaign's settings (device, calling numbers, ringing time, schedule,
IVR/skill, policies, callback URL), never its times or numbers. Copying takes them from a
campaign or from another template of the VDN. Ids given and answered are API ids
(``domain.templates``).
"""

from __future__ import annotations

from typing import Any, cast

from ..clock import Clock
from ..config import Settings
from ..domain.templates import INIT_STATUS, SETUP_COLUMNS, template_api_id, template_row_id
from ..errors import (
    ErrorCode,
    InvalidParameter,
    TemplateNameTaken,
    TemplateNotFound,
    TemplateSourceNotFound,
)
from ..store import Store
from ..store import campaigns as campaign_store
from ..store import templates as template_store
from . import callback_targets


class TemplateService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    def _check_callback(self, columns: dict[str, Any]) -> None:
        """A template's callBackUrl becomes a campaign's: the same target rule applies."""
        if columns.get("call_back_url"):
            callback_targets.refuse_unsafe(
                columns["call_back_url"], self.settings.callback_allow_private
            )

    def create(self, vdn_id: int, columns: dict[str, Any]) -> int:
        self._check_callback(columns)
        now = self.clock()
        with self.store.write() as conn:
            if template_store.name_taken(conn, vdn_id, columns["name"]):
                raise TemplateNameTaken()
            row_id = template_store.insert_template(
                conn, {**columns, "vdn_id": vdn_id, "created_at": now, "updated_at": now}
            )
        return template_api_id(row_id)

    def update(self, vdn_id: int, template_id: int, columns: dict[str, Any]) -> None:
        """Replace a template's settings; its device type and status stay (``initStatus`` is
        ignored, as on campaign modify)."""
        self._check_callback(columns)
        row_id = template_row_id(template_id)
        with self.store.write() as conn:
            current = None if row_id is None else template_store.get_template(conn, vdn_id, row_id)
            if current is None:
                raise TemplateNotFound()
            if columns["device_type"] != current["device_type"]:
                raise InvalidParameter(
                    ErrorCode.WRONG_VALUE,
                    "deviceType cannot change after the template is created",
                )
            if template_store.name_taken(conn, vdn_id, columns["name"], row_id):
                raise TemplateNameTaken()
            values = {k: v for k, v in columns.items() if k != "status"}
            values["updated_at"] = self.clock()
            if not template_store.update_template(
                conn, vdn_id, cast(int, row_id), current["device_type"], values
            ):
                raise TemplateNotFound()

    def copy(self, vdn_id: int, body: dict[str, Any]) -> int:
        """A new template with the settings of campaign or template ``body["source"]``."""
        now = self.clock()
        with self.store.write() as conn:
            source = _source(conn, vdn_id, body["source"])
            # the source's URL may predate today's target rule: a copy sets it anew
            self._check_callback(source)
            if template_store.name_taken(conn, vdn_id, body["name"]):
                raise TemplateNameTaken()
            values = {
                **{column: source[column] for column in SETUP_COLUMNS},
                "vdn_id": vdn_id,
                "name": body["name"],
                "description": body["description"],
                "status": int(INIT_STATUS[body["initStatus"] or 0]),
                "created_at": now,
                "updated_at": now,
            }
            row_id = template_store.insert_template(conn, values)
        return template_api_id(row_id)

    def list(
        self,
        vdn_id: int,
        status: int,
        name: str | None,
        device_type: int | None,
        offset: int,
        limit: int,
    ) -> tuple[int, list[dict]]:
        with self.store.read() as conn:
            total, rows = template_store.list_templates(
                conn, vdn_id, status, name, device_type, offset, limit
            )
        return total, [_with_api_id(row) for row in rows]

    def get(self, vdn_id: int, template_id: int) -> dict:
        row_id = template_row_id(template_id)
        with self.store.read() as conn:
            row = None if row_id is None else template_store.get_template(conn, vdn_id, row_id)
        if row is None:
            raise TemplateNotFound()
        return _with_api_id(row)


def _with_api_id(row: dict) -> dict:
    return {**row, "id": template_api_id(row["id"])}


def _source(conn: Any, vdn_id: int, source_id: int) -> dict:
    """The campaign or the template (by its API id) ``from`` names."""
    row_id = template_row_id(source_id)
    if row_id is None:
        found = campaign_store.get_campaign(conn, vdn_id, source_id)
    else:
        found = template_store.get_template(conn, vdn_id, row_id)
    if found is None:
        raise TemplateSourceNotFound()
    return found
