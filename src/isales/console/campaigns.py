"""Console pages: campaigns (list, create, modify, delete, pause, resume), numbers, import."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from ..domain.console import Role
from ..domain.states import NumberState
from ..errors import AppError, ErrorCode, InvalidParameter
from ..imports_format import COLUMNS as IMPORT_COLUMNS
from ..store.imports import IN_PROGRESS
from ..store.overview import NumberSearch
from ..wire.schemas import campaigns as campaign_schema
from ..wire.schemas import numbers as number_schema
from ..wire.validation import validate_body
from . import campaign_form
from .web import acting, page, redirect, run, services, signed_in, text, wire_body

router = APIRouter()

CAMPAIGN = "/vdn/{vdn_id}/campaigns/{campaign_id}"
NUMBERS_PER_PAGE = 50

#: the body a new campaign starts from (the create interface, v2), without its dates
NEW_CAMPAIGN_EXAMPLE = {
    "name": "spring",
    "description": "",
    "deviceType": 2,
    "callerNo": [{"accessCode": "10086"}],
    "maxAlertingTime": 30,
    "initStatus": 1,
    "scheduleParam": {"workdayBeginTime1": "09:00", "workdayEndTime1": "18:00"},
    "skillParam": {"skillId": 1},
}


def campaign_url(vdn_id: int, campaign_id: int, tab: str = "numbers") -> str:
    return f"/console/vdn/{vdn_id}/campaigns/{campaign_id}/{tab}"


async def campaign_context(
    request: Request, vdn_id: int, campaign_id: int, needed: Role = Role.VIEWER
) -> dict:
    """The signed-in user (allowed ``needed`` on the VDN) and the campaign with its counts."""
    user = await signed_in(request, needed)
    user.require_vdn(vdn_id)
    campaign = await run(request, services(request).overview.campaign, vdn_id, campaign_id)
    return {"user": user, "campaign": campaign, "vdn_id": vdn_id}


# --- the campaign list ---------------------------------------------------------------------


@router.get("/campaigns")
async def campaign_list(request: Request) -> Response:
    user = await signed_in(request)
    rows = await run(request, services(request).overview.campaigns, list(user.vdn_ids))
    return page(request, "campaigns.html", campaigns=rows)


def _new_body(request: Request) -> dict[str, Any]:
    today = services(request).campaigns.clock().date()
    return {
        **NEW_CAMPAIGN_EXAMPLE,
        "strBeginTime": f"{today:%Y-%m-%d} 00:00:00",
        "strEndTime": f"{today + timedelta(days=30):%Y-%m-%d} 20:00:00",
    }


def _form_context(body: dict[str, Any], raw: str | None = None, **extra: Any) -> dict[str, Any]:
    """What the campaign form templates show: the fields, and the body for the JSON view."""
    return {
        "values": campaign_form.values_of(body),
        "device_types": campaign_form.DEVICE_TYPES,
        "workday_slots": campaign_form.WORKDAY_SLOTS,
        "base_body": json.dumps(body, ensure_ascii=False),
        "body": raw if raw is not None else json.dumps(body, indent=2, ensure_ascii=False),
        "problems": {},
        **extra,
    }


def _submitted(form: Any, version: int) -> tuple[dict[str, str], dict[str, Any]]:
    """The form's values and the body they make (over the body the form was drawn from)."""
    values = {name: (text(form, name) or "") for name in campaign_form.FIELDS}
    try:
        base = json.loads(text(form, "base") or "{}")
    except ValueError:
        base = {}
    base = base if isinstance(base, dict) else {}
    return values, campaign_form.body_of(values, base, version)


@router.get("/campaigns/new")
async def new_campaign_page(request: Request) -> Response:
    await signed_in(request, Role.ADMIN)
    return page(
        request,
        "campaign_form.html",
        action="/console/campaigns/new",
        **_form_context(_new_body(request)),
    )


@router.post("/campaigns/new")
async def create_campaign(request: Request) -> Response:
    user, form = await acting(request, Role.ADMIN)
    vdn_id = int(text(form, "vdn_id") or 0)
    user.require_vdn(vdn_id)
    expert = text(form, "mode") == "json"
    raw = text(form, "body") or ""
    values, body = _submitted(form, 2)
    problems: dict = {}
    try:
        if expert:
            body = validate_body(raw.encode(), campaign_schema.CREATE_V2)
            columns = campaign_schema.to_columns(body)
        else:
            checked, problems = campaign_form.check(body, campaign_schema.CREATE_V2)
            if checked is None:
                raise InvalidParameter(ErrorCode.PARAMETER_ERROR, "see the fields marked")
            columns = checked
        campaign_id = await run(
            request,
            services(request).campaigns.create,
            vdn_id,
            columns,
            body.get("initStatus") or 0,
            2,
        )
    except AppError as exc:
        context = _form_context(_new_body(request), raw if expert else None)
        if not expert:
            context["values"] = values
            context["base_body"] = text(form, "base") or "{}"
        return page(
            request,
            "campaign_form.html",
            status_code=409,
            action="/console/campaigns/new",
            vdn_id=vdn_id,
            expert=expert,
            error=exc if expert or not problems else None,
            **{**context, "problems": problems},
        )
    return redirect(campaign_url(vdn_id, campaign_id))


# --- one campaign: state, settings, deletion ---------------------------------------------------


@router.get(CAMPAIGN)
async def campaign_home(vdn_id: int, campaign_id: int) -> Response:
    return redirect(campaign_url(vdn_id, campaign_id))


#: tabs a pause or resume returns to (the tab its button was pressed on)
RETURN_TABS = frozenset({"numbers", "live"})


async def _transition(request: Request, vdn_id: int, campaign_id: int, operation: str) -> Response:
    _, form = await acting(request, Role.OPERATOR, vdn_id)
    back = text(form, "tab")
    change = getattr(services(request).campaigns, operation)
    try:
        await run(request, change, vdn_id, campaign_id)
    except AppError as exc:
        context = await campaign_context(request, vdn_id, campaign_id)
        return await _numbers_page(request, context, status_code=409, state_error=exc)
    return redirect(campaign_url(vdn_id, campaign_id, back if back in RETURN_TABS else "numbers"))


@router.post(CAMPAIGN + "/pause")
async def pause(request: Request, vdn_id: int, campaign_id: int) -> Response:
    return await _transition(request, vdn_id, campaign_id, "pause")


@router.post(CAMPAIGN + "/resume")
async def resume(request: Request, vdn_id: int, campaign_id: int) -> Response:
    return await _transition(request, vdn_id, campaign_id, "resume")


#: a campaign is modified with the interface version it was created with
_SCHEMAS = {1: campaign_schema.CREATE_V1, 2: campaign_schema.CREATE_V2}


def _editable(campaign: dict) -> dict[str, Any]:
    return campaign_form.editable_body(campaign_schema.wire(campaign, defaults=False))


@router.get(CAMPAIGN + "/settings")
async def settings_page(request: Request, vdn_id: int, campaign_id: int) -> Response:
    context = await campaign_context(request, vdn_id, campaign_id, Role.ADMIN)
    return page(
        request,
        "campaign_settings.html",
        **context,
        tab="settings",
        **_form_context(_editable(context["campaign"])),
    )


@router.post(CAMPAIGN + "/settings")
async def modify_campaign(request: Request, vdn_id: int, campaign_id: int) -> Response:
    _, form = await acting(request, Role.ADMIN, vdn_id)
    expert = text(form, "mode") == "json"
    raw = text(form, "body") or ""
    context = await campaign_context(request, vdn_id, campaign_id, Role.ADMIN)
    version = context["campaign"]["api_version"]
    values, body = _submitted(form, version)
    problems: dict = {}
    try:
        if expert:
            columns = campaign_schema.to_columns(validate_body(raw.encode(), _SCHEMAS[version]))
        else:
            checked, problems = campaign_form.check(body, _SCHEMAS[version])
            if checked is None:
                raise InvalidParameter(ErrorCode.PARAMETER_ERROR, "see the fields marked")
            columns = checked
        modify = services(request).campaigns.modify
        await run(request, modify, vdn_id, campaign_id, columns, version)
    except AppError as exc:
        shown = _form_context(_editable(context["campaign"]), raw if expert else None)
        if not expert:
            shown["values"] = values
            shown["base_body"] = text(form, "base") or "{}"
        return page(
            request,
            "campaign_settings.html",
            status_code=409,
            **context,
            tab="settings",
            expert=expert,
            error=exc if expert or not problems else None,
            **{**shown, "problems": problems},
        )
    context = await campaign_context(request, vdn_id, campaign_id, Role.ADMIN)
    return page(
        request,
        "campaign_settings.html",
        **context,
        tab="settings",
        notice="Campaign saved.",
        **_form_context(_editable(context["campaign"])),
    )


@router.post(CAMPAIGN + "/delete-campaign")
async def delete_campaign(request: Request, vdn_id: int, campaign_id: int) -> Response:
    user, form = await acting(request, Role.ADMIN, vdn_id)
    context = await campaign_context(request, vdn_id, campaign_id, Role.ADMIN)
    try:
        if text(form, "confirm_name") != context["campaign"]["name"]:
            raise InvalidParameter(
                ErrorCode.WRONG_VALUE, "type the campaign's name exactly to delete it"
            )
        await run(
            request,
            services(request).campaigns.delete,
            vdn_id,
            campaign_id,
            form.get("archive") == "1",
            user.actor,
            request.state.request_id,
        )
    except AppError as exc:
        return page(
            request,
            "campaign_settings.html",
            status_code=409,
            **context,
            tab="settings",
            delete_error=exc,
            **_form_context(_editable(context["campaign"])),
        )
    return redirect("/console/campaigns")


# --- numbers ----------------------------------------------------------------------------------


def _search(query: dict) -> NumberSearch:
    state = text(query, "state")
    return NumberSearch(
        called=text(query, "called"),
        session_id=text(query, "session_id"),
        custom_field=text(query, "custom_field"),
        state=NumberState(state) if state in set(NumberState) else None,
    )


async def _numbers_page(
    request: Request, context: dict, status_code: int = 200, **extra
) -> HTMLResponse:  # type: ignore[no-untyped-def]
    query = dict(request.query_params)
    after = query.get("after", "")
    after_id = int(after) if after.isdigit() else 0
    rows = await run(
        request,
        services(request).overview.search_numbers,
        context["vdn_id"],
        context["campaign"]["id"],
        _search(query),
        after_id,
        NUMBERS_PER_PAGE + 1,
    )
    more = len(rows) > NUMBERS_PER_PAGE
    rows = rows[:NUMBERS_PER_PAGE]
    kept = {k: v for k, v in query.items() if k != "after" and v}
    return page(
        request,
        "numbers.html",
        status_code=status_code,
        **context,
        tab="numbers",
        rows=rows,
        search=query,
        next_query={**kept, "after": rows[-1]["id"]} if more else None,
        first_query=kept if after_id else None,
        **extra,
    )


@router.get(CAMPAIGN + "/numbers")
async def numbers_page(request: Request, vdn_id: int, campaign_id: int) -> Response:
    context = await campaign_context(request, vdn_id, campaign_id)
    return await _numbers_page(request, context)


@router.post(CAMPAIGN + "/numbers/add")
async def add_number(request: Request, vdn_id: int, campaign_id: int) -> Response:
    _, form = await acting(request, Role.OPERATOR, vdn_id)
    record = {
        "called": text(form, "called"),
        "sessionId": text(form, "session_id"),
        "customField": text(form, "custom_field"),
    }
    schema = number_schema.add_v1(services(request).settings)
    try:
        body = wire_body(schema, {"callDataList": [{k: v for k, v in record.items() if v}]})
        await run(
            request,
            services(request).numbers.add,
            vdn_id,
            campaign_id,
            number_schema.records_v1(body),
            False,
        )
    except AppError as exc:
        context = await campaign_context(request, vdn_id, campaign_id)
        return await _numbers_page(request, context, status_code=409, add_error=exc)
    context = await campaign_context(request, vdn_id, campaign_id)
    return await _numbers_page(request, context, notice=f"Added {record['called']}.")


# --- import -----------------------------------------------------------------------------------


async def _import_page(
    request: Request, context: dict, status_code: int = 200, **extra
) -> HTMLResponse:  # type: ignore[no-untyped-def]
    _, tasks = await run(
        request,
        services(request).imports.list_tasks,
        context["vdn_id"],
        context["campaign"]["id"],
        0,  # the store's offset counts rows from 0: the newest import first
        10,
    )
    return page(
        request,
        "import.html",
        status_code=status_code,
        **context,
        tab="import",
        tasks=tasks,
        columns=IMPORT_COLUMNS,
        **extra,
    )


@router.get(CAMPAIGN + "/import")
async def import_page(request: Request, vdn_id: int, campaign_id: int) -> Response:
    context = await campaign_context(request, vdn_id, campaign_id)
    return await _import_page(request, context)


@router.post(CAMPAIGN + "/import")
async def upload(request: Request, vdn_id: int, campaign_id: int) -> Response:
    _, form = await acting(request, Role.OPERATOR, vdn_id)
    file = form.get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise InvalidParameter(ErrorCode.EMPTY, "choose a CSV or XLSX file to upload")
        limit = services(request).settings.import_max_body_bytes
        content = await file.read(limit + 1)
        if len(content) > limit:
            raise InvalidParameter(ErrorCode.TOO_LONG, f"the file is larger than {limit} bytes")
        outcome = await run(
            request,
            services(request).imports.upload,
            vdn_id,
            campaign_id,
            file.filename,
            content,
            form.get("allow_duplicate") == "1",  # the same file again is refused otherwise
        )
    except AppError as exc:
        context = await campaign_context(request, vdn_id, campaign_id)
        return await _import_page(request, context, status_code=409, error=exc)
    return redirect(campaign_url(vdn_id, campaign_id, f"import/{outcome.task_id}"))


async def _task(request: Request, vdn_id: int, campaign_id: int, task_id: int) -> dict:
    return await run(request, services(request).imports.get_task, vdn_id, campaign_id, task_id)


@router.get(CAMPAIGN + "/import/{task_id}")
async def import_task_page(
    request: Request, vdn_id: int, campaign_id: int, task_id: int
) -> Response:
    context = await campaign_context(request, vdn_id, campaign_id)
    task = await _task(request, vdn_id, campaign_id, task_id)
    return await _import_page(request, context, task=task)


@router.get(CAMPAIGN + "/import/{task_id}/progress")
async def import_progress(
    request: Request, vdn_id: int, campaign_id: int, task_id: int
) -> Response:
    """The progress fragment the import page polls until the task ends."""
    user = await signed_in(request)
    user.require_vdn(vdn_id)
    task = await _task(request, vdn_id, campaign_id, task_id)
    response = page(
        request, "import_progress.html", task=task, vdn_id=vdn_id, campaign_id=campaign_id
    )
    if task["status"] not in IN_PROGRESS:
        # the task ended while the page watched: reload it, so its counts and list are current
        response.headers["HX-Refresh"] = "true"
    return response


@router.get(CAMPAIGN + "/import/{task_id}/errors.csv")
async def import_errors(request: Request, vdn_id: int, campaign_id: int, task_id: int) -> Response:
    user = await signed_in(request)
    user.require_vdn(vdn_id)
    task = await _task(request, vdn_id, campaign_id, task_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "code", "description"])
    for entry in task["errors"]:
        writer.writerow([entry["row"], entry["code"], entry["desc"]])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{task_id}-errors.csv"'},
    )
