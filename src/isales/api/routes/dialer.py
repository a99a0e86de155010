"""The dialer-facing ("OBS") interfaces: tasks, callnos, call/result.

The rules: docs/api.md#dialer-facing-interfaces.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...errors import DialerCode, DialerRefused, InvalidParameter
from ...services.dialer import CallReport
from ...wire.schemas import dialer as schema
from ...wire.validation import Schema
from ..envelope import dialer_ok
from ..openapi import operation
from ..request import Call, accept


async def _accept(request: Request, body: Schema) -> Call:
    request.state.dialer = True
    try:
        return await accept(request, body=body, vdn_in_body=True)
    except InvalidParameter as exc:
        raise DialerRefused(DialerCode.INVALID_REQUEST, exc.message) from exc


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["dialer"])
    callnos_schema = schema.callnos(settings.claim_max_batch)

    @operation(
        router, "dialer.tasks", body=schema.TASKS, payload={"resultData": {"type": "object"}}
    )
    async def tasks(request: Request) -> JSONResponse:
        call = await _accept(request, schema.TASKS)
        ids = await call.run(call.services.dialer.executing_campaigns, call.vdn_id)
        return dialer_ok(resultData={"taskData": [{"serviceId": str(i)} for i in ids]})

    @operation(
        router,
        "dialer.callnos",
        body=callnos_schema,
        payload={"resultData": {"type": "array", "items": {"type": "object"}}},
    )
    async def callnos(request: Request) -> JSONResponse:
        call = await _accept(request, callnos_schema)
        claim = await call.run(
            call.services.dialer.claim,
            call.vdn_id,
            call.body["serviceId"],
            call.principal.access_key,
            call.body["batchCount"] or 1,
        )
        if claim is None:
            return dialer_ok(resultData=[])
        return dialer_ok(
            resultData=[schema.wire_reserved(claim.campaign, row) for row in claim.reservations]
            + [schema.wire_claimed(claim.campaign, row) for row in claim.numbers]
        )

    @operation(router, "dialer.call_result", body=schema.RESULT)
    async def call_result(request: Request) -> JSONResponse:
        call = await _accept(request, schema.RESULT)
        body = call.body
        report = CallReport(
            campaign_id=body["serviceId"],
            data_id=body["uniqueId"],
            call_status=body["status"],
            fail_code=body["failCode"],
            call_id=body["callId"],
            fetch_time=body["fetchTime"],
            write_start_time=body["writeStartTime"],
            end_call_time=body["endCallTime"],
            telephony=schema.telephony_detail(body),
        )
        await call.run(call.services.dialer.report, call.vdn_id, call.principal.access_key, report)
        return dialer_ok()

    return router
