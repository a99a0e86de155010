"""The console under test: its server process, its people, signing in, screenshots."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page

from isales.client import IsalesClient

ISALES = [sys.executable, "-m", "isales"]


CHROMIUM = "/usr/bin/chromium"


#: where the console tests put their screenshots: a folder git ignores, so a test run never
#: changes the tree; ``ISALES_SCREENSHOTS=docs/console`` refreshes the documentation's copies
SCREENSHOTS = Path(
    os.environ.get("ISALES_SCREENSHOTS")
    or Path(__file__).resolve().parents[2] / "build" / "screenshots"
)


WIDE = {"width": 1280, "height": 800}


NARROW = {"width": 390, "height": 844}


#: name -> (role, VDNs); every password is PASSWORD
PEOPLE = {
    "vera": ("viewer", (12,)),
    "otto": ("operator", (12,)),
    "ada": ("admin", (12, 13)),
}


PASSWORD = "correct horse battery"


@dataclass
class ConsoleServer:
    base_url: str
    db_url: str
    access_key: str
    secret_key: str
    process: subprocess.Popen
    foreign_requests: list[str] = field(default_factory=list)

    def api(self) -> IsalesClient:
        """A signed OpenAPI client granted VDNs 12 and 13."""
        return IsalesClient(self.base_url, self.access_key, self.secret_key)

    def url(self, path: str) -> str:
        return self.base_url + path


def run_isales(*args: str, db_url: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [*ISALES, *args, "--db", db_url],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def sign_in(page: Page, server: ConsoleServer, name: str, password: str = PASSWORD) -> None:
    page.goto(server.url("/console/sign-in"))
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def screenshot(page: Page, name: str) -> None:
    """SCREENSHOTS/NAME-wide.png, and NAME-narrow.png at a phone's width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(WIDE)
    page.screenshot(path=SCREENSHOTS / f"{name}-wide.png", full_page=True)
    page.set_viewport_size(NARROW)
    # wide tables scroll inside their frame; the page itself never scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], name
    page.screenshot(path=SCREENSHOTS / f"{name}-narrow.png", full_page=True)
    page.set_viewport_size(WIDE)


def csrf_token(page: Page) -> str:
    """The session's token, as every form of the page carries it."""
    return page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
