"""Routes: agents (docs/api.md#agents-isales-extension)."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...services.agents import LOGIN_POLL_SECONDS
from ...wire.schemas import agents as schema
from ..envelope import ok
from ..openapi import operation
from ..request import Call, accept

_OBJECT = {"returnObject": {"type": "object"}}


def _work_no(call: Call) -> str:
    """The path's workNo (``accept`` checked it: PATH_PATTERNS)."""
    return str(call.path["workNo"])


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["agents"])

    @operation(router, "agents.create", body=schema.CREATE, payload=_OBJECT)
    async def create(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.CREATE)
        work_no, sip_uri, campaign_ids = schema.create_request(call.body)
        row = await call.run(
            call.services.agents.create, call.vdn_id, work_no, sip_uri, campaign_ids
        )
        return ok("agent created", returnObject=schema.wire_agent(row))

    @operation(
        router,
        "agents.list_",
        body=schema.LIST,
        payload={"returnObject": {"type": "object"}},
    )
    async def list_(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.LIST)
        body = call.body
        total, rows = await call.run(
            call.services.agents.list_page,
            call.vdn_id,
            body["campaignId"],
            body["offset"],
            body["limit"],
        )
        return ok(
            returnObject={"totalCount": total, "data": [schema.wire_agent(row) for row in rows]}
        )

    @operation(router, "agents.login", payload=_OBJECT)
    async def login(request: Request) -> JSONResponse:
        call = await accept(request)
        agents, work_no = call.services.agents, _work_no(call)
        # waited for here, on the event loop, between short reads: a login waiting for its
        # phone holds no worker thread (services/agents.py, begin_login)
        seconds = await call.run(agents.begin_login, call.vdn_id, work_no)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await asyncio.sleep(LOGIN_POLL_SECONDS)
            row = await call.run(agents.login_outcome, call.vdn_id, work_no)
            if row is not None:
                return ok(returnObject=schema.wire_state(row))
        row = await call.run(agents.end_login, call.vdn_id, work_no)
        return ok(returnObject=schema.wire_state(row))

    @operation(router, "agents.ready", payload=_OBJECT)
    async def ready(request: Request) -> JSONResponse:
        call = await accept(request)
        row = await call.run(call.services.agents.ready, call.vdn_id, _work_no(call))
        return ok(returnObject=schema.wire_state(row))

    @operation(router, "agents.pause", payload=_OBJECT)
    async def pause(request: Request) -> JSONResponse:
        call = await accept(request)
        row = await call.run(call.services.agents.pause, call.vdn_id, _work_no(call))
        return ok(returnObject=schema.wire_state(row))

    @operation(router, "agents.logout", payload=_OBJECT)
    async def logout(request: Request) -> JSONResponse:
        call = await accept(request)
        row = await call.run(call.services.agents.logout, call.vdn_id, _work_no(call))
        return ok(returnObject=schema.wire_state(row))

    @operation(router, "agents.next", body=schema.NEXT, payload=_OBJECT)
    async def next_(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.NEXT, body_optional=True)
        held = await call.run(
            call.services.agents.next, call.vdn_id, _work_no(call), call.body.get("campaignId")
        )
        if held is None:
            return ok("no record is due now", returnObject=None)
        return ok(returnObject=schema.wire_preview(held.campaign, held.number, held.until))

    @operation(router, "agents.dial", body=schema.RECORD, payload=_OBJECT)
    async def dial(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.RECORD)
        row = await call.run(
            call.services.agents.dial, call.vdn_id, _work_no(call), call.body["dataId"]
        )
        return ok(returnObject=schema.wire_state(row))

    @operation(router, "agents.skip", body=schema.RECORD, payload=_OBJECT)
    async def skip(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.RECORD)
        row = await call.run(
            call.services.agents.skip, call.vdn_id, _work_no(call), call.body["dataId"]
        )
        return ok(returnObject=schema.wire_state(row))

    @operation(router, "agents.delete")
    async def delete(request: Request) -> JSONResponse:
        call = await accept(request)
        await call.run(call.services.agents.delete, call.vdn_id, _work_no(call))
        return ok("agent deleted")

    return router
