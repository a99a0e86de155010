"""deploy/: the systemd units run command lines `isales` accepts, and stop on the right exits."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
import pytest

from isales.cli import main
from isales.errors import ConfigError, DialerKeyRefused

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def parse(argv: list[str]) -> click.Context:
    """What `isales` would do with ``argv``, without running it: parse errors raise."""
    context = click.Context(main, info_name="isales")
    name, *rest = argv
    command = main.get_command(context, name)
    assert command is not None, f"no command {name}"
    return command.make_context(name, rest, parent=context)


@pytest.mark.parametrize("name", ["isales.service", "isales-dialer.service"])
def test_units_run_a_command_isales_accepts(name, monkeypatch):
    monkeypatch.setenv("ISALES_DIALER_ACCESS_KEY", "AK")  # from the unit's EnvironmentFile
    monkeypatch.setenv("ISALES_DIALER_SECRET_KEY", "SK")
    (command,) = unit(name)["ExecStart"]
    argv = shlex.split(command)
    assert argv[0] == "/opt/isales/.venv/bin/isales"
    parsed = parse(argv[1:])
    assert parsed.info_name in ("serve", "dialer")


def test_server_unit_settings():
    server = unit("isales.service")
    assert "ISALES_CONFIG=/etc/isales/isales.toml" in server["Environment"]
    assert any(e.startswith("PROMETHEUS_MULTIPROC_DIR=/run/isales") for e in server["Environment"])
    assert server["RuntimeDirectory"] == ["isales"]
    assert server["RestartPreventExitStatus"] == [str(ConfigError.exit_code)]


def test_dialer_unit_does_not_restart_on_a_refused_key():
    codes = unit("isales-dialer.service")["RestartPreventExitStatus"][0].split()
    assert str(DialerKeyRefused.exit_code) in codes and str(ConfigError.exit_code) in codes
