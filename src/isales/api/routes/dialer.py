"""The dialer-facing ("OBS") interfaces: tasks, callnos, call/result.

The rules: docs/api.md#dialer-facing-interfaces.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...errors import DialerCode, DialerRefused, InvalidParameter
from ...services.dialer import CallReport
from ...wire.schemas import agents as agent_schema
from ...wire.schemas import dialer as schema
from ...wire.validation import Schema
from ..envelope import dialer_ok
from ..openapi import operation
from ..request import Call, accept

_OBJECT = {"type": "object"}


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
            call.body["dialerId"],
        )
        if claim is None:
            return dialer_ok(resultData=[])
        items = [schema.wire_reserved(claim.campaign, row) for row in claim.reservations] + [
            schema.wire_claimed(claim.campaign, row) for row in claim.numbers
        ]
        return dialer_ok(resultData=schema.with_work_nos(items, claim.work_nos))

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
            work_no=body["workNo"],
        )
        await call.run(call.services.dialer.report, call.vdn_id, call.principal.access_key, report)
        return dialer_ok()

    @operation(router, "dialer.agent_legs", body=agent_schema.LEGS, payload={"resultData": _OBJECT})
    async def agent_legs(request: Request) -> JSONResponse:
        call = await _accept(request, agent_schema.LEGS)
        dialer_id = call.body["dialerId"]
        rows = await call.run(call.services.agents.legs, call.vdn_id, dialer_id)
        return dialer_ok(
            resultData={"agents": [agent_schema.wire_leg(row, dialer_id) for row in rows]}
        )

    @operation(
        router, "dialer.agent_event", body=agent_schema.EVENT, payload={"resultData": _OBJECT}
    )
    async def agent_event(request: Request) -> JSONResponse:
        call = await _accept(request, agent_schema.EVENT)
        body = call.body
        if body["event"] == "talking" and body["dataId"] is None:
            raise DialerRefused(DialerCode.INVALID_REQUEST, 'dataId is mandatory with "talking"')
        row = await call.run(
            call.services.agents.event,
            call.vdn_id,
            body["dialerId"],
            body["workNo"],
            body["event"],
            body["dataId"],
        )
        return dialer_ok(resultData={"state": agent_schema.wire_state(row)["state"]})

    @operation(router, "dialer.agent_take", body=agent_schema.TAKE, payload={"resultData": _OBJECT})
    async def agent_take(request: Request) -> JSONResponse:
        call = await _accept(request, agent_schema.TAKE)
        body = call.body
        work_no = await call.run(
            call.services.agents.take,
            call.vdn_id,
            body["dialerId"],
            body["serviceId"],
            body["dataId"],
        )
        return dialer_ok(resultData={"workNo": work_no})

    return router
