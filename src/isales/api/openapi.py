"""The OpenAPI document: request bodies from the field lists, the real envelope as response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi

from ..errors import FIELD_CODES, DialerCode, ErrorCode
from ..wire.validation import Schema, json_schema, schema_codes
from .request import settle
from .route_table import BY_KEY, DIALER_MEANINGS, PATH_PATTERNS, PATH_RANGES, Route

ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["resultCode", "resultDesc", "returnCode", "returnDesc"],
    "properties": {
        "resultCode": {
            "type": "string",
            "description": "0200000 on success",
            "enum": [str(c) for c in ErrorCode],
        },
        "resultDesc": {"type": "string"},
        "returnCode": {"type": "string", "description": "same as resultCode"},
        "returnDesc": {"type": "string", "description": "same as resultDesc"},
    },
}

_PROBLEM = {
    "application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}
}
_STATUS_RESPONSES = {
    "401": {
        "description": "signature missing, malformed, expired or wrong (docs/api.md)",
        "content": _PROBLEM,
    },
    "403": {"description": "the access key is not granted this VDN", "content": _PROBLEM},
    "413": {"description": "request body over the size limit", "content": _PROBLEM},
    "429": {
        "description": "the access key's rate limit (ISALES_RATE_LIMIT_PER_SECOND): see "
        "Retry-After; or, before the body is read, too many bodies over 1 MiB at once "
        "(ISALES_MAX_LARGE_BODIES per process, ISALES_MAX_LARGE_BODIES_PER_KEY)",
        "content": _PROBLEM,
    },
}


def _described(codes: list[str], dialer: bool) -> str:
    """``result codes: …``; the field codes as their range, the dialer's with meanings."""
    if dialer:
        return "result codes: " + ", ".join(
            f"{code} {DIALER_MEANINGS[DialerCode(code)]}" for code in codes
        )
    fields = {str(code) for code in FIELD_CODES}
    listed = [code for code in codes if code not in fields]
    if fields <= set(codes):
        listed.append(f"{min(fields)}-{max(fields)}")
    return "result codes: " + ", ".join(listed)


def _path_parameters(route: Route) -> list[dict[str, Any]]:
    parameters = []
    for name in route.path_parameters:
        # published as a string, as CC-iSales clients send it; a value that is not an
        # integer in its range is answered with a result code (02000006, 02000007), not
        # refused, so the range is said in words
        parameter: dict[str, Any] = {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
        }
        if name in PATH_RANGES:
            low, high = PATH_RANGES[name]
            parameter["description"] = f"an integer from {low} to {high}"
        elif name in PATH_PATTERNS:
            parameter["description"] = PATH_PATTERNS[name][1]
        parameters.append(parameter)
    return parameters


def doc(
    route: Route,
    *,
    body: Schema | None = None,
    query: Schema | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for a route decorator: its documentation, from its table entry."""
    if route.dialer:
        answer = {"type": "object", "properties": {"result": {"type": "string"}, **(payload or {})}}
    else:
        answer = {**ENVELOPE, "properties": {**ENVELOPE["properties"], **(payload or {})}}
    extra_codes = [str(c) for schema in (body, query) if schema for c in schema_codes(schema)]
    extra: dict[str, Any] = {
        "responses": {
            "200": {
                "description": _described(route.codes(*extra_codes), route.dialer),
                "content": {"application/json": {"schema": answer}},
            },
            **_STATUS_RESPONSES,
        },
        "parameters": _path_parameters(route),
    }
    if route.flow_control is not None:
        extra["responses"]["429"] = {"description": route.flow_control}
    if body is not None:
        body_schema = json_schema(body)
        extra["requestBody"] = {
            "content": {
                "application/json": {"schema": body_schema, "example": _example(body_schema)}
            },
            "required": True,
        }
    if query is not None:
        query_schema = json_schema(query)
        extra["parameters"] += [
            {
                "name": name,
                "in": "query",
                "required": name in query_schema["required"],
                "schema": spec if name in query_schema["required"] else _without_example(spec),
            }
            for name, spec in query_schema["properties"].items()
        ]
    return {"summary": route.summary, "openapi_extra": extra}


def _example(schema: dict[str, Any]) -> dict[str, Any]:
    """What Swagger UI's "Try it out" starts from: the required members only. Left to
    itself it fills every optional filter with a placeholder ("string", a sample time),
    and a query sent like that matches nothing."""
    return {
        name: _sample(schema["properties"][name])
        for name in schema.get("required", [])
        if name in schema.get("properties", {})
    }


def _sample(spec: dict[str, Any]) -> Any:
    if "example" in spec:
        return spec["example"]
    if "enum" in spec:
        return spec["enum"][0]
    kind = spec.get("type")
    if kind == "object":
        return _example(spec)
    if kind == "array":
        return []
    if kind == "integer":
        return max(spec.get("minimum", 0), 0)
    if kind == "boolean":
        return False
    return "string"


def _without_example(spec: dict[str, Any]) -> dict[str, Any]:
    """An optional query parameter's schema with its example moved into the words: Swagger
    UI pre-fills a parameter with its example, and an optional filter pre-filled hides
    what the caller did not ask to hide."""
    if "example" not in spec:
        return spec
    rest = {k: v for k, v in spec.items() if k != "example"}
    words = rest.get("description", "")
    rest["description"] = f"{words}; e.g. {spec['example']}" if words else f"e.g. {spec['example']}"
    return rest


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def operation(
    router: APIRouter,
    key: str,
    *,
    body: Schema | None = None,
    query: Schema | None = None,
    payload: dict[str, Any] | None = None,
) -> Callable[[Endpoint], Endpoint]:
    """Register a handler under its route table entry ``key`` (path, method, summary and
    codes come from the table; ``body``, ``query`` and ``payload`` document its fields)."""
    route = BY_KEY[key]

    def register(endpoint: Endpoint) -> Endpoint:
        async def handler(request: Request) -> Response:
            # an accepted request's authentication is finished before its answer leaves,
            # whether or not a service call of the handler did it (request.settle)
            try:
                answer = await endpoint(request)
            except Exception:
                await settle(request)
                raise
            await settle(request)
            return answer

        handler.__name__, handler.__doc__ = endpoint.__name__, endpoint.__doc__
        handler.route_key = endpoint.route_key = key  # type: ignore[attr-defined]
        router.add_api_route(
            route.path,
            handler,
            methods=list(route.methods),
            include_in_schema=route.documented,
            **(doc(route, body=body, query=query, payload=payload) if route.documented else {}),
        )
        return endpoint

    return register


def install(app: FastAPI) -> None:
    """Build the document once, without FastAPI's 422 answers (validation answers 200 here)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, routes=app.routes, description=app.description
            )
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    operation.get("responses", {}).pop("422", None)
            schema.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
            schema.get("components", {}).get("schemas", {}).pop("ValidationError", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
