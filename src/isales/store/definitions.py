"""Business-result definitions and display results of VDNs.

The rules: docs/api.md#business-result-definitions-and-display-results.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from ..errors import DefinitionTaken
from .conflict import inserted_id
from .schema import business_results, display_result_codes, display_results

#: ``parent_id`` of a top-level business result
TOP = 0

# --- business results --------------------------------------------------------------------------


def insert_business_result(conn: Connection, values: dict[str, Any]) -> int:
    """A code already used among the siblings (a concurrent add) is ``DefinitionTaken``."""
    try:
        with conn.begin_nested():
            return inserted_id(conn.execute(insert(business_results).values(**values)))
    except IntegrityError as exc:
        raise DefinitionTaken(f"code {values['code']} is already defined in this VDN") from exc


def count_business_results(conn: Connection, vdn_id: int) -> int:
    """Top-level definitions of the VDN."""
    return conn.execute(
        select(func.count())
        .select_from(business_results)
        .where(business_results.c.vdn_id == vdn_id, business_results.c.parent_id == TOP)
    ).scalar_one()


def find_business_result(conn: Connection, vdn_id: int, code: str) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(business_results).where(
                business_results.c.vdn_id == vdn_id,
                business_results.c.parent_id == TOP,
                business_results.c.code == code,
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def children_of(conn: Connection, parent_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {parent_id: [] for parent_id in parent_ids}
    rows = conn.execute(
        select(business_results)
        .where(business_results.c.parent_id.in_(parent_ids))
        .order_by(business_results.c.id)
    ).mappings()
    for row in rows:
        found[row["parent_id"]].append(dict(row))
    return found


def business_results_page(
    conn: Connection, vdn_id: int, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    rows = conn.execute(
        select(business_results)
        .where(business_results.c.vdn_id == vdn_id, business_results.c.parent_id == TOP)
        .order_by(business_results.c.id)
        .offset(offset)
        .limit(limit)
    ).mappings()
    return count_business_results(conn, vdn_id), [dict(row) for row in rows]


# --- display results ---------------------------------------------------------------------------


def insert_display_result(
    conn: Connection,
    vdn_id: int,
    result_code: str | None,
    display_result: str,
    fail_codes: list[str],
    now: datetime,
) -> int:
    """A resultCode or failCode already used in the VDN (a concurrent create) is
    ``DefinitionTaken``."""
    try:
        with conn.begin_nested():
            def_id = inserted_id(
                conn.execute(
                    insert(display_results).values(
                        vdn_id=vdn_id,
                        result_code=result_code,
                        display_result=display_result,
                        created_at=now,
                    )
                )
            )
            if fail_codes:
                conn.execute(
                    insert(display_result_codes),
                    [{"def_id": def_id, "vdn_id": vdn_id, "fail_code": c} for c in fail_codes],
                )
            return def_id
    except IntegrityError as exc:
        raise DefinitionTaken("resultCode or a failCode is already used in this VDN") from exc


def count_display_results(conn: Connection, vdn_id: int) -> int:
    return conn.execute(
        select(func.count()).select_from(display_results).where(display_results.c.vdn_id == vdn_id)
    ).scalar_one()


def result_code_taken(conn: Connection, vdn_id: int, result_code: str) -> bool:
    query = select(display_results.c.id).where(
        display_results.c.vdn_id == vdn_id, display_results.c.result_code == result_code
    )
    return conn.execute(query.limit(1)).first() is not None


def mapped_fail_codes(conn: Connection, vdn_id: int, fail_codes: list[str]) -> list[str]:
    """Those of ``fail_codes`` another display result of the VDN already shows."""
    rows = conn.execute(
        select(display_result_codes.c.fail_code).where(
            display_result_codes.c.vdn_id == vdn_id,
            display_result_codes.c.fail_code.in_(fail_codes),
        )
    )
    return sorted(row.fail_code for row in rows)


def get_display_result(conn: Connection, vdn_id: int, def_id: int) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(display_results).where(
                display_results.c.id == def_id, display_results.c.vdn_id == vdn_id
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def codes_of(conn: Connection, def_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(display_result_codes)
        .where(display_result_codes.c.def_id == def_id)
        .order_by(display_result_codes.c.id)
    ).mappings()
    return [dict(row) for row in rows]


def display_results_page(
    conn: Connection, vdn_id: int, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    rows = conn.execute(
        select(display_results)
        .where(display_results.c.vdn_id == vdn_id)
        .order_by(display_results.c.id)
        .offset(offset)
        .limit(limit)
    ).mappings()
    return count_display_results(conn, vdn_id), [dict(row) for row in rows]


def delete_display_result(conn: Connection, vdn_id: int, def_id: int) -> bool:
    conn.execute(
        delete(display_result_codes).where(
            display_result_codes.c.def_id == def_id, display_result_codes.c.vdn_id == vdn_id
        )
    )
    removed = conn.execute(
        delete(display_results).where(
            display_results.c.id == def_id, display_results.c.vdn_id == vdn_id
        )
    ).rowcount
    return removed == 1


def shown_codes(conn: Connection, vdn_id: int, fail_codes: set[str]) -> dict[str, str]:
    """{failCode: resultCode} of the VDN's display results that show these failCodes."""
    if not fail_codes:
        return {}
    rows = conn.execute(
        select(display_result_codes.c.fail_code, display_results.c.result_code)
        .join(display_results, display_results.c.id == display_result_codes.c.def_id)
        .where(
            display_result_codes.c.vdn_id == vdn_id,
            display_result_codes.c.fail_code.in_(sorted(fail_codes)),
            display_results.c.result_code.is_not(None),
        )
    )
    return {row.fail_code: row.result_code for row in rows}
