"""What every console page shares: the signed-in user, CSRF, rendering, refusals.

The console is a client of the services like the OpenAPI routes are: a form becomes the
interface's wire body, checked by the interface's own schema, then the same service call.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ..domain.console import Role
from ..domain.states import CampaignStatus, NumberState
from ..errors import CsrfRejected
from ..services import Services
from ..services.console_users import ConsoleUser
from ..wire.validation import Schema, validate_object

T = TypeVar("T")

SESSION_COOKIE = "isales_session"
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(
    Role=Role,
    NumberState=NumberState,
    STATUS_NAMES={
        CampaignStatus.EXECUTING: "Executing",
        CampaignStatus.PAUSED: "Paused",
        CampaignStatus.COMPLETED: "Completed",
    },
)
_macros = templates.env.get_template("macros.html").module
templates.env.globals.update(
    {name: getattr(_macros, name) for name in ("problem", "note", "csrf", "pager")}
)

#: every answer of the console; nothing is loaded from anywhere but isales itself
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class SignInNeeded(Exception):
    """No live session: the browser goes to the sign-in page."""


def services(request: Request) -> Services:
    return request.app.state.services


async def run(request: Request, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (blocking) service call off the event loop."""
    return await run_in_threadpool(function, *args, **kwargs)


async def signed_in(request: Request, needed: Role = Role.VIEWER) -> ConsoleUser:
    """The user of the request's session, allowed ``needed``; checked on every request."""
    token = request.cookies.get(SESSION_COOKIE)
    user = await run(request, services(request).console_users.session, token) if token else None
    if user is None:
        raise SignInNeeded()
    user.require(needed)
    request.state.user = user
    return user


async def form_of(request: Request, user: ConsoleUser) -> FormData:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form()
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
    if not isinstance(sent, str) or not hmac.compare_digest(sent, user.csrf_token):
        raise CsrfRejected()
    return form


async def acting(
    request: Request, needed: Role, vdn_id: int | None = None
) -> tuple[ConsoleUser, FormData]:
    """A state-changing request: a session allowed ``needed`` on ``vdn_id``, and a valid form."""
    user = await signed_in(request, needed)
    if vdn_id is not None:
        user.require_vdn(vdn_id)
    return user, await form_of(request, user)


def text(form: FormData | dict, name: str) -> str | None:
    """A form field's text, None when absent or blank."""
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def wire_body(schema: Schema, values: dict[str, Any]) -> dict[str, Any]:
    """Check form values as the interface's body: the same schema, rules and result codes."""
    return validate_object({k: v for k, v in values.items() if v is not None}, schema, "")


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    user = getattr(request.state, "user", None)
    response = templates.TemplateResponse(
        request, template, {"user": user, **context}, status_code=status_code
    )
    response.headers.update(SECURITY_HEADERS)
    return response


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def to_sign_in(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"/console/sign-in?next={quote(target, safe='')}")
