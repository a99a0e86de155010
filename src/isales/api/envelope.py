"""Answers: the CC-iSales envelope, and the one place errors become HTTP responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import (
    AppError,
    AuthError,
    DialerCode,
    DialerRefused,
    ErrorCode,
    FlowControlled,
    InvalidParameter,
    IsalesError,
    StoreFailure,
    Unauthenticated,
)

log = logging.getLogger("isales.api")


def envelope(code: str = ErrorCode.SUCCESS, desc: str = "", **payload: Any) -> dict[str, Any]:
    return {
        "resultCode": str(code),
        "resultDesc": desc,
        "returnCode": str(code),
        "returnDesc": desc,
        **payload,
    }


def ok(desc: str = "", **payload: Any) -> JSONResponse:
    return JSONResponse(envelope(ErrorCode.SUCCESS, desc, **payload))


def dialer_ok(**payload: Any) -> JSONResponse:
    return JSONResponse({"result": "0", **payload})


def refusal(status: int, message: str) -> JSONResponse:
    """An HTTP refusal after which the server closes the connection.

    The gate's refusals (before the body is read) and an authentication failure found
    after it (a wrong signature on a known key) take this one form, so the two 401s are
    indistinguishable on the wire: headers, body and the closed connection alike. Which
    access keys exist must not show (docs/api.md#limits-and-protections).
    """
    return JSONResponse({"error": message}, status_code=status, headers={"connection": "close"})


def error_response(request: Request, exc: Exception) -> JSONResponse:
    """Translate any exception into the answer the client gets; never an HTTP 500."""
    request_id = getattr(request.state, "request_id", "-")
    if isinstance(exc, Unauthenticated):
        log.info("request %s refused: %s", request_id, exc.message)
        return refusal(exc.http_status, exc.message)
    if isinstance(exc, AuthError | FlowControlled):
        log.info("request %s refused: %s", request_id, exc.message)
        retry_after = getattr(exc, "retry_after_seconds", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return JSONResponse({"error": exc.message}, status_code=exc.http_status, headers=headers)
    if isinstance(exc, DialerRefused):
        return JSONResponse({"result": str(exc.code), "resultDesc": exc.message})
    if getattr(request.state, "dialer", False) and not isinstance(exc, HTTPException):
        if not isinstance(exc, AppError):
            log.exception("request %s: unexpected error", request_id, exc_info=exc)
        code = (
            DialerCode.INVALID_REQUEST
            if isinstance(exc, InvalidParameter)
            else DialerCode.STORE_FAILURE
        )
        return JSONResponse({"result": str(code), "resultDesc": getattr(exc, "message", "failed")})
    if isinstance(exc, AppError):
        if isinstance(exc, StoreFailure):
            log.error("request %s: store failure", request_id, exc_info=exc.__cause__ or exc)
        return JSONResponse(
            envelope(exc.code, exc.message, **getattr(request.state, "error_payload", {}))
        )
    if isinstance(exc, HTTPException):
        headers = getattr(exc, "headers", None)
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=headers)
    if isinstance(exc, IsalesError):
        log.error("request %s: %s", request_id, exc)
    else:
        log.exception("request %s: unexpected error", request_id, exc_info=exc)
    failure = StoreFailure("internal error; nothing was changed")
    return JSONResponse(
        envelope(failure.code, failure.message, **getattr(request.state, "error_payload", {}))
    )
