"""deploy/README.md run as written: every command of its steps, in order, in a fresh folder
on a fresh PostgreSQL database; what needs root, systemd or PostgreSQL's administrator is
left out by name, and the guide says so."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.stores import empty_store

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "deploy" / "README.md"
#: the lines a test machine cannot run (no root, no systemd, no PostgreSQL administrator),
#: by how they start; the guide names each as untested
UNTESTED = (
    "useradd ",
    "python3 -m venv ",
    "/opt/isales/.venv/bin/pip ",
    "sudo -u postgres ",
    "chown ",
    "systemctl ",
    "cp deploy/isales.service ",
    "curl ",
)
GUIDE_STORE = "postgresql://isales:PASSWORD@127.0.0.1:5432/isales"


def guide_commands() -> list[str]:
    """The indented command lines of the numbered steps, in order (TOML examples aside)."""
    commands = []
    for line in GUIDE.read_text().splitlines():
        if line.startswith("    ") and not re.match(r"\s+\w+ = ", line):
            commands.append(line.strip())
    return commands


def test_every_step_of_the_guide_runs(tmp_path):
    commands = guide_commands()
    left_out = [c for c in commands if c.startswith(UNTESTED)]
    # each left-out kind is in the guide (a stale entry here would hide nothing)
    assert {p for p in UNTESTED if any(c.startswith(p) for c in left_out)} == set(UNTESTED)
    text = GUIDE.read_text()
    for word in ("useradd", "`pip install`", "createuser", "chown", "systemctl", "curl", "pg_dump"):
        assert word in text.split("## 1.")[0], f"the guide does not say {word} is untested"

    work = tmp_path / "host"
    shutil.copytree(REPO / "deploy", work / "deploy")  # the checkout's deploy/ folder
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISALES_")}
    with empty_store("postgresql", tmp_path) as store_url:
        script = ["set -euo pipefail"]
        for command in commands:
            if command.startswith(UNTESTED):
                continue
            for path in ("/etc/isales", "/var/lib/isales", "/var/backups/isales"):
                command = command.replace(path, f"{work}{path}")
            command = command.replace("/opt/isales/.venv/bin/", f"{bin_dir}/")
            command = command.replace(GUIDE_STORE, store_url)
            command = command.removeprefix("sudo -u isales ")
            script.append(f"echo '+ step' >&2; {command}")
        result = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, (result.stdout, result.stderr)
    # what the steps made: the configuration, a master key, a migrated store, a key
    env_file = (work / "etc/isales/isales.env").read_text()
    assert re.search(r"^ISALES_MASTER_KEY=[A-Za-z0-9_-]{43}=$", env_file, re.M), env_file
    assert oct((work / "etc/isales/isales.env").stat().st_mode & 0o777) == "0o600"
    assert "access key: AK" in result.stdout
    assert (work / "var/backups/isales/master-key.env").read_text().startswith("ISALES_MASTER_KEY=")


def test_the_example_configuration_names_only_files_the_guide_makes():
    """Every path deploy/isales.toml sets (not in comments) exists in the repository or is
    made by a step of the guide."""
    made = " ".join(guide_commands())
    for line in (REPO / "deploy" / "isales.toml").read_text().splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        value = line.split("=", 1)[1].strip().strip('"')
        if value.startswith("/"):
            assert value in made or (REPO / value.lstrip("/")).exists(), line
