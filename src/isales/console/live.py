"""The campaign's live page: agents, calls in progress, abandon rate and pace, refreshed.

The page holds a fragment that the console's own script (htmx) fetches again every
REFRESH_SECONDS; every figure is read by ``OverviewService.live`` in one transaction.
Supervisors (operators and admins: the roles that pause campaigns) pause an agent with the
agent pause interface's own transition (``AgentService.pause_in_campaign``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..domain.agents import PUBLIC_STATES, AgentState, may, public_state
from ..domain.console import Role
from ..errors import AppError
from ..services.overview import PACE_SPANS, CampaignLive
from .campaigns import CAMPAIGN, campaign_context, campaign_url
from .web import SignInNeeded, acting, page, redirect, run, services, signed_in

router = APIRouter()

#: how often the page fetches its figures again
REFRESH_SECONDS = 2
#: agents and calls in progress listed (the counts above them are complete)
AGENTS_SHOWN = 100
CALLS_SHOWN = 20


def held_for(since: datetime, now: datetime) -> str:
    """How long since ``since``, in the two largest units: "45 s", "3 min 12 s", "2 h 5 min"."""
    seconds = max(0, int((now - since).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


def _span(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return "last minute" if minutes == 1 else f"last {minutes} minutes"


def _live_context(live: CampaignLive) -> dict[str, Any]:
    state: AgentState
    agents = []
    for row in live.agents:
        state = row["effective"]
        agents.append(
            {
                "work_no": row["work_no"],
                "sip_uri": row["sip_uri"],
                "state": public_state(state),
                "since": row["state_since"],
                "held_for": held_for(row["state_since"], live.now),
                "pausable": may("pause", state),
            }
        )
    abandon = live.abandon
    return {
        "live": live,
        "agents": agents,
        "by_state": [
            (name, n)
            for name in PUBLIC_STATES
            if (n := sum(1 for agent in agents if agent["state"] == name))
        ],
        "calling_total": live.calling_total,
        "calling": live.calling,
        "abandon": abandon,
        "window_words": {"24h": "24 h", "30d": "30 days"}.get(abandon.window, abandon.window),
        "pace": [(_span(span), n) for span, n in zip(PACE_SPANS, live.ended, strict=True)],
        "per_minute": live.ended[-1] / (PACE_SPANS[-1].total_seconds() / 60),
        "refresh_seconds": REFRESH_SECONDS,
    }


async def _live(request: Request, vdn_id: int, campaign_id: int) -> CampaignLive:
    return await run(
        request,
        services(request).overview.live,
        vdn_id,
        campaign_id,
        AGENTS_SHOWN,
        CALLS_SHOWN,
    )


async def live_view(
    request: Request, vdn_id: int, campaign_id: int, status_code: int = 200, **extra: Any
) -> Response:
    context = await campaign_context(request, vdn_id, campaign_id)
    live = await _live(request, vdn_id, campaign_id)
    return page(
        request,
        "live.html",
        status_code=status_code,
        **context,
        tab="live",
        **_live_context(live),
        **extra,
    )


@router.get(CAMPAIGN + "/live")
async def live_page(request: Request, vdn_id: int, campaign_id: int) -> Response:
    return await live_view(request, vdn_id, campaign_id)


@router.get(CAMPAIGN + "/live/now")
async def live_fragment(request: Request, vdn_id: int, campaign_id: int) -> Response:
    """The live part alone, as the page fetches it every REFRESH_SECONDS."""
    try:
        user = await signed_in(request)
    except SignInNeeded:
        # the session ended: the whole page goes to the sign-in page, not just the fragment
        response = Response(status_code=204)
        response.headers["HX-Redirect"] = campaign_url(vdn_id, campaign_id, "live")
        return response
    user.require_vdn(vdn_id)
    live = await _live(request, vdn_id, campaign_id)
    return page(
        request,
        "live_now.html",
        vdn_id=vdn_id,
        campaign=live.campaign,
        tab="live",
        # the campaign's status and Pause / Resume in the page's heading are replaced too
        oob=True,
        **_live_context(live),
    )


@router.post(CAMPAIGN + "/live/agents/{work_no}/pause")
async def pause_agent(request: Request, vdn_id: int, campaign_id: int, work_no: str) -> Response:
    """Pause one of the campaign's agents: the agent pause interface's transition and rule."""
    await acting(request, Role.OPERATOR, vdn_id)
    try:
        await run(request, services(request).agents.pause_in_campaign, vdn_id, work_no, campaign_id)
    except AppError as exc:
        return await live_view(request, vdn_id, campaign_id, status_code=409, error=exc)
    return redirect(campaign_url(vdn_id, campaign_id, "live"))
