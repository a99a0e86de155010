"""Campaign templates of VDNs (docs/api.md#campaign-templates)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import TemplateNameTaken
from .conflict import inserted_id
from .schema import campaign_templates


def name_taken(conn: Connection, vdn_id: int, name: str, except_id: int | None = None) -> bool:
    query = select(campaign_templates.c.id).where(
        campaign_templates.c.vdn_id == vdn_id, campaign_templates.c.name == name
    )
    if except_id is not None:
        query = query.where(campaign_templates.c.id != except_id)
    return conn.execute(query.limit(1)).first() is not None


def insert_template(conn: Connection, values: dict[str, Any]) -> int:
    """A name already used (a concurrent create) is ``TemplateNameTaken``."""
    try:
        with conn.begin_nested():
            return inserted_id(conn.execute(insert(campaign_templates).values(**values)))
    except IntegrityError as exc:
        if name_taken(conn, values["vdn_id"], values["name"]):
            raise TemplateNameTaken() from exc
        raise


def update_template(
    conn: Connection, vdn_id: int, template_id: int, device_type: int, values: dict[str, Any]
) -> bool:
    """Guarded: only while the template keeps ``device_type``. A name taken meanwhile is
    ``TemplateNameTaken``."""
    try:
        with conn.begin_nested():
            changed = conn.execute(
                update(campaign_templates)
                .where(
                    campaign_templates.c.id == template_id,
                    campaign_templates.c.vdn_id == vdn_id,
                    campaign_templates.c.device_type == device_type,
                )
                .values(**values)
            ).rowcount
    except IntegrityError as exc:
        if name_taken(conn, vdn_id, values["name"], template_id):
            raise TemplateNameTaken() from exc
        raise
    return changed == 1


def get_template(conn: Connection, vdn_id: int, template_id: int) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(campaign_templates).where(
                campaign_templates.c.id == template_id, campaign_templates.c.vdn_id == vdn_id
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def list_templates(
    conn: Connection,
    vdn_id: int,
    status: int,
    name: str | None,
    device_type: int | None,
    offset: int,
    limit: int,
) -> tuple[int, list[dict[str, Any]]]:
    conditions = [campaign_templates.c.vdn_id == vdn_id, campaign_templates.c.status == status]
    if name:
        # a substring, case-sensitive on both back ends (LIKE ignores case on SQLite)
        position = func.strpos if conn.dialect.name == "postgresql" else func.instr
        conditions.append(position(campaign_templates.c.name, name) > 0)
    if device_type is not None:
        conditions.append(campaign_templates.c.device_type == device_type)
    total = conn.execute(
        select(func.count()).select_from(campaign_templates).where(*conditions)
    ).scalar_one()
    rows = conn.execute(
        select(campaign_templates)
        .where(*conditions)
        .order_by(campaign_templates.c.id)
        .offset(offset)
        .limit(limit)
    ).mappings()
    return total, [dict(row) for row in rows]
