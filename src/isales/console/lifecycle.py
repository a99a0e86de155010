"""Console pages on the lifecycle services: delete with preview and count guard, restore, audit.

The delete form is the delete interface's body; its preview is the preview interface's
answer; the typed count travels as ``expectedCount``. No rule is decided here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..domain.audit_sentences import sentence
from ..domain.console import Role
from ..domain.states import KEPT_REASON, NumberState
from ..errors import AppError, ErrorCode, InvalidParameter
from ..wire.schemas import data_lifecycle as lifecycle_schema
from ..wire.schemas import numbers as number_schema
from .campaigns import CAMPAIGN, campaign_context
from .records import history_view
from .web import acting, page, run, services, signed_in, text, wire_body

router = APIRouter()

#: the delete filter: form field -> delete interface field
FILTER_FIELDS = {
    "session_id": "sessionId",
    "called": "called",
    "custom_field": "customField",
    "recycle_time": "recycleTime",
    "recycle_type": "recycleType",
}
AUDIT_DAYS = 30


def _delete_body(form: dict, expected_count: object = None) -> dict:
    """The delete interface's body from the form, checked by its own schema."""
    values: dict[str, Any] = {wire: text(form, name) for name, wire in FILTER_FIELDS.items()}
    values["archiveHistory"] = 1 if form.get("archive") == "1" else 0
    values["expectedCount"] = expected_count
    return wire_body(number_schema.DELETE, values)


def _filter(request: Request, body: dict):  # type: ignore[no-untyped-def]
    return number_schema.delete_filter(body, services(request).settings.zone)


async def _delete_page(
    request: Request, context: dict, form: dict, status_code: int = 200, **extra
) -> Response:  # type: ignore[no-untyped-def]
    """The form; with a filter given, the preview of what Delete would do now."""
    preview, error = None, extra.pop("error", None)
    if any(text(form, name) for name in FILTER_FIELDS):
        try:
            number_filter, _ = _filter(request, _delete_body(form))
            preview = await run(
                request,
                services(request).deletion.preview,
                context["vdn_id"],
                context["campaign"]["id"],
                number_filter,
            )
        except AppError as exc:
            error = error or exc
            status_code = 409
    kept = (
        [(KEPT_REASON[NumberState(state)], count) for state, count in preview.kept.items() if count]
        if preview
        else []
    )
    return page(
        request,
        "delete.html",
        status_code=status_code,
        **context,
        tab="delete",
        form=form,
        preview=preview,
        kept=kept,
        error=error,
        **extra,
    )


@router.get(CAMPAIGN + "/delete")
async def delete_page(request: Request, vdn_id: int, campaign_id: int) -> Response:
    context = await campaign_context(request, vdn_id, campaign_id)
    return await _delete_page(request, context, dict(request.query_params))


@router.post(CAMPAIGN + "/delete")
async def delete_numbers(request: Request, vdn_id: int, campaign_id: int) -> Response:
    user, posted = await acting(request, Role.OPERATOR, vdn_id)
    form = {k: v for k, v in posted.items() if isinstance(v, str) and k != "csrf_token"}
    typed = text(form, "expected_count")
    try:
        if typed is None or not typed.isdigit():
            raise InvalidParameter(
                ErrorCode.WRONG_TYPE, "type the number of numbers to delete, in digits"
            )
        body = _delete_body(form, int(typed))
        number_filter, archive = _filter(request, body)
        outcome = await run(
            request,
            services(request).numbers.delete,
            vdn_id,
            campaign_id,
            number_filter,
            archive,
            user.actor,
            request.state.request_id,
            body["expectedCount"],
        )
    except AppError as exc:
        context = await campaign_context(request, vdn_id, campaign_id)
        return await _delete_page(request, context, form, status_code=409, error=exc)
    context = await campaign_context(request, vdn_id, campaign_id)
    done = f"Deleted {outcome.removed} numbers."
    if archive:
        done = f"Moved {outcome.removed} numbers to history (request {request.state.request_id})."
    return await _delete_page(
        request,
        context,
        {},
        notice=done,
        archived_request=request.state.request_id if archive else None,
    )


@router.post(CAMPAIGN + "/history/restore")
async def restore(request: Request, vdn_id: int, campaign_id: int) -> Response:
    user, form = await acting(request, Role.OPERATOR, vdn_id)
    chosen = [v for v in form.getlist("data_id") if isinstance(v, str)]
    try:
        body = wire_body(
            lifecycle_schema.RESTORE,
            {
                "dataIds": [int(v) if v.isdigit() else v for v in chosen] or None,
                "requestId": text(form, "request_id"),
            },
        )
        data_ids, archived_by_request = lifecycle_schema.restore_request(body)
        restored = await run(
            request,
            services(request).deletion.restore,
            vdn_id,
            campaign_id,
            data_ids,
            archived_by_request,
            user.actor,
            request.state.request_id,
        )
    except AppError as exc:
        return await history_view(request, vdn_id, campaign_id, status_code=409, error=exc)
    return await history_view(request, vdn_id, campaign_id, notice=f"Restored {restored} numbers.")


@router.get("/audit")
async def audit_page(request: Request) -> Response:
    """Entries of the user's VDNs in the last AUDIT_DAYS days, newest first."""
    user = await signed_in(request)
    since = services(request).audit.clock() - timedelta(days=AUDIT_DAYS)
    entries = []
    for vdn_id in user.vdn_ids:
        entries += await run(request, services(request).audit.entries, vdn_id, since)
    entries.sort(key=lambda entry: entry["id"], reverse=True)
    worded = [
        {**entry, "sentence": sentence(entry["operation"], entry["detail"])} for entry in entries
    ]
    return page(request, "audit.html", entries=worded, days=AUDIT_DAYS)
