"""Routes: business-result definitions and display results of a VDN.

The rules: docs/api.md#business-result-definitions-and-display-results.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import definitions as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept

_LIST = {"type": "array", "items": {"type": "object"}}


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["definitions"])

    @operation(
        router,
        "definitions.add_business_result",
        body=schema.ADD_BUSINESS_RESULT,
        payload={"returnObject": {"type": "object", "properties": {"code": {"type": "string"}}}},
    )
    async def add_business_result(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.ADD_BUSINESS_RESULT)
        schema.check_children(call.body)
        code = await call.run(call.services.definitions.add_business_result, call.vdn_id, call.body)
        return ok("add business result success", returnObject={"code": code})

    @operation(
        router,
        "definitions.query_business_results",
        query=schema.PAGE_QUERY,
        payload={"totalCount": {"type": "integer"}, "data": _LIST},
    )
    async def query_business_results(request: Request) -> JSONResponse:
        call = await accept(request, query=schema.PAGE_QUERY)
        total, entries = await call.run(
            call.services.definitions.business_results,
            call.vdn_id,
            call.query["pageNum"],
            call.query["pageSize"],
        )
        data = [schema.wire_business_result(row, children) for row, children in entries]
        return ok("query business results success", totalCount=total, data=data)

    @operation(
        router,
        "definitions.create_display_result",
        body=schema.CREATE_DISPLAY_RESULT,
        payload={"defId": {"type": "string"}},
    )
    async def create_display_result(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.CREATE_DISPLAY_RESULT)
        fail_codes = schema.fail_codes(call.body)
        def_id = await call.run(
            call.services.definitions.create_display_result,
            call.vdn_id,
            call.body["resultCode"],
            call.body["displayResult"],
            fail_codes,
        )
        return ok("createObResult Success!", defId=str(def_id))

    @operation(router, "definitions.delete_display_result")
    async def delete_display_result(request: Request) -> JSONResponse:
        call = await accept(request)
        await call.run(
            call.services.definitions.delete_display_result, call.vdn_id, call.path["defId"]
        )
        return ok("deleteObsResult Success!")

    @operation(
        router,
        "definitions.query_display_results",
        query=schema.PAGE_QUERY,
        payload={"totalCount": {"type": "integer"}, "data": _LIST},
    )
    async def query_display_results(request: Request) -> JSONResponse:
        call = await accept(request, query=schema.PAGE_QUERY)
        total, rows = await call.run(
            call.services.definitions.display_results,
            call.vdn_id,
            call.query["pageNum"],
            call.query["pageSize"],
        )
        data = [schema.wire_display_result(row) for row in rows]
        return ok("queryOBSResults Success!", totalCount=total, data=data)

    @operation(router, "definitions.query_display_result", payload={"obResult": {"type": "object"}})
    async def query_display_result(request: Request) -> JSONResponse:
        call = await accept(request)
        row, codes = await call.run(
            call.services.definitions.display_result, call.vdn_id, call.path["defId"]
        )
        return ok("queryObsResultDetail success", obResult=schema.wire_display_detail(row, codes))

    @operation(
        router,
        "definitions.query_result_codes",
        query=schema.PAGE_QUERY,
        payload={"totalCount": {"type": "integer"}, "obsCodes": _LIST},
    )
    async def query_result_codes(request: Request) -> JSONResponse:
        call = await accept(request, query=schema.PAGE_QUERY)
        start = (call.query["pageNum"] - 1) * call.query["pageSize"]
        page = schema.OBS_CODES[start : start + call.query["pageSize"]]
        return ok(
            "query queryOBSResultCode Success!",
            totalCount=len(schema.OBS_CODES),
            obsCodes=[{"obsCodeDesc": desc, "obsCode": code} for code, desc in page],
        )

    return router
