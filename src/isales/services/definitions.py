"""Use cases: business-result definitions and display results of a VDN.

The rules: docs/api.md#business-result-definitions-and-display-results.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..errors import DefinitionTaken, DisplayResultNotFound, TooManyDefinitions
from ..store import Store
from ..store import definitions as definition_store
from ..store.definitions import TOP

#: definitions of each kind one VDN may hold (decision: Huawei states no limit)
MAX_PER_VDN = 1000


def new_code() -> str:
    """The code of a definition added without one (letters and digits, like a given code)."""
    return "BR" + uuid.uuid4().hex[:12].upper()


class DefinitionService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock

    # --- business results ------------------------------------------------------------------

    def add_business_result(self, vdn_id: int, result: dict[str, Any]) -> str:
        """Add a result with its children; returns the result's code."""
        now = self.clock()
        code = result["code"] or new_code()
        with self.store.write() as conn:
            if definition_store.find_business_result(conn, vdn_id, code) is not None:
                raise DefinitionTaken(f"code {code} is already defined in this VDN")
            if definition_store.count_business_results(conn, vdn_id) >= MAX_PER_VDN:
                raise TooManyDefinitions(
                    f"the VDN already has {MAX_PER_VDN} business results defined"
                )
            parent_id = definition_store.insert_business_result(
                conn, _definition(vdn_id, TOP, result, code, now)
            )
            for child in result["children"] or []:
                definition_store.insert_business_result(
                    conn, _definition(vdn_id, parent_id, child, child["code"] or new_code(), now)
                )
        return code

    def business_results(
        self, vdn_id: int, page: int, page_size: int
    ) -> tuple[int, list[tuple[dict, list[dict]]]]:
        with self.store.read() as conn:
            total, rows = definition_store.business_results_page(
                conn, vdn_id, (page - 1) * page_size, page_size
            )
            children = definition_store.children_of(conn, [row["id"] for row in rows])
        return total, [(row, children[row["id"]]) for row in rows]

    # --- display results -------------------------------------------------------------------

    def create_display_result(
        self, vdn_id: int, result_code: str | None, display_result: str, fail_codes: list[str]
    ) -> int:
        now = self.clock()
        with self.store.write() as conn:
            if result_code is not None and definition_store.result_code_taken(
                conn, vdn_id, result_code
            ):
                raise DefinitionTaken(f"resultCode {result_code} is already used in this VDN")
            mapped = definition_store.mapped_fail_codes(conn, vdn_id, fail_codes)
            if mapped:
                raise DefinitionTaken(
                    f"failCodes already shown by another display result: {', '.join(mapped)}"
                )
            if definition_store.count_display_results(conn, vdn_id) >= MAX_PER_VDN:
                raise TooManyDefinitions(f"the VDN already has {MAX_PER_VDN} display results")
            return definition_store.insert_display_result(
                conn, vdn_id, result_code, display_result, fail_codes, now
            )

    def display_results(self, vdn_id: int, page: int, page_size: int) -> tuple[int, list[dict]]:
        with self.store.read() as conn:
            return definition_store.display_results_page(
                conn, vdn_id, (page - 1) * page_size, page_size
            )

    def display_result(self, vdn_id: int, def_id: int) -> tuple[dict, list[dict]]:
        with self.store.read() as conn:
            row = definition_store.get_display_result(conn, vdn_id, def_id)
            if row is None:
                raise DisplayResultNotFound()
            return row, definition_store.codes_of(conn, def_id)

    def delete_display_result(self, vdn_id: int, def_id: int) -> None:
        with self.store.write() as conn:
            if not definition_store.delete_display_result(conn, vdn_id, def_id):
                raise DisplayResultNotFound()


def _definition(
    vdn_id: int, parent_id: int, values: dict, code: str, now: datetime
) -> dict[str, Any]:
    return {
        "vdn_id": vdn_id,
        "parent_id": parent_id,
        "name": values["name"],
        "code": code,
        "description": values["description"],
        "created_at": now,
    }
