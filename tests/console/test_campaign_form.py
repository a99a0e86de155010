"""The campaign form of the console: values entered become the interface body, every wrong
field is shown next to it, and the JSON view stays for experts (docs/console.md).

Its own module, so its campaigns live in a store of their own."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.support.api import (
    campaigns_path,
)
from tests.support.console import (
    ConsoleServer,
    screenshot,
)

pytestmark = pytest.mark.usefixtures("backend")


def campaign_answer(server: ConsoleServer, campaign_id: int, vdn: int = 12) -> dict:
    with server.api() as api:
        answer = api.get(f"{campaigns_path(vdn)}/{campaign_id}").json()
    return answer["returnObject"]


def campaign_names(server: ConsoleServer, part: str, vdn: int = 12) -> set[str]:
    """The names of the VDN's campaigns whose name holds ``part``."""
    with server.api() as api:
        answer = api.get(
            campaigns_path(vdn), params={"status": 0, "deviceType": 0, "name": part}
        ).json()
    assert answer["resultCode"] == "0200000", answer
    return {row["name"] for row in answer["data"]}


def test_a_campaign_made_with_the_form_has_the_values_entered_and_edits_prefilled(
    person, console_server
):
    page = person("ada")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name", exact=True).fill("Made with the form")
    page.get_by_label("Begins (UTC)").fill("2030-03-01T08:00")
    page.get_by_label("Ends (UTC)").fill("2030-04-01T20:00")
    page.get_by_label("Kind of campaign").select_option(label="Preview")
    page.get_by_label("Calling number").fill("10010")
    page.get_by_label("Ring for at most (seconds)").fill("40")
    page.get_by_label("Skill ID").fill("7")
    page.get_by_label("Starts").select_option(label="paused")
    page.get_by_label("Window 1 from").fill("08:30")
    page.get_by_label("Window 1 until").fill("12:00")
    page.get_by_label("Window 2 from").fill("13:00")
    page.get_by_label("Window 2 until").fill("17:30")
    page.get_by_label("Days with attempts").fill("2")
    page.get_by_label("Attempts a day").fill("3")
    page.get_by_role("button", name="Create campaign", exact=True).click()
    expect(page.get_by_role("heading", name="Made with the form")).to_be_visible()
    found = re.search(r"/campaigns/([0-9]+)/", page.url)
    assert found, page.url
    campaign_id = int(found.group(1))
    made = campaign_answer(console_server, campaign_id)
    assert made["strBeginTime"] == "2030-03-01 08:00:00"
    assert made["strEndTime"] == "2030-04-01 20:00:00"
    assert made["deviceType"] == 5
    assert [caller["accessCode"] for caller in made["callerNo"]] == ["10010"]
    assert made["maxAlertingTime"] == 40
    assert made["skillParam"] == {"skillId": 7}
    assert made["status"] == 3  # paused
    assert {k: v for k, v in made["scheduleParam"].items() if v} == {
        "workdayBeginTime1": "08:30",
        "workdayEndTime1": "12:00",
        "workdayBeginTime2": "13:00",
        "workdayEndTime2": "17:30",
    }
    assert made["retryPolicy"]["policyType"] == 0
    assert json.loads(made["retryPolicy"]["policyJson"]) == [
        {"type": 0, "retryDay": 2, "retryTimes": 3}
    ]
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Made with the form")
    expect(page.get_by_label("Begins (UTC)")).to_have_value("2030-03-01T08:00")
    expect(page.get_by_label("Kind of campaign")).to_have_value("5")
    expect(page.get_by_label("Calling number")).to_have_value("10010")
    expect(page.get_by_label("Ring for at most (seconds)")).to_have_value("40")
    expect(page.get_by_label("Skill ID")).to_have_value("7")
    expect(page.get_by_label("Window 2 until")).to_have_value("17:30")
    expect(page.get_by_label("Window 3 from")).to_have_value("")
    expect(page.get_by_label("Days with attempts")).to_have_value("2")
    expect(page.get_by_label("Attempts a day")).to_have_value("3")
    page.get_by_label("Ring for at most (seconds)").fill("45")
    page.get_by_role("button", name="Save campaign", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Campaign saved.")
    expect(page.get_by_label("Ring for at most (seconds)")).to_have_value("45")
    saved = campaign_answer(console_server, campaign_id)
    assert saved["maxAlertingTime"] == 45
    assert saved["retryPolicy"] == made["retryPolicy"]  # what the form did not change stays
    assert saved["scheduleParam"] == made["scheduleParam"]
    screenshot(page, "campaign-settings")
    page.get_by_label("Type the campaign's name to confirm").fill("Made with the form")
    page.get_by_role("button", name="Delete campaign").click()
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()
    expect(page.get_by_role("link", name="Made with the form")).to_have_count(0)


def test_every_wrong_field_of_the_form_is_shown_next_to_it_and_nothing_is_made(
    person, console_server
):
    page = person("ada")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name", exact=True).fill("Two wrong fields")
    page.get_by_label("Calling number").fill("10-10")
    page.get_by_label("Ring for at most (seconds)").fill("200")
    page.get_by_role("button", name="Create campaign", exact=True).click()
    caller = page.locator("[data-field=callerNo] .field-error")
    ring = page.locator("[data-field=maxAlertingTime] .field-error")
    expect(caller).to_have_text("02000002 callerNo[0].accessCode: only 0-9 are allowed")
    expect(ring).to_have_text("02000007 maxAlertingTime: must be between 5 and 60")
    expect(page.locator(".field-error")).to_have_count(2)
    expect(page.get_by_label("Calling number")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Two wrong fields")  # kept
    screenshot(page, "campaign-new")
    assert campaign_names(console_server, "Two wrong") == set()
    # a rule between fields is shown at the field it names
    page.get_by_label("Calling number").fill("1010")
    page.get_by_label("Ring for at most (seconds)").fill("30")
    page.get_by_label("Window 1 from").fill("12:00")
    page.get_by_label("Window 1 until").fill("09:00")
    page.get_by_role("button", name="Create campaign", exact=True).click()
    expect(page.locator("[data-field=workdayEndTime1] .field-error")).to_have_text(
        "02000009 scheduleParam: workdayEndTime1 must be after workdayBeginTime1"
    )
    assert campaign_names(console_server, "Two wrong") == set()


def test_the_json_view_stays_for_experts_with_the_api_codes(person, console_server):
    page = person("ada")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_text("Expert: the interface body as JSON").click()
    body = page.get_by_label("Campaign (JSON)")
    body.fill('{"name": "broken"}')
    page.get_by_role("button", name="Create campaign from JSON").click()
    expect(page.get_by_role("alert")).to_have_text("02000001 strBeginTime: is mandatory")
    page.goto(console_server.url("/console/campaigns/new"))
    page.get_by_text("Expert: the interface body as JSON").click()
    body.fill(body.input_value().replace('"spring"', '"Made from JSON"'))
    page.get_by_role("button", name="Create campaign from JSON").click()
    expect(page.get_by_role("heading", name="Made from JSON")).to_be_visible()
    assert campaign_names(console_server, "from JSON") == {"Made from JSON"}


def stored_settings(server: ConsoleServer, campaign_id: int) -> dict:
    """The dialing-setting columns as the store holds them (None: the default)."""
    from sqlalchemy import select

    from isales.store import schema
    from isales.store.engine import make_engine

    engine = make_engine(server.db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                select(schema.campaigns).where(schema.campaigns.c.id == campaign_id)
            ).mappings()
            found = dict(row.one())
    finally:
        engine.dispose()
    return {
        "abandon_target": found["abandon_target"],
        "abandon_cap": found["abandon_cap"],
        "wrap_up_seconds": found["wrap_up_seconds"],
        "abandon_redial_hours": found["abandon_redial_hours"],
    }


def test_saving_the_form_keeps_the_dialing_settings_it_does_not_show(person, console_server):
    """The form does not show the agent campaigns' dialing settings: a save keeps the ones
    set and leaves the others unset (following the defaults), and a wrong one given in the
    JSON view is refused with its code."""
    body = {
        "name": "Dialing settings kept",
        "strBeginTime": "2030-03-01 08:00:00",
        "strEndTime": "2030-04-01 20:00:00",
        "deviceType": 2,
        "callerNo": [{"accessCode": "10086", "priority": 1}],
        "maxAlertingTime": 30,
        "scheduleParam": {"workdayBeginTime1": "08:00", "workdayEndTime1": "20:00"},
        "skillParam": {"skillId": 3, "predictParam": {"callRatio": 2}},
        "abandonTarget": 2,
        "wrapUpSeconds": 30,
    }
    with console_server.api() as api:
        answer = api.post(campaigns_path(12, 2), json=body).json()
    assert answer["resultCode"] == "0200000", answer
    campaign_id = answer["returnObject"]["id"]
    before = stored_settings(console_server, campaign_id)
    assert before == {
        "abandon_target": 2.0,
        "abandon_cap": None,
        "wrap_up_seconds": 30,
        "abandon_redial_hours": None,
    }
    page = person("ada")
    page.goto(console_server.url(f"/console/vdn/12/campaigns/{campaign_id}/settings"))
    page.get_by_label("Ring for at most (seconds)").fill("45")
    page.get_by_role("button", name="Save campaign", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Campaign saved.")
    saved = campaign_answer(console_server, campaign_id)
    assert saved["maxAlertingTime"] == 45
    assert (saved["abandonTarget"], saved["abandonCap"], saved["wrapUpSeconds"]) == (2.0, 3.0, 30)
    assert saved["skillParam"] == {"skillId": 3, "predictParam": {"callRatio": 2}}
    assert stored_settings(console_server, campaign_id) == before
    page.get_by_text("Expert: the interface body as JSON").click()
    json_body = page.get_by_label("Campaign (JSON)")
    json_body.fill(json.dumps({**body, "abandonCap": 1.5}))
    page.get_by_role("button", name="Save campaign from JSON").click()
    expect(page.get_by_role("alert")).to_have_text(
        "02000009 abandonTarget must not be above abandonCap"
    )
    assert stored_settings(console_server, campaign_id) == before
