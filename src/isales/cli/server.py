"""`isales serve` and `isales dialer`."""

from __future__ import annotations

import ctypes
import os
import socket
import subprocess
from typing import Any

import click

from .. import logs, metrics
from ..config import Settings
from ..errors import CommandFailed
from ..logs import FORMATS
from .common import CONFIG_OPTION, DB_OPTION, log_setup, migrated, settings_from, store_name


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
            type=click.Choice(["simulated", "sip"]),
            default="simulated",
            show_default=True,
            help="telephony driver (sip: real calls through ISALES_SIP_TRUNK, docs/telephony.md)",
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


#: `isales dialer` options of the SIP settings (same names as the settings, docs/telephony.md)
_SIP_OPTIONS = (
    click.option("--sip-trunk", help="host:port of the SIP trunk (or ISALES_SIP_TRUNK)"),
    click.option("--sip-username", help="digest user name (or ISALES_SIP_USERNAME)"),
    click.option(
        "--sip-password", help="digest password (or ISALES_SIP_PASSWORD; prefer the variable)"
    ),
    click.option("--sip-bind", help="local SIP host:port (default 127.0.0.1:5062)"),
    click.option("--sip-rtp-ports", help="local RTP port range (default 20000-20999)"),
    click.option("--sip-codecs", help="offered codecs in order (default PCMU,PCMA)"),
    click.option(
        "--sip-fail-code-style",
        type=click.Choice(["reference", "detailed"]),
        help="detailed: the 128 + Q.850 failCodes where they exist (default reference)",
    ),
    click.option(
        "--prompts-dir",
        type=click.Path(file_okay=False),
        help="folder of {campaignId}.wav prompts (default ./prompts)",
    ),
)


def _sip_options(command):  # type: ignore[no-untyped-def]
    for option in reversed(_SIP_OPTIONS):
        command = option(command)
    return CONFIG_OPTION(command)


def _make_driver(options):  # type: ignore[no-untyped-def]
    """The simulated driver from its options (the SIP driver is built in `_run_sip_dialer`)."""
    from ..dialer import SimulatedDriver
    from ..dialer.simulated import parse_outcomes, parse_range

    try:
        return SimulatedDriver(
            outcomes=parse_outcomes(options["outcomes"]),
            ring_seconds=parse_range(options["ring"]),
            talk_seconds=parse_range(options["talk"]),
            time_scale=options["time_scale"],
            seed=options["seed"],
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _make_dialer(server_url, access_key, secret_key, vdns, options, driver=None):  # type: ignore[no-untyped-def]
    from ..client import IsalesClient
    from ..dialer import Dialer

    driver = driver or _make_driver(options)
    return Dialer(
        lambda: IsalesClient(server_url, access_key, secret_key),
        list(vdns),
        driver,
        concurrency=options["concurrency"],
        calls_per_second=options["cps"],
    )


#: glibc's mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8
#: blocks from this size up get their own mapping, returned to the system when freed
_MMAP_THRESHOLD = 128 * 1024
_ARENAS = 2


def return_big_blocks() -> None:
    """Keep big freed blocks (an upload's body, a file, an import's tables) from staying in
    the server's resident set.

    glibc raises its mmap threshold to the largest block freed so far (up to 32 MiB): after
    one 13 MB upload body every block below that size is carved from a heap or a thread's
    arena, which keeps its pages after they are freed, and each thread that allocates gets
    an arena of its own. A fixed threshold and two arenas keep the resident set near what is
    live (a 500,000-row import: 192 MB peak and 162 MB while running instead of 209 and
    199). Worker processes read the same settings from the environment. Elsewhere than
    glibc, nothing changes."""
    os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(_MMAP_THRESHOLD))
    os.environ.setdefault("MALLOC_ARENA_MAX", str(_ARENAS))
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
        libc.mallopt(_M_ARENA_MAX, _ARENAS)
    except (OSError, AttributeError):
        pass  # not glibc


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
    migrated(settings).dispose()  # refuses a store whose secrets the key cannot open
    logs.setup(settings.log_format)
    scheme = "https" if tls else "http"
    raise_file_limit(settings)  # the limit is inherited by worker processes
    return_big_blocks()
    click.echo(
        f"isales serving {store_name(settings.db)} on "
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
    server_url = f"http://{settings.host}:{settings.port}"
    if driver_options["driver"] == "sip":
        # sippy's event loop must own a process's main thread, and uvicorn owns this one:
        # the SIP dialer is `isales dialer --driver sip` as a child process (its SIP settings
        # from the same environment and --config file)
        runner: _ChildDialer | _ThreadDialer = _ChildDialer(
            server_url, key.access_key, key.secret_key, dialer_vdns
        )
    else:
        dialer = _make_dialer(
            server_url, key.access_key, key.secret_key, dialer_vdns, driver_options
        )
        runner = _ThreadDialer(dialer)

    class ServerWithDialer(uvicorn.Server):
        async def startup(self, sockets=None):  # type: ignore[no-untyped-def]
            await super().startup(sockets)
            runner.start()

        async def shutdown(self, sockets=None):  # type: ignore[no-untyped-def]
            # stop claiming, let calls in flight report while we still serve, then retire
            # the dialer's key (uvicorn re-raises the signal after this, ending the process)
            await asyncio.to_thread(runner.stop, 60)
            await asyncio.to_thread(
                services.access.revoke_key, key.access_key, "isales serve --dialer"
            )
            await super().shutdown(sockets)

    ServerWithDialer(config).run()


class _ThreadDialer:
    """The built-in dialer on a thread of the server process (simulated driver)."""

    def __init__(self, dialer) -> None:  # type: ignore[no-untyped-def]
        import threading

        self.stop_event = threading.Event()
        self.thread = threading.Thread(
            target=dialer.run, args=(self.stop_event,), name="dialer", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float) -> None:
        self.stop_event.set()
        self.thread.join(timeout)


class _ChildDialer:
    """`isales dialer --driver sip` as a child of `isales serve --dialer` (same settings)."""

    def __init__(self, server_url: str, access_key: str, secret_key: str, vdns) -> None:  # type: ignore[no-untyped-def]
        import sys

        self.command = [sys.executable, "-m", "isales", "dialer", "--driver", "sip"]
        self.command += ["--server", server_url]
        for vdn in vdns:
            self.command += ["--vdn", str(vdn)]
        context = click.get_current_context(silent=True)
        config_file = context.meta.get("isales.config") if context else None
        if config_file:
            self.command += ["--config", str(config_file)]
        self.environment = {
            **os.environ,
            "ISALES_DIALER_ACCESS_KEY": access_key,
            "ISALES_DIALER_SECRET_KEY": secret_key,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.environment)

    def stop(self, timeout: float) -> None:
        import signal
        import subprocess

        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _serve_workers(settings: Settings, workers: int, tls: dict[str, Any]) -> None:
    """``workers`` uvicorn processes on one port; each builds the app from the environment.

    Background jobs run in every worker: each job leases its rows, so they share the work.
    Metrics are summed over the workers through PROMETHEUS_MULTIPROC_DIR (a new folder
    unless one is given; a given one is emptied of the last run's files first).
    """
    import tempfile
    from pathlib import Path

    import uvicorn

    from ..api.server import guarded_options

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
        **guarded_options(settings),
        log_config=None,
        access_log=False,
        **tls,
    )


_SIP_SETTING_NAMES = (
    "sip_trunk",
    "sip_username",
    "sip_password",
    "sip_bind",
    "sip_rtp_ports",
    "sip_codecs",
    "sip_fail_code_style",
    "prompts_dir",
)


def _sip_driver(overrides: dict[str, object]):  # type: ignore[no-untyped-def]
    """sippy's stack (imported here, on the main thread) and the SIP driver."""
    from ..dialer.sip.settings import SipConfig
    from .common import loaded_settings

    settings = loaded_settings(None, **overrides).settings
    try:
        config = SipConfig.from_settings(settings)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    from ..dialer.sip.driver import SipDriver
    from ..dialer.sip.stack import SipStack

    try:
        stack = SipStack(*config.bind)
    except OSError as exc:
        raise CommandFailed(
            f"cannot listen for SIP on {config.bind[0]}:{config.bind[1]}: {exc.strerror}; "
            "stop the other process or set ISALES_SIP_BIND"
        ) from None
    return stack, SipDriver(config, stack)


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
@_sip_options
def dialer(
    server_url: str,
    access_key: str,
    secret_key: str,
    vdns: tuple[int, ...],
    max_seconds: float | None,
    **driver_options: object,
) -> None:
    """Run the built-in dialer against a server, as its own process.

    With --driver sip the process places real calls (docs/telephony.md): sippy's event
    loop runs on the main thread, the dialer loop and the calls on worker threads. Exit
    code 3: the server refused the access key, or the SIP trunk refused our credentials on
    5 calls in a row (no further number is claimed)."""
    import signal
    import threading

    log_setup()
    sip_overrides = {name: driver_options.pop(name) for name in _SIP_SETTING_NAMES}
    driver = None
    stack = None
    if driver_options["driver"] == "sip":
        stack, driver = _sip_driver(sip_overrides)
    worker = _make_dialer(server_url, access_key, secret_key, vdns, driver_options, driver)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if max_seconds is not None:
        timer = threading.Timer(max_seconds, stop.set)
        timer.daemon = True
        timer.start()
    click.echo(f"isales dialer: VDNs {', '.join(map(str, vdns))} via {server_url}")
    if stack is None or driver is None:
        worker.run(stop)
    else:
        from ..dialer.sip.driver import run_dialer

        click.echo(
            f"SIP trunk {driver.config.trunk_text}, local {driver.config.bind[0]}:"
            f"{driver.config.bind[1]}"
        )
        run_dialer(stack, lambda: worker.run(stop))
    click.echo(f"isales dialer stopped: {worker.placed} calls placed, {worker.reported} reported")
