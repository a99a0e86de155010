"""The console in real Chromium against a real ``isales serve``, on both stores."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from isales.config import Settings
from isales.services import Services
from tests.support.api import (
    add_numbers,
    calldata_path,
    campaigns_path,
    claim,
    create_campaign,
    delete,
    numbers,
    report,
    set_status,
)
from tests.support.console import (
    NARROW,
    PASSWORD,
    WIDE,
    ConsoleServer,
    csrf_token,
    run_isales,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.usefixtures("backend")


def status_of(server: ConsoleServer, campaign_id: int, vdn: int = 12) -> int:
    with server.api() as api:
        answer = api.get(f"{campaigns_path(vdn)}/{campaign_id}").json()
    return answer["returnObject"]["status"]


def campaign_page(
    server: ConsoleServer, campaign_id: int, tab: str = "numbers", vdn: int = 12
) -> str:
    return server.url(f"/console/vdn/{vdn}/campaigns/{campaign_id}/{tab}")


@pytest.fixture(scope="module")
def executing(console_server: ConsoleServer) -> int:
    """An executing campaign of VDN 12 with a few numbers."""
    with console_server.api() as api:
        campaign_id = create_campaign(api, init_status=0, name="Winter renewals")
        add_numbers(api, campaign_id, numbers(5, prefix="8613900"))
    return campaign_id


def test_sign_in_refuses_a_wrong_password_and_admits_the_right_one(new_context, console_server):
    page = new_context().new_page()
    page.goto(console_server.url("/console/campaigns"))
    expect(page).to_have_url(re.compile(r"/console/sign-in"))
    screenshot(page, "sign-in")
    sign_in(page, console_server, "otto", "not the password")
    expect(page.get_by_text("Wrong user name or password")).to_be_visible()
    sign_in(page, console_server, "nobody", "not the password")
    expect(page.get_by_text("Wrong user name or password")).to_be_visible()
    sign_in(page, console_server, "otto")
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "isales_session")
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")


def test_sign_out_ends_the_session(person, console_server):
    page = person("vera")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.goto(console_server.url("/console/campaigns"))
    expect(page).to_have_url(re.compile(r"/console/sign-in"))


def test_the_campaign_list_names_each_campaign_with_its_numbers(person, console_server, executing):
    page = person("vera")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Winter renewals"))
    expect(row).to_contain_text("Executing")
    expect(row.get_by_role("cell").nth(4)).to_have_text("5")  # pending
    screenshot(page, "campaigns")


def test_a_viewer_sees_no_pause_and_a_forged_pause_is_refused(person, console_server, executing):
    page = person("vera")
    page.goto(campaign_page(console_server, executing))
    expect(page.locator("#campaign-status")).to_have_text("Executing")
    expect(page.get_by_role("button", name="Pause")).to_have_count(0)
    forged = page.request.post(
        campaign_page(console_server, executing, "pause"),
        form={"csrf_token": csrf_token(page)},
        max_redirects=0,
    )
    assert forged.status == 403
    assert "does not allow" in forged.text()
    assert status_of(console_server, executing) == 2


def test_a_post_without_the_csrf_token_changes_nothing(person, console_server, executing):
    page = person("otto")
    refused = page.request.post(campaign_page(console_server, executing, "pause"), max_redirects=0)
    assert refused.status == 403
    wrong = page.request.post(
        campaign_page(console_server, executing, "pause"),
        form={"csrf_token": "forged"},
        max_redirects=0,
    )
    assert wrong.status == 403
    assert status_of(console_server, executing) == 2


def test_an_operator_pauses_and_resumes(person, console_server, executing):
    page = person("otto")
    page.goto(campaign_page(console_server, executing))
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#campaign-status")).to_have_text("Paused")
    assert status_of(console_server, executing) == 3
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("#campaign-status")).to_have_text("Executing")
    assert status_of(console_server, executing) == 2


def test_roles_and_vdns_are_enforced_on_every_request(person, console_server, executing):
    operator = person("otto")
    expect(operator.get_by_role("link", name="Access keys")).to_have_count(0)
    for path in ("/console/keys", f"/console/vdn/12/campaigns/{executing}/settings"):
        assert operator.request.get(console_server.url(path)).status == 403
    assert operator.request.get(console_server.url("/console/campaigns/new")).status == 403
    with console_server.api() as api:
        elsewhere = create_campaign(api, vdn=13, name="Other tenant")
    assert operator.request.get(campaign_page(console_server, elsewhere, vdn=13)).status == 403
    assert operator.request.get(campaign_page(console_server, elsewhere, vdn=12)).status == 404
    admin = person("ada")
    admin.goto(console_server.url("/console/campaigns"))
    expect(admin.get_by_role("link", name="Other tenant")).to_be_visible()
    admin.get_by_role("link", name="Access keys").click()
    expect(admin.get_by_role("heading", name="Access keys")).to_be_visible()
    admin.get_by_label("VDN 13").check()
    admin.get_by_role("button", name="Create key").click()
    new_key = admin.locator(".secret code").first.inner_text()
    expect(admin.get_by_text("The secret key is shown only now")).to_be_visible()
    screenshot(admin, "access-keys")
    admin.get_by_role("button", name=f"Revoke {new_key}").click()
    expect(admin.get_by_role("status")).to_have_text(f"Revoked {new_key}.")
    services = Services.build(Settings(db=console_server.db_url))
    try:
        audited = [
            (entry["operation"], entry["actor"])
            for entry in services.audit.entries()
            if new_key in entry["detail"]
        ]
    finally:
        services.close()
    assert audited == [("key-create", "user:ada"), ("key-revoke", "user:ada")]


def test_number_search_pages_by_filters(person, console_server):
    with console_server.api() as api:
        campaign_id = create_campaign(api, name="Search me")
        add_numbers(api, campaign_id, numbers(60, prefix="8613700", customField="batch-a"))
        add_numbers(api, campaign_id, [{"called": "8613600000001", "customField": "batch-b"}])
    page = person("vera")
    page.goto(campaign_page(console_server, campaign_id))
    expect(page.locator("tbody tr")).to_have_count(50)
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("tbody tr")).to_have_count(11)
    page.goto(campaign_page(console_server, campaign_id))
    page.get_by_label("Custom field").fill("batch-b")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("8613600000001")
    expect(page.get_by_role("columnheader", name="Number ID")).to_be_visible()
    screenshot(page, "numbers")


def test_an_import_shows_progress_to_completion_and_its_error_report(
    person, console_server, tmp_path
):
    with console_server.api() as api:
        campaign_id = create_campaign(api, name="Imported")
    lines = (
        ["called,customField"] + [f"86135{i:08d},imp" for i in range(1500)] + ["not-a-number,imp"]
    )
    upload = tmp_path / "numbers.csv"
    upload.write_text("\n".join(lines) + "\n")
    page = person("otto")
    page.goto(campaign_page(console_server, campaign_id, "import"))
    expect(page.locator("#import-columns")).to_contain_text("called (required), caller")
    page.get_by_label("File").set_input_files(upload)
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#import-progress")).to_be_visible()
    expect(page.locator("#import-status")).to_have_text("Finished", timeout=60_000)
    expect(page.locator("#import-imported")).to_have_text("1500")
    expect(page.locator("#import-failed")).to_have_text("1")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the error report").click()
    report_text = download.value.path().read_text()
    # the file's row 1502 (the header is row 1) broke the called number's rule
    assert report_text.splitlines()[1].startswith("1502,02000002,")
    page.goto(campaign_page(console_server, campaign_id, "import"))
    recent = page.locator("table").filter(has_text="Imported")
    expect(recent.get_by_role("row").filter(has_text="numbers.csv")).to_have_count(1)
    screenshot(page, "import")
    page.get_by_role("link", name="Numbers", exact=True).click()
    expect(page.locator(".counts")).to_contain_text("1500")


def test_the_same_file_again_is_refused_in_words_unless_ticked(person, console_server, tmp_path):
    with console_server.api() as api:
        campaign_id = create_campaign(api, name="Imported twice")
    upload = tmp_path / "twice.csv"
    upload.write_text("called\n8613600000001\n")
    page = person("otto")
    page.goto(campaign_page(console_server, campaign_id, "import"))
    page.get_by_label("File").set_input_files(upload)
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#import-status")).to_have_text("Finished", timeout=60_000)
    page.goto(campaign_page(console_server, campaign_id, "import"))
    page.get_by_label("File").set_input_files(upload)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("already imported into this campaign by import task")).to_be_visible()
    expect(page.get_by_text("would add each of its numbers a second time")).to_be_visible()
    page.get_by_label("File").set_input_files(upload)
    page.get_by_label("Import again even if already imported").check()
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#import-status")).to_have_text("Finished", timeout=60_000)


def test_statistics_draw_todays_outcomes(person, console_server):
    with console_server.api() as api:
        campaign_id = create_campaign(api, init_status=0, name="Dialled today")
        add_numbers(api, campaign_id, numbers(6, prefix="8613400"))
        claimed = claim(api, campaign_id, 6)
        for index, number in enumerate(claimed):
            report(api, campaign_id, number["uniqueId"], status="6" if index < 4 else "5")
    page = person("vera")
    page.goto(campaign_page(console_server, campaign_id, "statistics"))
    chart = page.get_by_role("img", name=re.compile("Results today by outcome"))
    expect(chart).to_be_visible()
    expect(chart.locator("rect")).to_have_count(2)
    expect(chart).to_contain_text("4")
    expect(page.locator(".counts.stats")).to_contain_text("dailyCalledCount")
    # failCodes in words, from the one table of their meanings
    expect(chart).to_contain_text("Failed · 00603 No answer")
    expect(chart).to_contain_text("Connected · 00000 Connected")
    screenshot(page, "statistics")
    page.get_by_role("link", name="Results").click()
    expect(page.get_by_text("6 results.")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Outcome")).to_be_visible()
    expect(page.get_by_role("cell", name="00603 No answer")).to_have_count(2)
    screenshot(page, "results")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = download.value.path().read_text().splitlines()
    assert exported[0].split(",")[6:8] == ["failCode", "failCodeMeaning"]
    assert sum(",00603,No answer," in line for line in exported) == 2
    page.get_by_role("link", name=re.compile("Detail")).first.click()
    expect(page.get_by_role("heading", name=re.compile("Call call-"))).to_be_visible()
    outcome = re.compile(r"Outcome\s*(00000 Connected|00603 No answer)")
    expect(page.locator("dl")).to_contain_text(outcome)


def test_a_missing_page_or_campaign_says_not_found_with_404(person, console_server):
    page = person("vera")
    for path in ("/console/no-such-page", "/console/vdn/12/campaigns/987654/numbers"):
        answer = page.goto(console_server.url(path))
        assert answer is not None and answer.status == 404, path
        expect(page.get_by_role("heading", name="Not found", exact=True)).to_be_visible()


def test_an_admin_manages_the_blacklist(person, console_server):
    page = person("ada")
    page.get_by_role("link", name="Blacklist").click()
    page.get_by_label("Numbers (comma-separated)").fill("8613311112222, 8613311113333")
    page.get_by_role("button", name="Add to blacklist").click()
    expect(page.get_by_text("2 numbers blacklisted.")).to_be_visible()
    page.get_by_role("button", name="Remove 8613311113333").click()
    expect(page.get_by_text("8613311113333 removed from the blacklist.")).to_be_visible()
    screenshot(page, "blacklist")
    viewer = person("vera")
    viewer.get_by_role("link", name="Blacklist").click()
    expect(viewer.get_by_text("8613311112222")).to_be_visible()
    expect(viewer.get_by_role("button", name=re.compile("Remove"))).to_have_count(0)
    forged = viewer.request.post(
        console_server.url("/console/blacklist/delete"),
        form={"csrf_token": csrf_token(viewer), "vdn": "12", "number": "8613311112222"},
    )
    assert forged.status == 403


def test_a_disabled_user_is_refused_from_the_next_request(person, console_server):
    run_isales(
        "users",
        "create",
        "--name",
        "temp",
        "--role",
        "viewer",
        "--vdn",
        "12",
        db_url=console_server.db_url,
        stdin=PASSWORD + "\n",
    )
    page = person("temp")
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()
    run_isales("users", "disable", "temp", db_url=console_server.db_url)
    page.reload()
    expect(page).to_have_url(re.compile(r"/console/sign-in"))


def preview_api(server: ConsoleServer, campaign_id: int, body: dict) -> dict:
    with server.api() as api:
        return api.post(f"{calldata_path(campaign_id)}/delete/preview", json=body).json()


def history_api(server: ConsoleServer, campaign_id: int, body: dict) -> dict:
    with server.api() as api:
        return api.post(f"{calldata_path(campaign_id)}/history", json=body).json()


@pytest.fixture(scope="module")
def to_clean(console_server: ConsoleServer) -> int:
    """A paused campaign: 10 numbers "gone" (one completed, one calling), 3 "stay"."""
    with console_server.api() as api:
        campaign_id = create_campaign(api, init_status=0, name="Spring clean")
        add_numbers(api, campaign_id, numbers(10, prefix="8613200", customField="gone"))
        add_numbers(api, campaign_id, numbers(3, prefix="8613100", customField="stay"))
        first, _ = claim(api, campaign_id, 2)
        report(api, campaign_id, first["uniqueId"])
        assert set_status(api, campaign_id, "pause")["resultCode"] == "0200000"
    return campaign_id


def test_a_delete_previews_refuses_a_wrong_count_and_deletes_exactly_the_preview(
    person, console_server, to_clean
):
    previewed = preview_api(console_server, to_clean, {"customField": "gone"})
    assert (previewed["matched"], previewed["deletable"]) == (10, 8)
    page = person("otto")
    page.goto(campaign_page(console_server, to_clean))
    page.get_by_role("link", name="Delete numbers").click()
    page.get_by_label("Custom field").fill("gone")
    page.get_by_label("Archive to history").check()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-matched")).to_have_text("10")
    expect(page.locator("#preview-deletable")).to_have_text("8")
    expect(page.locator(".preview")).to_contain_text("Kept: call in progress")
    expect(page.locator(".preview")).to_contain_text("Kept: call completed")
    screenshot(page, "delete-preview")

    page.get_by_label("Type the number of numbers to confirm").fill("7")
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("0209001")
    assert preview_api(console_server, to_clean, {"customField": "gone"})["deletable"] == 8
    screenshot(page, "delete-wrong-count")

    page.get_by_label("Type the number of numbers to confirm").fill("8")
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Moved 8 numbers to history")
    after = preview_api(console_server, to_clean, {"customField": "gone"})
    assert (after["matched"], after["deletable"]) == (2, 0)
    assert preview_api(console_server, to_clean, {"customField": "stay"})["deletable"] == 3
    archived = history_api(console_server, to_clean, {"customField": "gone"})
    assert sorted(row["dataId"] for row in archived["data"]) == sorted(
        row["dataId"] for row in previewed["sample"]
    )
    page.get_by_role("link", name="Audit log").click()
    deletes = page.locator("tbody tr").filter(has_text="number-delete")
    expect(deletes.filter(has_text="user:otto").filter(has_text='"deleted":8')).to_have_count(1)


def test_a_viewer_previews_but_cannot_delete(person, console_server, to_clean):
    page = person("vera")
    page.goto(campaign_page(console_server, to_clean, "delete") + "?custom_field=stay")
    expect(page.locator("#preview-deletable")).to_have_text("3")
    expect(page.get_by_role("button", name="Delete", exact=True)).to_have_count(0)
    forged = page.request.post(
        campaign_page(console_server, to_clean, "delete"),
        form={"csrf_token": csrf_token(page), "custom_field": "stay", "expected_count": "3"},
    )
    assert forged.status == 403
    assert preview_api(console_server, to_clean, {"customField": "stay"})["deletable"] == 3


def test_restore_from_history_and_the_audit_log(person, console_server):
    with console_server.api() as api:
        campaign_id = create_campaign(api, name="Restore some")
        add_numbers(api, campaign_id, numbers(5, prefix="8612900", customField="back"))
        assert (
            delete(api, campaign_id, {"customField": "back", "archiveHistory": 1})["successCount"]
            == 5
        )
    archived = history_api(console_server, campaign_id, {"customField": "back"})["data"]
    page = person("otto")
    page.goto(campaign_page(console_server, campaign_id, "history"))
    for row in archived[:2]:
        page.get_by_label(f"Select {row['called']}").check()
    screenshot(page, "history")
    page.set_viewport_size(NARROW)
    # on a phone an archived number is three short lines, not a card of seven
    card = page.locator("tbody tr").first.bounding_box()
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight) || 24")
    assert card is not None and card["height"] <= 4 * line, (card, line)
    page.set_viewport_size(WIDE)
    page.get_by_role("button", name="Restore", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Restored 2 numbers.")
    left = history_api(console_server, campaign_id, {"customField": "back"})["data"]
    assert {row["dataId"] for row in left} == {row["dataId"] for row in archived[2:]}
    assert preview_api(console_server, campaign_id, {"customField": "back"})["deletable"] == 2
    page.get_by_role("link", name="Audit log").click()
    restores = page.locator("tbody tr").filter(has_text="restore").filter(has_text="user:otto")
    expect(
        restores.filter(
            has_text=f"restored 2 numbers to campaign {campaign_id}, chosen by number ID"
        )
    ).to_have_count(1)
    screenshot(page, "audit-log")


def test_a_whole_delete_is_undone_by_its_request_id(person, console_server):
    with console_server.api() as api:
        campaign_id = create_campaign(api, name="Undo me")
        add_numbers(api, campaign_id, numbers(4, prefix="8613000", customField="oops"))
        deleted = api.post(
            f"{calldata_path(campaign_id)}/delete",
            json={"customField": "oops", "archiveHistory": 1},
        )
    assert deleted.json()["successCount"] == 4
    request_id = deleted.headers["x-request-id"]
    page = person("otto")
    page.goto(campaign_page(console_server, campaign_id, "history") + f"?request_id={request_id}")
    expect(page.get_by_text("4 archived numbers.")).to_be_visible()
    page.get_by_role("button", name="Restore all of this delete").click()
    expect(page.get_by_role("status")).to_have_text("Restored 4 numbers.")
    assert preview_api(console_server, campaign_id, {"customField": "oops"})["deletable"] == 4
    assert history_api(console_server, campaign_id, {"customField": "oops"})["totalCount"] == 0
