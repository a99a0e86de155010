"""Console pages of a VDN as a whole: blacklist and access keys."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..domain.console import Role
from ..errors import AppError, ErrorCode, InvalidParameter
from ..services.console_users import ConsoleUser
from ..wire.schemas import blacklist as blacklist_schema
from .web import acting, page, run, services, signed_in, text, wire_body

router = APIRouter()

BLACKLIST_PER_PAGE = 50


def _vdn(user: ConsoleUser, value: str | None) -> int:
    """The VDN a page is about: the one asked for (if granted), else the user's first."""
    vdn_id = int(value) if value and value.isdigit() else user.vdn_ids[0]
    user.require_vdn(vdn_id)
    return vdn_id


async def _blacklist_page(
    request: Request, user: ConsoleUser, vdn_id: int, status_code: int = 200, **extra
) -> Response:  # type: ignore[no-untyped-def]
    query = dict(request.query_params)
    number = text(query, "number")
    page_text = query.get("page", "")
    page_number = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    total, rows = await run(
        request,
        services(request).blacklist.query,
        vdn_id,
        [number] if number else None,
        None,
        None,
        (page_number - 1) * BLACKLIST_PER_PAGE,
        BLACKLIST_PER_PAGE,
    )
    return page(
        request,
        "blacklist.html",
        status_code=status_code,
        vdn_id=vdn_id,
        rows=rows,
        total=total,
        number=number or "",
        page_number=page_number,
        pages=max(1, -(-total // BLACKLIST_PER_PAGE)),
        **extra,
    )


@router.get("/blacklist")
async def blacklist_page(request: Request) -> Response:
    user = await signed_in(request)
    return await _blacklist_page(request, user, _vdn(user, request.query_params.get("vdn")))


@router.post("/blacklist/add")
async def blacklist_add(request: Request) -> Response:
    user, form = await acting(request, Role.ADMIN)
    vdn_id = _vdn(user, text(form, "vdn"))
    days = text(form, "validity_days")
    try:
        body = wire_body(
            blacklist_schema.ADD,
            {
                "blocklist": [
                    n.strip() for n in (text(form, "numbers") or "").split(",") if n.strip()
                ],
                "validityTime": days,
                "validityTimeUnit": 3 if days else None,
                "isCoverDupNo": 1,
            },
        )
        outcome = await run(
            request,
            services(request).blacklist.add,
            vdn_id,
            body["blocklist"],
            blacklist_schema.add_request(body),
            body["isCoverDupNo"],
        )
    except AppError as exc:
        return await _blacklist_page(request, user, vdn_id, status_code=409, add_error=exc)
    return await _blacklist_page(
        request, user, vdn_id, notice=f"{outcome.written} numbers blacklisted."
    )


@router.post("/blacklist/delete")
async def blacklist_delete(request: Request) -> Response:
    user, form = await acting(request, Role.ADMIN)
    vdn_id = _vdn(user, text(form, "vdn"))
    number = text(form, "number") or ""
    try:
        wire_body(blacklist_schema.DELETE_ONE, {"blocklistNo": number})
        await run(
            request,
            services(request).blacklist.delete,
            vdn_id,
            number,
            user.actor,
            request.state.request_id,
        )
    except AppError as exc:
        return await _blacklist_page(request, user, vdn_id, status_code=409, error=exc)
    return await _blacklist_page(
        request, user, vdn_id, notice=f"{number} removed from the blacklist."
    )


# --- access keys ------------------------------------------------------------------------------


def _own_keys(user: ConsoleUser, keys: list[dict]) -> list[dict]:
    """Keys an admin may see and revoke: every VDN of the key is one of the admin's."""
    return [key for key in keys if set(key["vdnIds"]) <= set(user.vdn_ids)]


async def _keys_page(
    request: Request, user: ConsoleUser, status_code: int = 200, **extra
) -> Response:  # type: ignore[no-untyped-def]
    keys = await run(request, services(request).access.list_keys)
    return page(request, "keys.html", status_code=status_code, keys=_own_keys(user, keys), **extra)


@router.get("/keys")
async def keys_page(request: Request) -> Response:
    user = await signed_in(request, Role.ADMIN)
    return await _keys_page(request, user)


@router.post("/keys/create")
async def create_key(request: Request) -> Response:
    user, form = await acting(request, Role.ADMIN)
    chosen = [int(v) for v in form.getlist("vdn") if isinstance(v, str) and v.isdigit()]
    for vdn_id in chosen:
        user.require_vdn(vdn_id)
    if not chosen:
        error = InvalidParameter(ErrorCode.EMPTY, "choose at least one VDN for the key")
        return await _keys_page(request, user, status_code=409, error=error)
    key = await run(request, services(request).access.create_key, chosen, actor=user.actor)
    return await _keys_page(request, user, new_key=key)


@router.post("/keys/revoke")
async def revoke_key(request: Request) -> Response:
    user, form = await acting(request, Role.ADMIN)
    access_key = text(form, "access_key") or ""
    keys = await run(request, services(request).access.list_keys)
    if access_key not in {key["accessKey"] for key in _own_keys(user, keys)}:
        error = InvalidParameter(ErrorCode.WRONG_VALUE, "no such key among your VDNs' keys")
        return await _keys_page(request, user, status_code=409, error=error)
    await run(request, services(request).access.revoke_key, access_key, actor=user.actor)
    return await _keys_page(request, user, notice=f"Revoked {access_key}.")
