"""Routes: file servers (cec_07_4050-4053) and the blacklist import from one (cec_07_4028)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import blackfile
from ...wire.schemas import file_servers as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept
from .blackfile import submitted


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["file servers"])

    @operation(
        router,
        "file_servers.add_server",
        body=schema.ADD,
        payload={"serverId": {"type": "string"}, "returnObject": {"type": "object"}},
    )
    async def add_server(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.ADD)
        values = schema.server_values(call.body)
        server_id = await call.run(call.services.file_servers.add, call.vdn_id, values)
        # Huawei's response table answers serverId beside resultCode; returnObject keeps it
        # for the clients written against isales' earlier answer.
        return ok("success", serverId=str(server_id), returnObject={"serverId": str(server_id)})

    @operation(router, "file_servers.update_server", body=schema.UPDATE)
    async def update_server(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.UPDATE)
        values = schema.server_values(call.body)
        await call.run(
            call.services.file_servers.update, call.vdn_id, call.path["serverId"], values
        )
        return ok("success")

    @operation(router, "file_servers.delete_server")
    async def delete_server(request: Request) -> JSONResponse:
        call = await accept(request)
        await call.run(call.services.file_servers.delete, call.vdn_id, call.path["serverId"])
        return ok("success")

    @operation(
        router,
        "file_servers.query_servers",
        body=schema.QUERY,
        payload={
            "server": {"type": "array", "items": {"type": "object"}},
            "count": {"type": "integer"},
        },
    )
    async def query_servers(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.QUERY)
        ids = call.body["server_ids"]
        total, servers = await call.run(
            call.services.file_servers.page,
            call.vdn_id,
            [schema.server_id(i) for i in ids] if ids else None,
            call.body["offset"],
            call.body["limit"],
        )
        return ok("success", server=[schema.wire_server(s) for s in servers], count=total)

    @operation(
        router,
        "file_servers.blacklist_from_server",
        body=blackfile.FROM_SERVER,
        payload={"returnObject": {"type": "object"}},
    )
    async def blacklist_from_server(request: Request) -> JSONResponse:
        call = await accept(request, body=blackfile.FROM_SERVER)
        hour, minute = blackfile.schedule(call.body)
        server_id = schema.server_id(call.body["server_id"])
        file_name = call.body["file_name"]
        content = await call.run(
            call.services.file_servers.fetch,
            call.vdn_id,
            server_id,
            call.body["file_path"],
            file_name,
        )
        task_id, total = await call.run(
            call.services.blacklist_imports.submit,
            call.vdn_id,
            file_name,
            content,
            server_id,
            hour,
            minute,
        )
        return submitted(task_id, file_name, total)

    return router
