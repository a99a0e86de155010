"""A real `isales serve` process, and `isales` commands run as real processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from isales.client import IsalesClient
from isales.config import Settings
from isales.services import Services
from tests.support.api import SUCCESS, campaigns_path
from tests.support.servers import free_port

ISALES = [sys.executable, "-m", "isales"]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without ISALES_* variables (but the deployment's master
    key, which a PostgreSQL store needs), plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ISALES_") or k == "ISALES_MASTER_KEY"
    }
    env.update(extra)
    return env


def isales(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*ISALES, *args],
        cwd=cwd,
        env=env if env is not None else clean_env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result


def one_line_failure(result: subprocess.CompletedProcess, exit_code: int | None = None) -> str:
    """A failure: non-zero exit, exactly one line on stderr, no traceback; returns the line."""
    assert result.returncode != 0, result.stdout
    if exit_code is not None:
        assert result.returncode == exit_code, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@dataclass
class LiveServer:
    url: str
    db: str
    cwd: Path
    process: subprocess.Popen
    log: Path
    keys: list[dict] = field(default_factory=list)

    def key(self, *vdns: int) -> dict:
        args = [a for v in vdns for a in ("--vdn", str(v))]
        created = json.loads(
            ok(isales("keys", "create", *args, "--db", self.db, "--json", cwd=self.cwd)).stdout
        )
        self.keys.append(created)
        return created

    def client(self, *vdns: int) -> IsalesClient:
        created = self.key(*(vdns or (12,)))
        return IsalesClient(self.url, created["accessKey"], created["secretKey"])

    def operator_env(self, key: dict, **extra: str) -> dict[str, str]:
        credentials = {
            "ISALES_SERVER": self.url,
            "ISALES_ACCESS_KEY": key["accessKey"],
            "ISALES_SECRET_KEY": key["secretKey"],
        }
        return clean_env(**{**credentials, **extra})

    def log_lines(self) -> list[str]:
        return self.log.read_text().splitlines()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_serve(
    db: str, cwd: Path, *args: str, env: dict[str, str] | None = None, scheme: str = "http"
) -> LiveServer:
    """`isales serve` on a free port; returns once /healthz answers."""
    port = free_port()
    log = cwd / f"serve-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*ISALES, "serve", "--db", db, "--port", str(port), *args],
            cwd=cwd,
            env=env if env is not None else clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"{scheme}://127.0.0.1:{port}"
    server = LiveServer(url, db, cwd, process, log)
    deadline = time.monotonic() + 60
    verify = False if scheme == "https" else True
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/healthz", timeout=1, verify=verify).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "isales serve did not answer: " + log.read_text()
        time.sleep(0.1)


def isales_script() -> str:
    """The installed ``isales`` console script, as a user runs it."""
    beside = Path(sys.executable).parent / "isales"
    found = str(beside) if beside.exists() else shutil.which("isales")
    assert found, "the isales console script is not installed"
    return found


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The console script with ``args``, in an environment without ISALES_* variables."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ISALES_") or k == "ISALES_MASTER_KEY"  # the deployment's key
    }
    environment.update(env or {})
    return subprocess.run(
        [isales_script(), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def wait_until(predicate, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def _answers(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Served:
    process: subprocess.Popen
    port: int
    access_key: str
    secret_key: str

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> IsalesClient:
        return IsalesClient(self.base_url, self.access_key, self.secret_key)

    def rss(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1]) * 1024

    def peak_rss(self) -> int:
        """The most resident memory the process ever had (``VmHWM``), in bytes."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) * 1024

    def open_files_under(self, directory: Path) -> list[str]:
        """The files under ``directory`` the process holds open (unlinked ones too: their
        link reads ``…/#123 (deleted)``)."""
        held = []
        fds = Path(f"/proc/{self.process.pid}/fd")
        for fd in fds.iterdir():
            try:
                target = os.readlink(fd)
            except FileNotFoundError:  # closed meanwhile
                continue
            if target.startswith(f"{directory}/"):
                held.append(target)
        return held

    def still_serves(self) -> None:
        with self.client() as signed:
            answer = signed.get(campaigns_path(12), params={"status": 0, "deviceType": 0})
        assert answer.status_code == 200 and answer.json()["resultCode"] == SUCCESS

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)


def new_key(db_url: str) -> tuple[str, str]:
    services = Services.build(Settings(db=db_url))
    try:
        key = services.access.create_key([12])
    finally:
        services.close()
    return key.access_key, key.secret_key


@contextmanager
def serving(db_url: str, cwd: Path, **env: object) -> Iterator[Served]:
    """``isales serve`` with ``env`` as ISALES_* settings and a new key granted VDN 12;
    killed (SIGKILL) when the block ends."""
    access_key, secret_key = new_key(db_url)
    port = free_port()
    process = subprocess.Popen(
        [*ISALES, "serve", "--db", db_url, "--port", str(port)],
        cwd=cwd,
        env={**os.environ, **{f"ISALES_{k.upper()}": str(v) for k, v in env.items()}},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    served = Served(process, port, access_key, secret_key)
    try:
        wait_until(lambda: _answers(served.base_url))
        yield served
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
