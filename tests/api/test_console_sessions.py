"""Console sessions over real HTTP: throttled sign-ins, expiry, the console turned off."""

from __future__ import annotations

import httpx

from tests.support.api import MovableClock

PASSWORD = "long enough pw"


def sign_in(base_url: str, name: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}/console/sign-in",
        data={"user_name": name, "password": password},
        follow_redirects=False,
    )


def test_repeated_failures_block_the_name_even_for_the_right_password(make_server):
    clock = MovableClock()
    server = make_server(clock=clock)
    server.services.console_users.create("eve", "viewer", [12], PASSWORD)
    for _ in range(4):
        assert sign_in(server.base_url, "eve", "wrong password").status_code == 401
    blocked = sign_in(server.base_url, "eve", PASSWORD)
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
    clock.advance(2)
    admitted = sign_in(server.base_url, "eve", PASSWORD)
    assert admitted.status_code == 303
    cookie = admitted.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie


def test_a_session_expires_after_the_configured_minutes(make_server):
    clock = MovableClock()
    server = make_server(clock=clock, console_session_minutes=5)
    server.services.console_users.create("fay", "viewer", [12], PASSWORD)
    token = sign_in(server.base_url, "fay", PASSWORD).cookies["isales_session"]
    page = f"{server.base_url}/console/campaigns"
    assert httpx.get(page, cookies={"isales_session": token}).status_code == 200
    clock.advance(5 * 60 + 1)
    expired = httpx.get(page, cookies={"isales_session": token}, follow_redirects=False)
    assert expired.status_code == 303 and "/console/sign-in" in expired.headers["location"]


def test_the_console_can_be_turned_off(make_server):
    server = make_server(console=False)
    assert httpx.get(f"{server.base_url}/console/sign-in").status_code == 404
    assert httpx.get(f"{server.base_url}/healthz").status_code == 200


def test_sign_in_sends_nobody_elsewhere(make_server):
    server = make_server()
    server.services.console_users.create("gus", "viewer", [12], PASSWORD)
    answer = httpx.post(
        f"{server.base_url}/console/sign-in",
        data={"user_name": "gus", "password": PASSWORD, "next": "//evil.example/console/"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/console/campaigns"
