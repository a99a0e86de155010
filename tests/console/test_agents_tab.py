"""The campaign's Agents tab (docs/console.md, "Agents"): agents and their states now."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.agents import AgentDialer, agent_call, create_agent, log_in
from tests.support.api import create_campaign
from tests.support.console import ConsoleServer

pytestmark = pytest.mark.usefixtures("backend")


def agents_tab(server: ConsoleServer, campaign_id: int, vdn: int = 12) -> str:
    return server.url(f"/console/vdn/{vdn}/campaigns/{campaign_id}/agents")


def test_the_agents_tab_shows_each_agent_and_its_state(person, console_server):
    with console_server.api() as api, console_server.api() as dialer_api:
        campaign_id = create_campaign(api, init_status=0, deviceType=6, name="With agents")
        empty = create_campaign(api, init_status=0, deviceType=6, name="Without agents")
        dialer = AgentDialer(dialer_api)
        for work_no in ("ag1", "ag2"):
            create_agent(api, work_no, [campaign_id])
        log_in(api, dialer, "ag1")
        agent_call(api, "ag1", "pause")
    page = person("vera")
    page.goto(agents_tab(console_server, campaign_id))
    expect(page.get_by_text("2 agents work for this campaign.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="ag1")
    expect(row).to_contain_text("PAUSED")
    expect(row).to_contain_text("sip:ag1@127.0.0.1")
    expect(page.get_by_role("row").filter(has_text="ag2")).to_contain_text("LOGGED_OUT")
    page.goto(agents_tab(console_server, empty))
    expect(page.get_by_text("No agent works for this campaign.")).to_be_visible()
