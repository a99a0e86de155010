"""The OpenAPI document: request bodies from the field lists, the real envelope as response."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ..errors import ErrorCode
from ..wire.validation import Schema, json_schema

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
        "description": "signature missing, malformed, expired or wrong (spec/auth.md)",
        "content": _PROBLEM,
    },
    "403": {"description": "the access key is not granted this VDN", "content": _PROBLEM},
    "413": {"description": "request body over the size limit", "content": _PROBLEM},
    "429": {
        "description": "the access key's rate limit (ISALES_RATE_LIMIT_PER_SECOND): see "
        "Retry-After",
        "content": _PROBLEM,
    },
}


def doc(
    summary: str,
    codes: list[str],
    *,
    body: Schema | None = None,
    query: Schema | None = None,
    payload: dict[str, Any] | None = None,
    dialer: bool = False,
) -> dict[str, Any]:
    """Keyword arguments for a route decorator: its documentation."""
    if dialer:
        answer = {"type": "object", "properties": {"result": {"type": "string"}, **(payload or {})}}
    else:
        answer = {**ENVELOPE, "properties": {**ENVELOPE["properties"], **(payload or {})}}
    extra: dict[str, Any] = {
        "responses": {
            "200": {
                "description": "result codes: " + ", ".join(codes),
                "content": {"application/json": {"schema": answer}},
            },
            **_STATUS_RESPONSES,
        }
    }
    if body is not None:
        extra["requestBody"] = {
            "content": {"application/json": {"schema": json_schema(body)}},
            "required": True,
        }
    if query is not None:
        query_schema = json_schema(query)
        extra["parameters"] = [
            {
                "name": name,
                "in": "query",
                "required": name in query_schema["required"],
                "schema": spec,
            }
            for name, spec in query_schema["properties"].items()
        ]
    return {"summary": summary, "openapi_extra": extra}


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
