"""Erasure (docs/api.md, "Erasure"): every row of a VDN that holds one number.

The statements match a number where each table keeps it: the ``called`` column, a v2
record's ``called_nos`` list, a callback's payload, a stored answer of an idempotency key,
a blacklist entry. Import files and their error reports are read in Python (the service),
because a file is CSV or XLSX and a report line is free text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, String, cast, delete, func, or_, select, update

from ..domain.states import NumberState
from .schema import (
    blacklist,
    blacklist_imports,
    call_results,
    callback_outbox,
    campaigns,
    idempotency_keys,
    import_tasks,
    number_history,
    numbers,
    reservations,
)

#: tables that keep uploaded files and their error reports: numbers and blacklist imports
FILE_TABLES = {"numbers": import_tasks, "blacklist": blacklist_imports}


def _json_holds(column, number: str):  # type: ignore[no-untyped-def]
    # JSON writes each string in quotes; the number's characters (0-9 * #) are not wildcards
    return cast(column, String).like(f'%"{number}"%')


def _matching(table, vdn_id: int, number: str) -> list[Any]:  # type: ignore[no-untyped-def]
    """WHERE of the rows of ``table`` in ``vdn_id`` that hold ``number``."""
    if table is numbers or table is number_history:
        held = or_(table.c.called == number, _json_holds(table.c.called_nos, number))
    elif table is call_results or table is reservations:
        held = table.c.called == number
    elif table is callback_outbox:
        held = _json_holds(table.c.payload, number)
    elif table is idempotency_keys:
        held = table.c.response_body.like(f'%"{number}"%')
    else:
        held = table.c.number == number
    return [table.c.vdn_id == vdn_id, held]


def lock_campaigns(conn: Connection, vdn_id: int) -> list[int]:
    """Lock every campaign of the VDN (id order): adds, imports, restores and claims wait."""
    return list(
        conn.execute(
            select(campaigns.c.id)
            .where(campaigns.c.vdn_id == vdn_id)
            .order_by(campaigns.c.id)
            .with_for_update()
        ).scalars()
    )


def campaigns_holding(conn: Connection, vdn_id: int, number: str) -> set[int]:
    found: set[int] = set()
    for table in (numbers, number_history, call_results, callback_outbox, reservations):
        found.update(
            conn.execute(
                select(table.c.campaign_id).where(*_matching(table, vdn_id, number)).distinct()
            ).scalars()
        )
    return found


def calling_count(conn: Connection, vdn_id: int, number: str) -> int:
    """Numbers and reserved calls holding ``number`` that a dialer is calling now."""
    total = 0
    for table in (numbers, reservations):
        calling = table.c.state == NumberState.CALLING  # both tables name it "calling"
        query = select(func.count()).select_from(table)
        total += conn.execute(query.where(*_matching(table, vdn_id, number), calling)).scalar_one()
    return total


def remove(conn: Connection, vdn_id: int, number: str) -> dict[str, int]:
    """Delete the rows holding ``number``; rows removed per kind."""
    kinds = {
        "numbers": numbers,
        "history": number_history,
        "results": call_results,
        "callbacks": callback_outbox,
        "blacklist": blacklist,
        "reservations": reservations,
        "idempotencyKeys": idempotency_keys,
    }
    return {
        kind: conn.execute(delete(table).where(*_matching(table, vdn_id, number))).rowcount
        for kind, table in kinds.items()
    }


def file_tasks_of(conn: Connection, kind: str, vdn_id: int) -> list[dict[str, Any]]:
    """Import tasks (``kind``: numbers or blacklist) of the VDN with a stored file or a
    non-empty error report, locked; without the file itself (``has_file`` says whether
    one is stored: :func:`stored_file` reads it)."""
    table = FILE_TABLES[kind]
    has_file = table.c.content.isnot(None)
    with_data = or_(has_file, cast(table.c.errors, String) != "[]")
    columns = [c for c in table.c if c.name != "content"]
    rows = conn.execute(
        select(*columns, has_file.label("has_file"))
        .where(table.c.vdn_id == vdn_id, with_data)
        .order_by(table.c.id)
        .with_for_update()
    ).mappings()
    return [
        {**row, "has_file": bool(row["has_file"])}
        for row in rows
        if row["has_file"] or row["errors"]
    ]


def stored_file_ids(conn: Connection, kind: str, vdn_id: int) -> list[int]:
    """Import tasks of the VDN that keep a stored file."""
    table = FILE_TABLES[kind]
    query = select(table.c.id).where(table.c.vdn_id == vdn_id, table.c.content.isnot(None))
    return list(conn.execute(query.order_by(table.c.id)).scalars())


def stored_file(conn: Connection, kind: str, task_id: int) -> tuple[str, bytes] | None:
    """A task's file name and stored file; None once it was dropped. A stored file never
    changes: it is written with its task and only ever dropped."""
    table = FILE_TABLES[kind]
    query = select(table.c.file_name, table.c.content).where(table.c.id == task_id)
    row = conn.execute(query).first()
    if row is None or row.content is None:
        return None
    return row.file_name, row.content


def rewrite_file_task(conn: Connection, kind: str, task_id: int, values: dict[str, Any]) -> None:
    table = FILE_TABLES[kind]
    changed = conn.execute(update(table).where(table.c.id == task_id).values(**values)).rowcount
    assert changed == 1, "import task vanished under its own lock"
