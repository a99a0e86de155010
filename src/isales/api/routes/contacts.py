"""Routes: contact policies — the VDN's settings, policies and explain
(docs/contact-policies.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...domain.contact_policies import PRESETS
from ...services.contact_policies import Actor
from ...wire.schemas import contact as schema
from ..envelope import ok
from ..openapi import operation
from ..request import Call, accept

_OBJECT = {"type": "object"}
_POLICY_ID = {"policyId": {"type": "integer"}, "version": {"type": "integer"}}


def _actor(call: Call) -> Actor:
    return Actor(call.principal.access_key, call.request_id)


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["contact policies"])

    @operation(router, "contacts.settings_get", payload=_OBJECT)
    async def settings_get(request: Request) -> JSONResponse:
        call = await accept(request)
        answer = await call.run(call.services.contacts.get_settings, call.vdn_id)
        return ok("query contact settings success", **answer)

    @operation(router, "contacts.settings_put", body=schema.SETTINGS_PUT, payload=_OBJECT)
    async def settings_put(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.SETTINGS_PUT)
        changes = schema.settings_changes(call.body)
        answer = await call.run(
            call.services.contacts.put_settings, call.vdn_id, changes, _actor(call)
        )
        return ok("change contact settings succeeded", **answer)

    @operation(
        router,
        "contacts.presets",
        payload={"presets": {"type": "array", "items": _OBJECT}},
    )
    async def presets(request: Request) -> JSONResponse:
        await accept(request)
        return ok("query presets success", presets=[p.wire() for p in PRESETS.values()])

    @operation(router, "contacts.policy_add", body=schema.POLICY, payload=_POLICY_ID)
    async def policy_add(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.POLICY)
        stored = schema.policy_body(call.body)
        policy_id, version = await call.run(
            call.services.contacts.add_policy, call.vdn_id, stored, _actor(call)
        )
        return ok("add contact policy succeeded", policyId=policy_id, version=version)

    @operation(router, "contacts.policy_replace", body=schema.POLICY, payload=_POLICY_ID)
    async def policy_replace(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.POLICY)
        stored = schema.policy_body(call.body)
        policy_id, version = await call.run(
            call.services.contacts.replace_policy,
            call.vdn_id,
            call.path["policyId"],
            stored,
            _actor(call),
        )
        return ok("change contact policy succeeded", policyId=policy_id, version=version)

    @operation(
        router,
        "contacts.policy_list",
        body=schema.POLICY_LIST,
        payload={"data": {"type": "array", "items": _OBJECT}},
    )
    async def policy_list(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.POLICY_LIST, body_optional=True)
        rows = await call.run(
            call.services.contacts.list_policies, call.vdn_id, call.body["includeVersions"] == 1
        )
        return ok("query contact policies success", data=rows)

    @operation(router, "contacts.policy_delete")
    async def policy_delete(request: Request) -> JSONResponse:
        call = await accept(request)
        await call.run(
            call.services.contacts.delete_policy, call.vdn_id, call.path["policyId"], _actor(call)
        )
        return ok("delete contact policy succeeded")

    @operation(router, "contacts.explain", body=schema.EXPLAIN, payload=_OBJECT)
    async def explain(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.EXPLAIN)
        wanted = schema.explain_request(call.body)
        answer = await call.run(call.services.contacts.explain, call.vdn_id, wanted)
        return ok("explain success", **answer)

    return router
