"""`isales config show`: the settings in effect and where each came from."""

from __future__ import annotations

import json

import click

from ..config import Settings, shown_value
from .common import DB_OPTION, loaded_settings


@click.group()
def config() -> None:
    """The settings (defaults, --config file, ISALES_* environment)."""


@config.command("show")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="one JSON object")
def config_show(db: str | None, as_json: bool) -> None:
    """Print every setting, its value (secrets masked) and its source."""
    loaded = loaded_settings(db)
    rows = {
        name: {"value": shown_value(loaded.settings, name), "source": loaded.sources[name]}
        for name in Settings.model_fields
    }
    if as_json:
        click.echo(json.dumps(rows, default=str))
        return
    width = max(map(len, rows))
    for name, row in rows.items():
        click.echo(f"{name:<{width}}  {row['value']!s:<40}  {row['source']}")
    if loaded.config_file:
        click.echo(f"config file: {loaded.config_file}", err=True)
