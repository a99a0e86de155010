"""The console application, mounted at ``/console`` by ``create_app`` (docs/console.md)."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from ..config import Settings
from ..errors import (
    AppError,
    CampaignNotFound,
    ConsoleRefused,
    ImportTaskNotFound,
    IsalesError,
    NumberNotFound,
    SignInFailed,
    VdnNotGranted,
)
from . import campaigns, lifecycle, live, records, tenants
from .web import (
    HERE,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    SignInNeeded,
    form_of,
    page,
    redirect,
    run,
    services,
    signed_in,
    to_sign_in,
)

log = logging.getLogger("isales.console")

#: what a console address can name that may not exist: its page answers 404 "Not found"
MISSING = (CampaignNotFound, NumberNotFound, ImportTaskNotFound)

#: a failed sign-in answers after this long, whatever the cause
FAILED_SIGN_IN_DELAY_SECONDS = 1.0


def _safe_next(target: str | None) -> str:
    """Only a console path: never another site (``//host``) after signing in."""
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return "/console/campaigns"


def build_console(settings: Settings) -> FastAPI:
    console = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    console.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @console.get("/", include_in_schema=False)
    async def home() -> Response:
        return redirect("/console/campaigns")

    @console.get("/sign-in")
    async def sign_in_page(request: Request, next: str | None = None) -> Response:
        return page(request, "sign_in.html", next=_safe_next(next))

    @console.post("/sign-in")
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        name, password = str(form.get("user_name", "")), str(form.get("password", ""))
        target = _safe_next(str(form.get("next", "")))
        client = request.client.host if request.client else "-"
        try:
            session = await run(
                request, services(request).console_users.sign_in, name, password, client
            )
        except ConsoleRefused as exc:
            await asyncio.sleep(FAILED_SIGN_IN_DELAY_SECONDS)
            return page(
                request,
                "sign_in.html",
                status_code=exc.http_status,
                error=exc.message,
                next=target,
                user_name=name,
            )
        response = redirect(target)
        response.set_cookie(
            SESSION_COOKIE,
            session.token,
            max_age=settings.console_session_minutes * 60,
            path="/console",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @console.post("/sign-out")
    async def sign_out(request: Request) -> Response:
        user = await signed_in(request)
        await form_of(request, user)
        await run(
            request, services(request).console_users.sign_out, request.cookies[SESSION_COOKIE]
        )
        response = redirect("/console/sign-in")
        response.delete_cookie(SESSION_COOKIE, path="/console")
        return response

    for part in (campaigns, records, lifecycle, live, tenants):
        console.include_router(part.router)

    @console.exception_handler(SignInNeeded)
    async def need_sign_in(request: Request, exc: SignInNeeded) -> Response:
        return to_sign_in(request)

    @console.exception_handler(IsalesError)
    async def refused(request: Request, exc: IsalesError) -> Response:
        if isinstance(exc, ConsoleRefused | VdnNotGranted) and not isinstance(exc, SignInFailed):
            log.warning(
                "console refused %s %s for %s: %s",
                request.method,
                request.url.path,
                getattr(getattr(request.state, "user", None), "name", "-"),
                exc.message,
            )
            return page(
                request, "message.html", status_code=403, title="Refused", error=exc.message
            )
        if isinstance(exc, MISSING):
            # a page whose campaign, number, call or import does not exist is a 404 page,
            # not a refusal: the address is wrong, nothing was attempted
            return page(
                request, "message.html", status_code=404, title="Not found", error=exc.message
            )
        if isinstance(exc, AppError):
            return page(
                request,
                "message.html",
                status_code=409,
                title="Not done",
                error=exc.message,
                code=str(exc.code),
            )
        log.error("console: %s", exc)
        return page(
            request, "message.html", status_code=500, title="Failed", error="Nothing was changed."
        )

    @console.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> Response:
        log.exception("console: unexpected error on %s", request.url.path, exc_info=exc)
        return page(
            request, "message.html", status_code=500, title="Failed", error="Nothing was changed."
        )

    @console.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        title = "Not found" if exc.status_code == 404 else str(exc.detail)
        return page(request, "message.html", status_code=exc.status_code, title=title)

    @console.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return console
