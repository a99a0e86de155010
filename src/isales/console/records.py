"""Console pages of a campaign's records: results, statistics, history."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from ..domain.console import Role
from ..domain.counter_labels import COUNTER_LABELS
from ..domain.fail_codes import described
from ..domain.fail_codes import label as fail_code_label
from ..errors import AppError, FlowControlled
from ..store.results import ResultFilter
from ..wire.schemas import agents as agent_schema
from ..wire.schemas import numbers as number_schema
from ..wire.schemas import results as result_schema
from .campaigns import CAMPAIGN, campaign_context
from .charts import outcome_bars
from .web import page, run, services, signed_in, text, wire_body

router = APIRouter()

RESULTS_PER_PAGE = 50
HISTORY_PER_PAGE = 50
CSV_PAGE = result_schema.MAX_PAGE_FINAL


def _result_body(query: dict, page_number: int, page_size: int) -> dict:
    """The result query's body from the filter form: the interface's own rules and codes."""
    return wire_body(
        result_schema.QUERY,
        {
            "sessionId": text(query, "session_id"),
            "customField": text(query, "custom_field"),
            "beginTime": text(query, "begin"),
            "endTime": text(query, "end"),
            "showDetail": 1 if query.get("all_attempts") == "1" else 0,
            "pageNum": page_number,
            "pageSize": page_size,
        },
    )


@router.get(CAMPAIGN + "/results")
async def results_page(request: Request, vdn_id: int, campaign_id: int) -> Response:
    context = await campaign_context(request, vdn_id, campaign_id)
    query = dict(request.query_params)
    page_text = query.get("page", "")
    page_number = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    page_size = min(RESULTS_PER_PAGE, result_schema.MAX_PAGE_DETAIL)
    rows: list[dict[str, Any]] = []
    total, error = 0, None
    try:
        body = _result_body(query, page_number, page_size)
        filter_fields, offset, limit = result_schema.result_query(
            body, services(request).settings.zone
        )
        result_filter = ResultFilter(**filter_fields)
        total, rows = await run(
            request,
            services(request).results.query,
            vdn_id,
            campaign_id,
            result_filter,
            offset,
            limit,
        )
    except AppError as exc:
        error = exc
    kept = {k: v for k, v in query.items() if k != "page" and v}
    return page(
        request,
        "results.html",
        status_code=409 if error else 200,
        **context,
        tab="results",
        rows=[{**row, "outcome": described(row["fail_code"])} for row in rows],
        total=total,
        search=query,
        error=error,
        page_number=page_number,
        pages=max(1, -(-total // page_size)),
        kept=kept,
    )


@router.get(CAMPAIGN + "/results.csv")
async def results_csv(request: Request, vdn_id: int, campaign_id: int) -> Response:
    """Every result matching the filters, fetched and written a page at a time."""
    await campaign_context(request, vdn_id, campaign_id)
    query = dict(request.query_params)
    body = _result_body(
        query, 1, CSV_PAGE if query.get("all_attempts") != "1" else result_schema.MAX_PAGE_DETAIL
    )
    filter_fields, _, limit = result_schema.result_query(body, services(request).settings.zone)
    result_filter = ResultFilter(**filter_fields)
    results = services(request).results

    async def lines() -> AsyncIterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "callId",
                "called",
                "sessionId",
                "customField",
                "reportedAt",
                "callStatus",
                "failCode",
                "failCodeMeaning",
                "resultCode",
                "attempt",
                "final",
            ]
        )
        offset = 0
        while True:
            _, rows = await run(
                request, results.query, vdn_id, campaign_id, result_filter, offset, limit
            )
            for row in rows:
                writer.writerow(
                    [
                        row["call_id"] or "",
                        row["called"] or "",
                        row["session_id"] or "",
                        row["custom_field"] or "",
                        f"{row['reported_at']:%Y-%m-%d %H:%M:%S}",
                        row["call_status"],
                        row["fail_code"] or "",
                        fail_code_label(row["fail_code"]),
                        result_schema.display_result(row["fail_code"]),
                        row["attempt"],
                        row["final"],
                    ]
                )
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if len(rows) < limit:
                return
            offset += limit

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="campaign-{campaign_id}-results.csv"'
        },
    )


@router.get("/vdn/{vdn_id}/results/{call_id}")
async def result_detail(request: Request, vdn_id: int, call_id: str) -> Response:
    user = await signed_in(request)
    user.require_vdn(vdn_id)
    row = await run(request, services(request).results.detail, vdn_id, call_id)
    return page(
        request,
        "result_detail.html",
        row=row,
        vdn_id=vdn_id,
        result_code=result_schema.display_result(row["fail_code"]),
        outcome=described(row["fail_code"]),
    )


@router.get(CAMPAIGN + "/statistics")
async def statistics_page(request: Request, vdn_id: int, campaign_id: int) -> Response:
    context = await campaign_context(request, vdn_id, campaign_id)
    counters, error = None, None
    try:
        (entry,) = await run(request, services(request).statistics.today, vdn_id, campaign_id, None)
        counters = [
            (COUNTER_LABELS[wire_name], wire_name, entry.counts[name])
            for wire_name, name in result_schema.COUNTERS
        ]
    except FlowControlled as exc:
        error = exc
    outcomes = await run(request, services(request).overview.outcomes_today, vdn_id, campaign_id)
    return page(
        request,
        "statistics.html",
        **context,
        tab="statistics",
        counters=counters,
        error=error,
        chart=outcome_bars(outcomes),
    )


# --- agents ------------------------------------------------------------------------------------

#: agents shown on a campaign's agents tab (the interface's page size)
AGENTS_PER_PAGE = 100


@router.get(CAMPAIGN + "/agents")
async def agents_page(request: Request, vdn_id: int, campaign_id: int) -> Response:
    """The campaign's agents and their states now (docs/api.md#agents-isales-extension)."""
    context = await campaign_context(request, vdn_id, campaign_id)
    total, rows = await run(
        request, services(request).agents.list_page, vdn_id, campaign_id, 0, AGENTS_PER_PAGE
    )
    return page(
        request,
        "agents.html",
        **context,
        tab="agents",
        total=total,
        agents=[agent_schema.wire_agent(row) for row in rows],
    )


# --- history ----------------------------------------------------------------------------------


@router.get(CAMPAIGN + "/history")
async def history_page(request: Request, vdn_id: int, campaign_id: int) -> Response:
    return await history_view(request, vdn_id, campaign_id)


async def history_view(
    request: Request, vdn_id: int, campaign_id: int, status_code: int = 200, **extra: Any
) -> Response:
    """Archived numbers of the campaign, searched; operators may select some to restore."""
    context = await campaign_context(request, vdn_id, campaign_id)
    query = dict(request.query_params)
    page_text = query.get("page", "")
    page_number = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    rows: list[dict[str, Any]] = []
    total, error = 0, None
    try:
        body = wire_body(
            number_schema.HISTORY_QUERY,
            {
                "called": text(query, "called"),
                "sessionId": text(query, "session_id"),
                "customField": text(query, "custom_field"),
                "requestId": text(query, "request_id"),
            },
        )
        filters = {k: v for k, v in body.items() if k not in ("pageNum", "pageSize")}
        total, rows = await run(
            request,
            services(request).numbers.history,
            vdn_id,
            campaign_id,
            filters,
            page_number,
            HISTORY_PER_PAGE,
        )
    except AppError as exc:
        error = exc
    kept = {k: v for k, v in query.items() if k != "page" and v}
    return page(
        request,
        "history.html",
        status_code=409 if error else status_code,
        **context,
        tab="history",
        rows=rows,
        total=total,
        search=query,
        page_number=page_number,
        pages=max(1, -(-total // HISTORY_PER_PAGE)),
        kept=kept,
        restorable=context["user"].may(Role.OPERATOR),
        **{"error": error, **extra},
    )
