"""Routes: file servers (cec_07_4050-4053) and the blacklist import from one (cec_07_4028)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import blackfile
from ...wire.schemas import file_servers as schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept
from .blackfile import BLACKFILE, submitted

FILE = "/rest/isales/v1/openapi/campaigns/{vdnId}/file"
_FIELD_CODES = "02000001-02000011"
_FETCH_CODES = ["0200000", "0200001", "0200006", "0200029", "0200033", _FIELD_CODES]


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["file servers"])

    @router.post(
        FILE + "/addServer",
        **doc(
            "Add an SFTP file server",
            ["0200000", "0200001", "0200005", "0200006", _FIELD_CODES],
            body=schema.ADD,
            payload={"returnObject": {"type": "object"}},
        ),
    )
    async def add_server(request: Request, vdnId: str) -> JSONResponse:
        call = await accept(request, body=schema.ADD)
        values = schema.server_values(call.body)
        server_id = await call.run(call.services.file_servers.add, call.vdn_id, values)
        return ok("success", returnObject={"serverId": str(server_id)})

    @router.post(
        FILE + "/{serverId}/updateServer",
        **doc(
            "Change an SFTP file server",
            ["0200000", "0200001", "0200005", "0200006", "0200033", _FIELD_CODES],
            body=schema.UPDATE,
        ),
    )
    async def update_server(request: Request, vdnId: str, serverId: str) -> JSONResponse:
        call = await accept(request, path=("vdnId", "serverId"), body=schema.UPDATE)
        values = schema.server_values(call.body)
        await call.run(
            call.services.file_servers.update, call.vdn_id, call.path["serverId"], values
        )
        return ok("success")

    @router.post(
        FILE + "/{serverId}/deleteServer",
        **doc(
            "Delete an SFTP file server",
            ["0200000", "0200001", "0200006", "0200033", _FIELD_CODES],
        ),
    )
    async def delete_server(request: Request, vdnId: str, serverId: str) -> JSONResponse:
        call = await accept(request, path=("vdnId", "serverId"))
        await call.run(call.services.file_servers.delete, call.vdn_id, call.path["serverId"])
        return ok("success")

    @router.post(
        FILE + "/queryServer",
        **doc(
            "List the VDN's file servers (never their passwords)",
            ["0200000", "0200001", "0200006", _FIELD_CODES],
            body=schema.QUERY,
            payload={
                "server": {"type": "array", "items": {"type": "object"}},
                "count": {"type": "integer"},
            },
        ),
    )
    async def query_servers(request: Request, vdnId: str) -> JSONResponse:
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

    @router.post(
        BLACKFILE + "/uploadFileServer",
        **doc(
            "Import a blacklist file from a file server",
            _FETCH_CODES,
            body=blackfile.FROM_SERVER,
            payload={"returnObject": {"type": "object"}},
        ),
    )
    async def blacklist_from_server(request: Request, vdnId: str) -> JSONResponse:
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
