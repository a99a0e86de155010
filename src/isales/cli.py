"""The ``isales`` command (spec/contract.md, "Command line")."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from .config import Settings
from .services import Services
from .store import Store
from .store.migrate import upgrade

_DB_OPTION = click.option(
    "--db", envvar="ISALES_DB", default=None, help="SQLAlchemy URL (default: ./isales.db, SQLite)"
)


def _settings(db: str | None, **overrides: object) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if db:
        values["db"] = db
    return Settings(**values)


def _migrated(settings: Settings) -> Store:
    store = Store(settings.db)
    upgrade(store.engine)
    return store


@click.group()
def main() -> None:
    """isales: outbound-campaign server, wire-compatible with the CC-iSales OpenAPI."""


def _driver_options(command):  # type: ignore[no-untyped-def]
    """The simulated driver's knobs, shared by `isales dialer` and `isales serve --dialer`."""
    options = [
        click.option(
            "--driver",
            type=click.Choice(["simulated"]),
            default="simulated",
            show_default=True,
            help="telephony driver",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 1000),
            default=10,
            show_default=True,
            help="calls at once",
        ),
        click.option(
            "--cps",
            type=click.FloatRange(min=0.01),
            default=5.0,
            show_default=True,
            help="calls started per second",
        ),
        click.option(
            "--outcomes",
            default="00000=60,00603=25,00537=10,00538=5",
            show_default=True,
            help="failCode=weight mix of simulated outcomes",
        ),
        click.option("--ring", default="2-8", show_default=True, help="ringing seconds, low-high"),
        click.option("--talk", default="5-30", show_default=True, help="talk seconds, low-high"),
        click.option(
            "--time-scale",
            type=click.FloatRange(min=0),
            default=1.0,
            show_default=True,
            help="multiply every simulated duration (0.01: a 30 s call takes 0.3 s)",
        ),
        click.option("--seed", type=int, default=None, help="seed of the simulated outcomes"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _make_dialer(server_url, access_key, secret_key, vdns, options):  # type: ignore[no-untyped-def]
    from .client import IsalesClient
    from .dialer import Dialer, SimulatedDriver
    from .dialer.simulated import parse_outcomes, parse_range

    try:
        driver = SimulatedDriver(
            outcomes=parse_outcomes(options["outcomes"]),
            ring_seconds=parse_range(options["ring"]),
            talk_seconds=parse_range(options["talk"]),
            time_scale=options["time_scale"],
            seed=options["seed"],
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    return Dialer(
        lambda: IsalesClient(server_url, access_key, secret_key),
        list(vdns),
        driver,
        concurrency=options["concurrency"],
        calls_per_second=options["cps"],
    )


def _log_setup() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per dialer poll otherwise


@main.command()
@_DB_OPTION
@click.option("--host", default=None, help="listen address (default 127.0.0.1)")
@click.option("--port", type=int, default=None, help="listen port (default 8080)")
@click.option("--dialer", "with_dialer", is_flag=True, help="also run the built-in dialer")
@click.option(
    "--dialer-vdn",
    "dialer_vdns",
    type=click.IntRange(1, 9999),
    multiple=True,
    help="VDN the built-in dialer serves (repeatable; needed with --dialer)",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="server processes sharing the port",
)
@_driver_options
def serve(
    db: str | None,
    host: str | None,
    port: int | None,
    with_dialer: bool,
    dialer_vdns: tuple[int, ...],
    workers: int,
    **driver_options: object,
) -> None:
    """Run the OpenAPI server (applies pending migrations first)."""
    import asyncio
    import threading

    import uvicorn

    from .api.app import create_app

    if with_dialer and not dialer_vdns:
        raise click.UsageError("--dialer needs at least one --dialer-vdn")
    if with_dialer and workers > 1:
        raise click.UsageError("--dialer runs with one worker; run `isales dialer` beside them")
    settings = _settings(db, host=host, port=port)
    _migrated(settings).dispose()
    _log_setup()
    if workers > 1:
        _serve_workers(settings, workers)
        return
    app = create_app(settings)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info")
    click.echo(
        f"isales serving {settings.db.split('://')[0]} store on "
        f"http://{settings.host}:{settings.port}"
    )
    if not with_dialer:
        uvicorn.Server(config).run()
        return
    # the built-in dialer uses the same signed HTTP path as any external dialer, with a key
    # of its own that lives as long as this process
    services = app.state.services
    key = services.access.create_key(list(dialer_vdns), actor="isales serve --dialer")
    dialer = _make_dialer(
        f"http://{settings.host}:{settings.port}",
        key.access_key,
        key.secret_key,
        dialer_vdns,
        driver_options,
    )
    stop = threading.Event()

    class ServerWithDialer(uvicorn.Server):
        async def startup(self, sockets=None):  # type: ignore[no-untyped-def]
            await super().startup(sockets)
            thread.start()

        async def shutdown(self, sockets=None):  # type: ignore[no-untyped-def]
            # stop claiming, let calls in flight report while we still serve, then retire
            # the dialer's key (uvicorn re-raises the signal after this, ending the process)
            stop.set()
            await asyncio.to_thread(thread.join, 60)
            await asyncio.to_thread(
                services.access.revoke_key, key.access_key, "isales serve --dialer"
            )
            await super().shutdown(sockets)

    thread = threading.Thread(target=dialer.run, args=(stop,), name="dialer", daemon=True)
    ServerWithDialer(config).run()


def _serve_workers(settings: Settings, workers: int) -> None:
    """``workers`` uvicorn processes on one port; each builds the app from the environment.

    Background jobs run in every worker: each job leases its rows, so they share the work.
    """
    import uvicorn

    os.environ.update(settings.as_environment())
    click.echo(
        f"isales serving {settings.db.split('://')[0]} store on "
        f"http://{settings.host}:{settings.port} with {workers} workers"
    )
    uvicorn.run(
        "isales.api.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="info",
    )


@main.command()
@click.option(
    "--server",
    "server_url",
    default="http://127.0.0.1:8080",
    show_default=True,
    help="base URL of the isales server",
)
@click.option(
    "--access-key",
    envvar="ISALES_DIALER_ACCESS_KEY",
    required=True,
    help="access key (or ISALES_DIALER_ACCESS_KEY)",
)
@click.option(
    "--secret-key",
    envvar="ISALES_DIALER_SECRET_KEY",
    required=True,
    help="secret key (or ISALES_DIALER_SECRET_KEY; prefer the variable)",
)
@click.option(
    "--vdn",
    "vdns",
    type=click.IntRange(1, 9999),
    multiple=True,
    required=True,
    help="VDN to dial for (repeatable)",
)
@click.option(
    "--max-seconds",
    type=click.FloatRange(min=0),
    default=None,
    help="stop after this long (default: until interrupted)",
)
@_driver_options
def dialer(
    server_url: str,
    access_key: str,
    secret_key: str,
    vdns: tuple[int, ...],
    max_seconds: float | None,
    **driver_options: object,
) -> None:
    """Run the built-in dialer against a server, as its own process."""
    import signal
    import threading

    _log_setup()
    worker = _make_dialer(server_url, access_key, secret_key, vdns, driver_options)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if max_seconds is not None:
        threading.Timer(max_seconds, stop.set).start()
    click.echo(f"isales dialer: VDNs {', '.join(map(str, vdns))} via {server_url}")
    worker.run(stop)
    click.echo(f"isales dialer stopped: {worker.placed} calls placed, {worker.reported} reported")


@main.group()
def keys() -> None:
    """Access keys (AK/SK) and their VDN grants."""


@contextmanager
def _services(db: str | None) -> Iterator[Services]:
    """The services on a migrated store, closed afterwards."""
    settings = _settings(db)
    _migrated(settings).dispose()
    services = Services.build(settings)
    try:
        yield services
    finally:
        services.close()


@keys.command("create")
@click.option(
    "--vdn",
    "vdns",
    type=click.IntRange(1, 9999),
    multiple=True,
    required=True,
    help="VDN the key may use (repeatable)",
)
@_DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="print one JSON object and nothing else")
def keys_create(vdns: tuple[int, ...], db: str | None, as_json: bool) -> None:
    """Create an access key; the secret key is shown this once."""
    with _services(db) as services:
        key = services.access.create_key(list(vdns))
    if as_json:
        click.echo(
            json.dumps(
                {"accessKey": key.access_key, "secretKey": key.secret_key, "vdnIds": key.vdn_ids}
            )
        )
        return
    click.echo(f"access key: {key.access_key}")
    click.echo(f"secret key: {key.secret_key}")
    click.echo(f"VDNs:       {', '.join(map(str, key.vdn_ids))}")
    click.echo("The secret key is shown only now; store it safely.")


@keys.command("list")
@_DB_OPTION
@click.option("--json", "as_json", is_flag=True)
def keys_list(db: str | None, as_json: bool) -> None:
    """List access keys (never their secrets)."""
    with _services(db) as services:
        rows = services.access.list_keys()
    if as_json:
        click.echo(json.dumps(rows, default=str))
        return
    for row in rows:
        state = f"revoked {row['revokedAt']:%Y-%m-%d %H:%M:%S}" if row["revokedAt"] else "active"
        click.echo(f"{row['accessKey']}  vdn={','.join(map(str, row['vdnIds']))}  {state}")


@keys.command("revoke")
@click.argument("access_key")
@_DB_OPTION
def keys_revoke(access_key: str, db: str | None) -> None:
    """Revoke a key; it is refused from the next request on."""
    with _services(db) as services:
        revoked = services.access.revoke_key(access_key)
    if not revoked:
        click.echo(f"no active key {access_key}", err=True)
        sys.exit(1)
    click.echo(f"revoked {access_key}")


@main.group()
def db() -> None:
    """The store."""


@db.command("upgrade")
@_DB_OPTION
def db_upgrade(db: str | None) -> None:
    """Apply pending migrations."""
    settings = _settings(db)
    _migrated(settings).dispose()
    click.echo("store is at the latest revision")


@main.command()
@click.option("--vdn", type=click.IntRange(1, 9999), required=True)
@click.option("--campaign", "campaign_id", type=int, default=None, help="limit to one campaign")
@click.option("--session-id", default=None)
@click.option("--called", default=None)
@click.option("--custom-field", default=None)
@click.option("--request-id", default=None, help="numbers moved by one delete request")
@click.option("--page", type=click.IntRange(min=1), default=1)
@click.option("--page-size", type=click.IntRange(1, 500), default=100)
@_DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
def history(
    vdn: int,
    campaign_id: int | None,
    session_id: str | None,
    called: str | None,
    custom_field: str | None,
    request_id: str | None,
    page: int,
    page_size: int,
    db: str | None,
    as_json: bool,
) -> None:
    """Numbers moved to history by deletes with archiveHistory 1."""
    filters = {
        "session_id": session_id,
        "called": called,
        "custom_field": custom_field,
        "request_id": request_id,
    }
    with _services(db) as services:
        total, rows = services.numbers.history(vdn, campaign_id, filters, page, page_size)
    for row in rows:
        if as_json:
            click.echo(json.dumps(row, default=str, sort_keys=True))
        else:
            click.echo(
                f"{row['id']}  campaign={row['campaign_id']}  called={row['called']}  "
                f"session={row['session_id'] or '-'}  custom={row['custom_field'] or '-'}  "
                f"archived={row['archived_at']:%Y-%m-%d %H:%M:%S}  by={row['archived_by']}  "
                f"request={row['request_id']}"
            )
    if not as_json:
        click.echo(f"{len(rows)} of {total} archived numbers (page {page})", err=True)


# --- data lifecycle (spec/lifecycle.md): holds, erasure, audit log --------------------------

CLI_ACTOR = "cli"


def _refuse(message: str) -> None:
    click.echo(f"isales: {message}", err=True)
    sys.exit(1)


@main.group()
def hold() -> None:
    """Legal holds: a held campaign is never purged, deleted or erased."""


@hold.command("set")
@click.option("--vdn", type=click.IntRange(1, 9999), required=True)
@click.option("--campaign", "campaign_id", type=click.IntRange(min=1), required=True)
@click.option("--reason", default=None, help="why the campaign is held (at most 200 characters)")
@_DB_OPTION
def hold_set(vdn: int, campaign_id: int, reason: str | None, db: str | None) -> None:
    """Put a campaign under a legal hold."""
    from .errors import AppError

    if reason is not None and len(reason) > 200:
        raise click.BadParameter("at most 200 characters", param_hint="--reason")
    with _services(db) as services:
        try:
            created = services.retention.set_hold(vdn, campaign_id, reason, CLI_ACTOR)
        except AppError as exc:
            _refuse(f"campaign {campaign_id} of VDN {vdn}: {exc.message}")
    click.echo(f"{'held' if created else 'hold updated'}: VDN {vdn} campaign {campaign_id}")


@hold.command("release")
@click.option("--vdn", type=click.IntRange(1, 9999), required=True)
@click.option("--campaign", "campaign_id", type=click.IntRange(min=1), required=True)
@_DB_OPTION
def hold_release(vdn: int, campaign_id: int, db: str | None) -> None:
    """Release a campaign's legal hold."""
    with _services(db) as services:
        released = services.retention.release_hold(vdn, campaign_id, CLI_ACTOR)
    if not released:
        _refuse(f"campaign {campaign_id} of VDN {vdn} is not held")
    click.echo(f"released: VDN {vdn} campaign {campaign_id}")


@hold.command("list")
@_DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="one JSON array")
def hold_list(db: str | None, as_json: bool) -> None:
    """List legal holds."""
    with _services(db) as services:
        holds = services.retention.holds()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "vdnId": h["vdn_id"],
                        "campaignId": h["campaign_id"],
                        "reason": h["reason"],
                        "createdAt": h["created_at"].isoformat(),
                        "createdBy": h["created_by"],
                    }
                    for h in holds
                ]
            )
        )
        return
    for h in holds:
        click.echo(
            f"VDN {h['vdn_id']}  campaign {h['campaign_id']}  since "
            f"{h['created_at']:%Y-%m-%d %H:%M:%S}  by {h['created_by']}  {h['reason'] or ''}"
        )


@main.command()
@click.option("--vdn", type=click.IntRange(1, 9999), required=True)
@click.option("--called", required=True, help="the number to erase (digits, * and #)")
@_DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="print the receipt as one JSON object")
def erase(vdn: int, called: str, db: str | None, as_json: bool) -> None:
    """Erase every trace of a number in a VDN and refuse it from now on."""
    import re

    from .errors import AppError

    if not re.fullmatch(r"[0-9*#]{1,24}", called):
        raise click.BadParameter("1-24 characters of 0-9 * #", param_hint="--called")
    with _services(db) as services:
        try:
            receipt = services.erasure.erase(vdn, called, CLI_ACTOR, None)
        except AppError as exc:
            _refuse(f"{exc.code}: {exc.message}")
    if as_json:
        click.echo(
            json.dumps(
                {
                    "resultCode": "0200000",
                    "erasureId": receipt.erasure_id,
                    "removed": receipt.removed,
                }
            )
        )
        return
    counts = ", ".join(f"{kind} {n}" for kind, n in receipt.removed.items())
    click.echo(f"erased (erasure {receipt.erasure_id}): {counts}")


@main.group()
def audit() -> None:
    """The audit log of deletes, restores, purges, erasures, holds and keys."""


def _parse_since(text: str | None):  # type: ignore[no-untyped-def]
    from datetime import datetime

    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError as exc:
        raise click.BadParameter(
            "a time like 2026-11-29 or 2026-11-29T08:00:00 (UTC)", param_hint="--since"
        ) from exc


@audit.command("list")
@click.option("--vdn", type=click.IntRange(1, 9999), default=None)
@click.option("--since", default=None, help="only entries at or after this time (UTC)")
@_DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
def audit_list(vdn: int | None, since: str | None, db: str | None, as_json: bool) -> None:
    """Print audit entries, oldest first."""
    since_time = _parse_since(since)
    with _services(db) as services:
        entries = services.audit.entries(vdn, since_time)
    for e in entries:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "id": e["id"],
                        "at": e["at"].isoformat(),
                        "vdnId": e["vdn_id"],
                        "actor": e["actor"],
                        "operation": e["operation"],
                        "requestId": e["request_id"],
                        "detail": json.loads(e["detail"]),
                        "hash": e["hash"],
                    }
                )
            )
        else:
            click.echo(
                f"{e['id']}  {e['at']:%Y-%m-%d %H:%M:%S}  vdn={e['vdn_id'] or '-'}  "
                f"{e['operation']}  by={e['actor']}  request={e['request_id'] or '-'}  "
                f"{e['detail']}"
            )


@audit.command("verify")
@_DB_OPTION
def audit_verify(db: str | None) -> None:
    """Recompute the hash chain: exit 0 if intact, 1 with the first bad entry's id."""
    with _services(db) as services:
        result = services.audit.verify()
    if not result.intact:
        click.echo(
            f"audit log broken at entry {result.first_broken} "
            f"({result.checked} entries before it are intact)"
        )
        sys.exit(1)
    click.echo(f"audit log intact: {result.checked} entries")


# --- console users (docs/console.md) -----------------------------------------------------------


@main.group()
def users() -> None:
    """Console users: people who sign in to /console/ (separate from access keys)."""


@users.command("create")
@click.option("--name", required=True, help="user name to sign in with")
@click.option(
    "--vdn",
    "vdns",
    type=click.IntRange(1, 9999),
    multiple=True,
    required=True,
    help="VDN the user may see (repeatable)",
)
@click.option(
    "--role",
    type=click.Choice(["viewer", "operator", "admin"]),
    required=True,
    help="what the user may do",
)
@_DB_OPTION
def users_create(name: str, vdns: tuple[int, ...], role: str, db: str | None) -> None:
    """Create a console user; the password is read from stdin, or generated and shown once."""
    from .errors import ConsoleUserInvalid

    typed = None if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
    with _services(db) as services:
        try:
            password = services.console_users.create(name, role, list(vdns), typed or None)
        except ConsoleUserInvalid as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(1)
    click.echo(
        f"created console user {name} ({role}; VDNs {', '.join(map(str, sorted(set(vdns))))})"
    )
    if not typed:
        click.echo(f"password: {password}")
        click.echo("The password is shown only now; give it to the user safely.")


@users.command("list")
@_DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="print one JSON array and nothing else")
def users_list(db: str | None, as_json: bool) -> None:
    """List console users (never their passwords)."""
    with _services(db) as services:
        rows = services.console_users.list()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "name": row["name"],
                        "role": row["role"],
                        "vdnIds": row["vdn_ids"],
                        "createdAt": row["created_at"],
                        "disabledAt": row["disabled_at"],
                    }
                    for row in rows
                ],
                default=str,
            )
        )
        return
    for row in rows:
        state = (
            f"disabled {row['disabled_at']:%Y-%m-%d %H:%M:%S}" if row["disabled_at"] else "active"
        )
        click.echo(
            f"{row['name']}  role={row['role']}  vdn={','.join(map(str, row['vdn_ids']))}  {state}"
        )


@users.command("disable")
@click.argument("name")
@_DB_OPTION
def users_disable(name: str, db: str | None) -> None:
    """Disable a console user; their sessions end and they are refused from the next request on."""
    with _services(db) as services:
        disabled = services.console_users.disable(name)
    if not disabled:
        click.echo(f"no enabled console user {name}", err=True)
        sys.exit(1)
    click.echo(f"disabled {name}")
