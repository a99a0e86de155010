"""What the operator commands share: they are clients of a running server (signed OpenAPI).

Credentials: ``--server`` / ``ISALES_SERVER``, ``--access-key`` / ``ISALES_ACCESS_KEY`` and
``ISALES_SECRET_KEY``, or ``--profile NAME`` (``ISALES_PROFILE``) from
``~/.config/isales/credentials.toml``; an option or variable wins over the profile, and
the profile ``default`` is used when none is named and the file has one.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import httpx

from ..client import IsalesClient
from ..errors import CommandFailed, CredentialsRefused

DEFAULT_SERVER = "http://127.0.0.1:8080"
SUCCESS = "0200000"
V1 = "/rest/isales/v1/openapi/campaigns"
V2 = "/rest/isales/v2/openapi/campaigns"


def credentials_file() -> Path:
    return Path.home() / ".config" / "isales" / "credentials.toml"


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> None:
    if value:
        ctx.meta[f"isales.{param.name}"] = value


def remote_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--server``, ``--access-key``, ``--profile``, ``--json`` (kept in the click context)."""
    hidden: dict[str, Any] = {"expose_value": False, "callback": _remember}
    options = [
        click.option(
            "--server", help=f"server URL (or ISALES_SERVER; default {DEFAULT_SERVER})", **hidden
        ),
        click.option(
            "--access-key",
            help="access key (or ISALES_ACCESS_KEY; secret in ISALES_SECRET_KEY)",
            **hidden,
        ),
        click.option(
            "--profile",
            help="profile of ~/.config/isales/credentials.toml (or ISALES_PROFILE)",
            **hidden,
        ),
        click.option("--json", "as_json", is_flag=True, help="machine-readable output", **hidden),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _profile(name: str | None) -> dict[str, str]:
    path = credentials_file()
    if not path.is_file():
        if name:
            raise CommandFailed(f"profile {name!r} asked for, but {path} does not exist")
        return {}
    try:
        profiles = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CommandFailed(f"{path} is not valid TOML: {exc}") from None
    chosen = name or "default"
    if chosen not in profiles:
        if name:
            raise CommandFailed(f"no profile {name!r} in {path} (it has: {', '.join(profiles)})")
        return {}
    return {key: str(value) for key, value in profiles[chosen].items()}


@dataclass
class Remote:
    client: IsalesClient
    server: str
    as_json: bool

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        accept: Sequence[str] = (SUCCESS,),
    ) -> dict[str, Any]:
        """One signed request; anything but an accepted resultCode ends the command."""
        return self.answer(
            lambda: self.client.request(method, path, json=json_body, params=params), accept
        )

    def answer(
        self, send: Callable[[], httpx.Response], accept: Sequence[str] = (SUCCESS,)
    ) -> dict[str, Any]:
        try:
            response = send()
        except httpx.TransportError as exc:
            raise CommandFailed(
                f"cannot reach the server at {self.server} ({exc or type(exc).__name__}); "
                "is `isales serve` running there? (--server, ISALES_SERVER)"
            ) from None
        if response.status_code in (401, 403):
            raise CredentialsRefused(
                f"the server refused access key {self.client.access_key} "
                f"(HTTP {response.status_code}: {response.text[:120]}); check the key, "
                "ISALES_SECRET_KEY or the profile, and the key's VDN grants"
            )
        if response.status_code != 200:
            raise CommandFailed(
                f"the server answered HTTP {response.status_code}: {response.text[:200]}"
            )
        answer = response.json()
        code = answer.get("resultCode")
        if code not in accept:
            raise CommandFailed(f"the server refused: {code} {answer.get('resultDesc', '')}")
        return answer

    def echo_json(self, value: Any) -> None:
        click.echo(json.dumps(value, ensure_ascii=False))


def remote() -> Remote:
    """The signed client the options and environment describe."""
    meta = click.get_current_context().meta
    profile = _profile(meta.get("isales.profile") or os.environ.get("ISALES_PROFILE"))
    server = (
        meta.get("isales.server")
        or os.environ.get("ISALES_SERVER")
        or profile.get("server")
        or DEFAULT_SERVER
    )
    access_key = (
        meta.get("isales.access_key")
        or os.environ.get("ISALES_ACCESS_KEY")
        or profile.get("access_key")
    )
    secret_key = os.environ.get("ISALES_SECRET_KEY") or profile.get("secret_key")
    if not access_key or not secret_key:
        raise CommandFailed(
            "no credentials: set ISALES_ACCESS_KEY and ISALES_SECRET_KEY, or pass --profile "
            f"NAME with a profile in {credentials_file()}"
        )
    return Remote(
        IsalesClient(server, access_key, secret_key), server, bool(meta.get("isales.as_json"))
    )


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Columns as wide as their widest cell."""
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


VDN_OPTION = click.option("--vdn", type=click.IntRange(1, 9999), required=True, help="VDN id")
