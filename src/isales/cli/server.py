"""`isales serve` and `isales dialer`."""

from __future__ import annotations

import os
import socket
from typing import Any

import click

from .. import logs, metrics
from ..config import Settings
from ..errors import CommandFailed, IsalesError
from ..logs import FORMATS
from ..secret_box import SecretBox
from .common import DB_OPTION, log_setup, migrated, settings_from


def ensure_port_free(host: str, port: int) -> None:
    """Fail in one line before starting when another process has the port."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandFailed(
                f"cannot listen on {host}:{port}: {exc.strerror}; stop the other process "
                "or pass --port"
            ) from None


def tls_files(settings: Settings) -> dict[str, str]:
    """uvicorn's TLS options; both files or neither, each readable."""
    if not settings.tls_cert and not settings.tls_key:
        return {}
    if not (settings.tls_cert and settings.tls_key):
        raise click.UsageError("--tls-cert and --tls-key go together")
    for path in (settings.tls_cert, settings.tls_key):
        if not path.is_file():
            raise CommandFailed(f"TLS file {path} does not exist; pass the PEM files")
    return {"ssl_certfile": str(settings.tls_cert), "ssl_keyfile": str(settings.tls_key)}


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
    from ..client import IsalesClient
    from ..dialer import Dialer, SimulatedDriver
    from ..dialer.simulated import parse_outcomes, parse_range

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


@click.command()
@DB_OPTION
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
@click.option(
    "--log-format",
    type=click.Choice(FORMATS),
    default=None,
    help="one line per request and per business event: text or json (default text)",
)
@click.option("--tls-cert", type=click.Path(dir_okay=False), help="PEM certificate: serve HTTPS")
@click.option("--tls-key", type=click.Path(dir_okay=False), help="PEM private key of --tls-cert")
@_driver_options
def serve(
    db: str | None,
    host: str | None,
    port: int | None,
    with_dialer: bool,
    dialer_vdns: tuple[int, ...],
    workers: int,
    log_format: str | None,
    tls_cert: str | None,
    tls_key: str | None,
    **driver_options: object,
) -> None:
    """Run the OpenAPI server (applies pending migrations first)."""
    import asyncio
    import threading

    import uvicorn

    from ..api.app import create_app
    from ..api.server import raise_file_limit, server_config

    if with_dialer and not dialer_vdns:
        raise click.UsageError("--dialer needs at least one --dialer-vdn")
    if with_dialer and workers > 1:
        raise click.UsageError("--dialer runs with one worker; run `isales dialer` beside them")
    settings = settings_from(
        db, host=host, port=port, log_format=log_format, tls_cert=tls_cert, tls_key=tls_key
    )
    tls = tls_files(settings)
    if with_dialer and tls:
        raise click.UsageError(
            "--dialer serves plain HTTP; run `isales dialer` beside a TLS server"
        )
    ensure_port_free(settings.host, settings.port)
    try:
        SecretBox.for_settings(settings)  # refuse a store whose secrets cannot be sealed
    except IsalesError as exc:
        raise CommandFailed(exc.message) from None
    migrated(settings).dispose()
    logs.setup(settings.log_format)
    scheme = "https" if tls else "http"
    raise_file_limit(settings)  # the limit is inherited by worker processes
    click.echo(
        f"isales serving {settings.db.split('://')[0]} store on "
        f"{scheme}://{settings.host}:{settings.port}"
        + (f" with {workers} workers" if workers > 1 else "")
    )
    if workers > 1:
        _serve_workers(settings, workers, tls)
        return
    app = create_app(settings)
    config = server_config(
        app,
        settings,
        log_config=None,
        access_log=False,
        **tls,
    )
    if not with_dialer:
        uvicorn.Server(config).run()
        return
    # the built-in dialer uses the same signed HTTP path as any external dialer, with one
    # key of its own: re-activated at every start (so a crash leaves no stray key behind)
    # and revoked when the server stops
    services = app.state.services
    key = services.access.builtin_dialer_key(list(dialer_vdns))
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


def _serve_workers(settings: Settings, workers: int, tls: dict[str, Any]) -> None:
    """``workers`` uvicorn processes on one port; each builds the app from the environment.

    Background jobs run in every worker: each job leases its rows, so they share the work.
    Metrics are summed over the workers through PROMETHEUS_MULTIPROC_DIR (a new folder
    unless one is given; a given one is emptied of the last run's files first).
    """
    import tempfile
    from pathlib import Path

    import uvicorn

    from ..api.server import guarded_protocol

    shared = os.environ.get(metrics.MULTIPROCESS_VARIABLE)
    if shared:
        for stale in Path(shared).glob("*.db"):
            stale.unlink()
    else:
        os.environ[metrics.MULTIPROCESS_VARIABLE] = tempfile.mkdtemp(prefix="isales-metrics-")
    os.environ.update(settings.as_environment())
    uvicorn.run(
        "isales.api.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        http=guarded_protocol(settings),
        log_config=None,
        access_log=False,
        **tls,
    )


@click.command()
@click.option(
    "--server",
    "server_url",
    envvar="ISALES_SERVER",
    default="http://127.0.0.1:8080",
    show_default=True,
    help="base URL of the isales server (or ISALES_SERVER)",
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

    log_setup()
    worker = _make_dialer(server_url, access_key, secret_key, vdns, driver_options)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if max_seconds is not None:
        timer = threading.Timer(max_seconds, stop.set)
        timer.daemon = True
        timer.start()
    click.echo(f"isales dialer: VDNs {', '.join(map(str, vdns))} via {server_url}")
    worker.run(stop)
    click.echo(f"isales dialer stopped: {worker.placed} calls placed, {worker.reported} reported")
