"""`GET /docs`: Swagger UI served offline by isales, signing "Try it out" in a real Chromium."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import Page

from tests.support.api import add_numbers, create_campaign, numbers

pytestmark = pytest.mark.usefixtures("backend")


@pytest.fixture(scope="module")
def page(server, browser):
    context = browser.new_context()
    try:
        outside: list[str] = []
        # offline: every request the page makes goes to isales itself
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(server.base_url)
                or route.request.url.startswith("data:")
                else (outside.append(route.request.url), route.abort())
            ),
        )
        opened = context.new_page()
        opened.goto(f"{server.base_url}/docs")
        opened.wait_for_selector(".opblock-summary")
        yield opened
        assert outside == []
    finally:
        context.close()


def sign_in_page(page: Page, access_key: str, secret_key: str) -> None:
    page.get_by_label("Access key").fill(access_key)
    page.get_by_label("Secret key").fill(secret_key)
    page.get_by_role("button", name="Sign requests").click()
    assert page.get_by_role("status").text_content() == f"signing as {access_key}"
    assert page.get_by_label("Secret key").input_value() == ""  # not left in the form


def try_it_out(page: Page, summary: str, path: dict[str, str], body: str | None = None) -> dict:
    description = page.locator(".opblock-summary-description").get_by_text(summary, exact=True)
    operation = page.locator(".opblock", has=description)
    operation.locator(".opblock-summary").click()
    block = page.locator(".opblock.is-open", has=description)
    block.get_by_role("button", name="Try it out").click()
    for name, value in path.items():
        block.locator(f'tr[data-param-name="{name}"] input').fill(value)
    if body is not None:
        block.locator("textarea.body-param__text").fill(body)
    block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    answer = {
        "status": int(status.text_content().strip()),
        "body": json.loads(
            block.locator(".live-responses-table tbody pre.microlight").first.text_content()
        ),
    }
    block.get_by_role("button", name="Cancel").click()
    operation.locator(".opblock-summary").click()  # folded again
    return answer


def test_try_it_out_sends_signed_requests(server, page):
    key = server.services.access.create_key([12])
    with server.client() as admin:
        campaign_id = create_campaign(admin)
        add_numbers(admin, campaign_id, numbers(3, customField="docs"))
    sign_in_page(page, key.access_key, key.secret_key)

    one = try_it_out(page, "Query one campaign", {"vdnId": "12", "campaignId": str(campaign_id)})
    assert one["status"] == 200 and one["body"]["resultCode"] == "0200000"
    assert one["body"]["returnObject"]["id"] == campaign_id

    preview = try_it_out(
        page,
        "Preview a delete: what the same body would delete and keep; changes nothing",
        {"vdnId": "12", "campaignId": str(campaign_id)},
        body='{"customField": "docs"}',
    )
    assert preview["body"]["resultCode"] == "0200000" and preview["body"]["deletable"] == 3


def test_try_it_out_leaves_optional_filters_empty_and_lists_the_campaigns(server, page):
    key = server.services.access.create_key([12])
    with server.client() as admin:
        campaign_id = create_campaign(admin, name="Listed in the docs")
    sign_in_page(page, key.access_key, key.secret_key)
    description = page.locator(".opblock-summary-description").get_by_text(
        "List campaigns", exact=True
    )
    operation = page.locator(".opblock", has=description)
    operation.locator(".opblock-summary").click()
    block = page.locator(".opblock.is-open", has=description)
    block.get_by_role("button", name="Try it out").click()
    for name in ("beginTime", "endTime", "name"):
        assert block.locator(f'tr[data-param-name="{name}"] input').input_value() == "", name
    block.locator('tr[data-param-name="vdnId"] input').fill("12")
    for name in ("status", "deviceType"):
        block.locator(f'tr[data-param-name="{name}"] select').select_option("0")
    block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    answer = json.loads(
        block.locator(".live-responses-table tbody pre.microlight").first.text_content()
    )
    assert answer["resultCode"] == "0200000"
    assert campaign_id in [c["id"] for c in answer["data"]]
    block.get_by_role("button", name="Cancel").click()
    operation.locator(".opblock-summary").click()


def test_a_query_body_starts_from_its_required_members_only(server):
    spec = httpx.get(f"{server.base_url}/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if media is None:
                continue
            required = set(media["schema"].get("required", []))
            assert set(media["example"]) == required, (method, path)


def test_without_a_key_the_server_refuses(server, page):
    page.reload()
    page.wait_for_selector(".opblock-summary")
    refused = try_it_out(page, "Query one campaign", {"vdnId": "12", "campaignId": "1"})
    assert refused["status"] == 401


def test_assets_are_served_by_isales(server):
    html = httpx.get(f"{server.base_url}/docs").text
    assert "http://" not in html and "https://" not in html
    for asset in ("swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css", "signing.js"):
        assert httpx.get(f"{server.base_url}/docs/assets/{asset}").status_code == 200
