"""README.md's "First steps", extracted from the README and run against a real `isales serve`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.processes import isales, ok, start_serve

pytestmark = pytest.mark.usefixtures("backend")

README = Path(__file__).resolve().parents[2] / "README.md"


def first_steps() -> tuple[str, str]:
    """The key-creating command line and the Python example of "First steps"."""
    section = README.read_text().split("## First steps", 1)[1].split("\n## ", 1)[0]
    command = re.search(r"^    \.venv/bin/(isales keys create [^#\n]*?)\s*#", section, re.M)
    script = re.search(r"<<'PY'\n(.*?)\n    PY\n", section, re.S)
    assert command and script, "README's first steps changed shape; update this test"
    return command.group(1), textwrap.dedent(script.group(1))


def test_the_readme_example_runs_twice(db_url, tmp_path):
    command, script = first_steps()
    server = start_serve(db_url, tmp_path)
    try:
        args = command.split()[1:]
        created = json.loads(ok(isales(*args, "--json", "--db", db_url, cwd=tmp_path)).stdout)
        env = server.operator_env(created)
        for _ in range(2):  # fixed names or dates would fail the second run, or a later day
            result = subprocess.run(
                [sys.executable, "-c", script],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0, result.stderr
            assert re.fullmatch(
                r"campaign \d+: 1 number deleted \(kept in history\)\n", result.stdout
            )
    finally:
        server.stop()


def test_the_readme_example_stops_on_a_result_code(db_url, tmp_path):
    _, script = first_steps()
    assert script.count('"10086"') == 1
    server = start_serve(db_url, tmp_path)
    try:
        created = server.key(12)
        result = subprocess.run(
            [sys.executable, "-c", script.replace('"10086"', '"not a number"')],
            cwd=tmp_path,
            env=server.operator_env(created),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1
        assert re.fullmatch(r"/rest/isales/v1/openapi/campaigns/12: 0200\d+ .+\n", result.stderr)
    finally:
        server.stop()
