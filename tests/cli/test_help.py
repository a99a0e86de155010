"""`--help` as a stranger reads it: `-h` everywhere, every option explained, one example per
command that the command accepts (docs/operations.md#help-and-shell-completion)."""

from __future__ import annotations

import shlex

import click
import pytest

from isales.cli import main
from isales.cli.examples import EXAMPLES, commands
from tests.support.processes import isales, ok

COMMANDS = commands(main)


def test_every_command_has_an_example():
    assert sorted(EXAMPLES) == sorted(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_option_is_explained(path):
    unexplained = [
        param.opts[0]
        for param in COMMANDS[path].params
        if isinstance(param, click.Option) and not param.hidden and not param.help
    ]
    assert not unexplained, f"isales {path}: options without help: {unexplained}"


def parse(argv: list[str]) -> click.Context:
    """What `isales` would do with ``argv``, without running it: parse errors raise."""
    context = click.Context(main, info_name="isales")
    command: click.Command | None = main
    while isinstance(command, click.Group):
        name, *argv = argv
        command = command.get_command(context, name)
        assert command is not None, f"no command {name}"
        if isinstance(command, click.Group):
            context = click.Context(command, info_name=name, parent=context)
        else:
            context = command.make_context(name, argv, parent=context)
    return context


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_each_example_is_a_command_line_isales_accepts(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the files the examples name in the working folder
    monkeypatch.setenv("ISALES_DIALER_SECRET_KEY", "SK")  # where the dialer's example has it
    for name in ("campaign.json", "numbers.csv"):
        (tmp_path / name).write_text("")
    # the isales command inside a shell line: `echo "X=$(isales …)" >> f`, `isales … > f`
    line = EXAMPLES[path].split(" >")[0].split("$(")[-1].rstrip(')"')
    argv = shlex.split(line)
    assert argv[0] == "isales"
    try:
        assert parse(argv[1:]).command is COMMANDS[path]
    except click.BadParameter as exc:  # a backup under /var/backups: the syntax was accepted
        assert "/var/backups/" in line and "does not exist" in exc.message, exc.message


def test_dash_h_works_on_every_command(tmp_path):
    for path in ["", "keys", "db", *sorted(COMMANDS)]:
        shown = ok(isales(*path.split(), "-h", cwd=tmp_path)).stdout
        assert shown.startswith("Usage: isales"), path
        if path in EXAMPLES:
            assert f"Example:\n    {EXAMPLES[path]}" in shown, shown
