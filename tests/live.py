"""A real `isales serve` process, and `isales` commands run as real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from isales.client import IsalesClient
from tests.conftest import free_port

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
