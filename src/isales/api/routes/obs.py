"""Routes: the remaining dialer-facing ("OBS") interfaces and the task-group import (cec_07_0768).

The rules: docs/api.md, "More dialer-facing interfaces".
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...errors import DialerCode, DialerRefused, InvalidParameter
from ...wire.schemas import groupcalldata as group_schema
from ...wire.schemas import obs as schema
from ...wire.validation import Schema
from ..envelope import dialer_ok, ok
from ..openapi import operation
from ..request import Call, accept


async def _accept(request: Request, body: Schema, vdn_optional: bool = False) -> Call:
    request.state.dialer = True
    try:
        return await accept(request, body=body, vdn_in_body=True, vdn_optional=vdn_optional)
    except InvalidParameter as exc:
        raise DialerRefused(DialerCode.INVALID_REQUEST, exc.message) from exc


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["dialer"])

    @operation(
        router, "obs.interface", body=schema.INTERFACE, payload={"resultData": {"type": "object"}}
    )
    async def interface(request: Request) -> JSONResponse:
        call = await _accept(request, schema.INTERFACE, vdn_optional=True)
        return dialer_ok(resultData={"version": call.body["version"], **schema.PATHS})

    @operation(router, "obs.mid_result", body=schema.MID_RESULT)
    async def mid_result(request: Request) -> JSONResponse:
        call = await _accept(request, schema.MID_RESULT)
        await call.run(
            call.services.obs.mid_result,
            call.vdn_id,
            call.principal.access_key,
            call.body["serviceId"],
            call.body["uniqueId"],
        )
        return dialer_ok()

    @operation(
        router, "obs.is_holiday", body=schema.IS_HOLIDAY, payload={"resultData": {"type": "object"}}
    )
    async def is_holiday(request: Request) -> JSONResponse:
        call = await _accept(request, schema.IS_HOLIDAY)
        try:
            campaign_id = group_schema.campaign_id(call.body["holidayId"], "holidayId")
        except InvalidParameter as exc:
            raise DialerRefused(DialerCode.INVALID_REQUEST, exc.message) from exc
        holiday = await call.run(call.services.obs.is_holiday, call.vdn_id, campaign_id)
        return dialer_ok(resultData={"isHoliday": "1" if holiday else "0"})

    @operation(
        router,
        "obs.group_call_data",
        body=group_schema.BODY,
        query=group_schema.QUERY,
        payload={"returnObject": {"type": "object"}},
    )
    async def group_call_data(request: Request) -> JSONResponse:
        call = await accept(request, body=group_schema.BODY, query=group_schema.QUERY)
        campaign_id = group_schema.campaign_id(call.query["group_id"], "campaignGroupId")
        records = group_schema.records(call.body)
        outcome = await call.run(
            call.services.numbers.add,
            call.vdn_id,
            campaign_id,
            records,
            True,
        )
        listed = [
            {"called": record["called"], "dataId": str(data_id)}
            for record, data_id in zip(records, outcome.data_ids, strict=True)
        ]
        return ok(
            "create data succeeded",
            returnObject={"totalSize": outcome.uncompleted, "dataIdList": listed},
        )

    return router
