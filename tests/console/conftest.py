"""A real ``isales serve`` process per store, real Chromium, and people of every role.

Chromium is Debian's (``/usr/bin/chromium``; ``scripts/test`` installs it with apt), driven
through Playwright. Every request the browser makes is intercepted: one that would leave
127.0.0.1 is aborted and recorded, and the module fails if there was any.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from tests.support.console import (
    ISALES,
    PASSWORD,
    PEOPLE,
    WIDE,
    ConsoleServer,
    run_isales,
    sign_in,
)
from tests.support.servers import free_port


@pytest.fixture(scope="module")
def console_server(db_url: str) -> Iterator[ConsoleServer]:
    for name, (role, vdns) in PEOPLE.items():
        vdn_args = [arg for vdn in vdns for arg in ("--vdn", str(vdn))]
        run_isales(
            "users",
            "create",
            "--name",
            name,
            "--role",
            role,
            *vdn_args,
            db_url=db_url,
            stdin=PASSWORD + "\n",
        )
    key = json.loads(
        run_isales("keys", "create", "--vdn", "12", "--vdn", "13", "--json", db_url=db_url)
    )
    port = free_port()
    env = {**os.environ, "ISALES_IMPORT_SWEEP_SECONDS": "0.2"}
    process = subprocess.Popen(
        [*ISALES, "serve", "--db", db_url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base_url + "/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "isales serve did not start"
        time.sleep(0.1)
    server = ConsoleServer(base_url, db_url, key["accessKey"], key["secretKey"], process)
    yield server
    process.terminate()
    _, errors = process.communicate(timeout=30)
    assert "Traceback" not in errors, errors
    assert server.foreign_requests == [], "the console reached outside the machine"


def _local_only(server: ConsoleServer) -> object:
    def check(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            server.foreign_requests.append(route.request.url)
            route.abort()

    return check


@pytest.fixture
def new_context(browser: Browser, console_server: ConsoleServer) -> Iterator:
    """Browser contexts (each its own cookies) that may only reach 127.0.0.1."""
    made: list[BrowserContext] = []

    def make(viewport: dict | None = None) -> BrowserContext:
        context = browser.new_context(viewport=viewport or WIDE, accept_downloads=True)
        context.route("**/*", _local_only(console_server))
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def person(new_context, console_server: ConsoleServer):  # type: ignore[no-untyped-def]
    """A signed-in page for one of PEOPLE."""

    def make(name: str, viewport: dict | None = None) -> Page:
        page = new_context(viewport).new_page()
        sign_in(page, console_server, name)
        page.get_by_role("button", name="Sign out").wait_for()
        return page

    return make
