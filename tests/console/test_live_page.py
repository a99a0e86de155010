"""The campaign's live page (docs/console.md, "Live"): it follows the agents, the calls and
the abandon rate without a reload; supervisors pause an agent and the campaign there."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.agents import AgentDialer, agent_call, create_agent, log_in, state_of
from tests.support.api import add_numbers, claim, create_campaign, report, set_status
from tests.support.console import ConsoleServer, csrf_token, screenshot

pytestmark = pytest.mark.usefixtures("backend")

#: the page refreshes every 2 s; a change must be on screen within a few refreshes
SEEN_WITHIN_MS = 8000


def live_tab(server: ConsoleServer, campaign_id: int, vdn: int = 12) -> str:
    return server.url(f"/console/vdn/{vdn}/campaigns/{campaign_id}/live")


def mark_page(page: Page) -> None:
    """A value that lives only as long as this document: a reload would drop it."""
    page.evaluate("window.sameDocument = true")


def still_same_document(page: Page) -> bool:
    return page.evaluate("window.sameDocument === true")


def agent_row(page: Page, work_no: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#agent-{work_no}")


def test_the_live_page_follows_agents_calls_and_abandons_without_a_reload(person, console_server):
    with console_server.api() as api, console_server.api() as dialer_api:
        campaign_id = create_campaign(api, init_status=0, name="Live sales")
        dialer = AgentDialer(dialer_api)
        for work_no in ("ag1", "ag2"):
            create_agent(api, work_no, [campaign_id])
        log_in(api, dialer, "ag1")
        data_ids = add_numbers(api, campaign_id, [{"called": f"1390000{i:04d}"} for i in range(5)])
        page = person("otto")
        page.goto(live_tab(console_server, campaign_id))
        expect(agent_row(page, "ag1")).to_contain_text("READY")
        expect(agent_row(page, "ag2")).to_contain_text("LOGGED_OUT")
        expect(page.locator("#agent-ag1")).to_contain_text(re.compile(r"\d+ s"))
        expect(page.locator("#calls-in-progress")).to_have_text("0")
        expect(page.locator("#abandon-words")).to_contain_text(
            "0.0 % of the 3 % cap, 24 h window: 0 abandoned of 0 live answers."
        )
        mark_page(page)

        # an agent's state changes through the interface: the row follows
        agent_call(api, "ag1", "pause")
        expect(agent_row(page, "ag1")).to_contain_text("PAUSED", timeout=SEEN_WITHIN_MS)
        # and through the dialer-facing interfaces: a dialer answers ag2's login leg
        log_in(api, dialer, "ag2")
        expect(agent_row(page, "ag2")).to_contain_text("READY", timeout=SEEN_WITHIN_MS)

        # a dialer claims numbers: calls in progress appear; results arrive: the figures move
        claimed = [item["uniqueId"] for item in claim(dialer_api, campaign_id, 3)]
        assert claimed, "the dialer was given no number"
        expect(page.locator("#calls-in-progress")).to_have_text(
            str(len(claimed)), timeout=SEEN_WITHIN_MS
        )
        expect(page.get_by_role("cell", name="13900000000")).to_be_visible()
        assert report(dialer_api, campaign_id, claimed[0]) == {"result": "0"}
        assert report(dialer_api, campaign_id, claimed[1], status="5", fail_code="01046") == {
            "result": "0"
        }
        expect(page.locator("#abandon-words")).to_contain_text(
            "50.0 % of the 3 % cap, 24 h window: 1 abandoned of 2 live answers.",
            timeout=SEEN_WITHIN_MS,
        )
        expect(page.locator("#pace-minute")).to_have_text("2")
        expect(page.locator("#calls-in-progress")).to_have_text(str(len(claimed) - 2))
        expect(
            page.get_by_role("status").filter(has_text="over the cap: the predictive")
        ).to_be_visible()
        assert still_same_document(page), "the page was reloaded"
        assert set(data_ids) >= set(claimed)
        # a supervisor may pause the READY agent, not the one already paused
        expect(page.get_by_role("button", name="Pause agent ag2")).to_be_visible()
        expect(page.get_by_role("button", name="Pause agent ag1")).to_have_count(0)
        screenshot(page, "live")


def test_a_supervisor_pauses_an_agent_and_the_campaign_from_the_live_page(person, console_server):
    with console_server.api() as api, console_server.api() as dialer_api:
        campaign_id = create_campaign(api, init_status=0, name="Supervised")
        dialer = AgentDialer(dialer_api)
        create_agent(api, "sv1", [campaign_id])
        log_in(api, dialer, "sv1")
        page = person("otto")
        page.goto(live_tab(console_server, campaign_id))
        expect(agent_row(page, "sv1")).to_contain_text("READY")
        # a keyboard user's focus stays on the button across refreshes
        page.get_by_role("button", name="Pause agent sv1").focus()
        read_at = page.locator("#live-at").text_content()
        expect(page.locator("#live-at")).not_to_have_text(read_at or "", timeout=SEEN_WITHIN_MS)
        assert page.evaluate("document.activeElement.id") == "pause-agent-sv1"
        page.keyboard.press("Enter")
        expect(agent_row(page, "sv1")).to_contain_text("PAUSED")
        expect(page.get_by_role("button", name="Pause agent sv1")).to_have_count(0)
        assert state_of(api, "sv1") == "PAUSED"
        assert page.url.endswith("/live")

        page.locator("#campaign-control").get_by_role("button", name="Pause").click()
        expect(page.locator("#campaign-status")).to_have_text("Paused")
        assert page.url.endswith("/live")
        mark_page(page)
        # resumed through the interface: the heading follows without a reload
        assert set_status(api, campaign_id, "resume")["resultCode"] == "0200000"
        expect(page.locator("#campaign-status")).to_have_text("Executing", timeout=SEEN_WITHIN_MS)
        expect(
            page.locator("#campaign-control").get_by_role("button", name="Pause")
        ).to_be_visible()
        assert still_same_document(page)


def test_a_viewer_cannot_pause_an_agent_or_the_campaign(person, console_server):
    with console_server.api() as api, console_server.api() as dialer_api:
        campaign_id = create_campaign(api, init_status=0, name="Watched")
        dialer = AgentDialer(dialer_api)
        create_agent(api, "vw1", [campaign_id])
        log_in(api, dialer, "vw1")
    page = person("vera")
    page.goto(live_tab(console_server, campaign_id))
    expect(agent_row(page, "vw1")).to_contain_text("READY")
    expect(page.get_by_role("button", name=re.compile("Pause|Resume"))).to_have_count(0)
    token = csrf_token(page)  # the sign-out form's: a valid token of the viewer's own session
    base = f"/console/vdn/12/campaigns/{campaign_id}"
    for path in (f"{base}/live/agents/vw1/pause", f"{base}/pause"):
        answer = page.request.post(
            console_server.url(path), form={"csrf_token": token, "tab": "live"}
        )
        assert answer.status == 403, path
    with console_server.api() as api:
        assert state_of(api, "vw1") == "READY"
    page.reload()
    expect(page.locator("#campaign-status")).to_have_text("Executing")


def test_pausing_an_agent_needs_the_csrf_token_and_an_agent_of_the_campaign(person, console_server):
    with console_server.api() as api, console_server.api() as dialer_api:
        campaign_id = create_campaign(api, init_status=0, name="Guarded")
        other = create_campaign(api, init_status=0, name="Elsewhere")
        dialer = AgentDialer(dialer_api)
        create_agent(api, "gd1", [other])
        log_in(api, dialer, "gd1")
    page = person("otto")
    page.goto(live_tab(console_server, campaign_id))
    base = f"/console/vdn/12/campaigns/{campaign_id}"
    without = page.request.post(console_server.url(f"{base}/live/agents/gd1/pause"), form={})
    assert without.status == 403
    elsewhere = page.request.post(
        console_server.url(f"{base}/live/agents/gd1/pause"), form={"csrf_token": csrf_token(page)}
    )
    assert elsewhere.status == 409
    assert "does not work for that campaign" in elsewhere.text()
    with console_server.api() as api:
        assert state_of(api, "gd1") == "READY"


def test_the_live_part_alone_is_refused_without_a_session(console_server, backend):
    answer = httpx.get(console_server.url("/console/vdn/12/campaigns/1/live/now"))
    assert answer.status_code == 204
    assert answer.headers["HX-Redirect"] == "/console/vdn/12/campaigns/1/live"
