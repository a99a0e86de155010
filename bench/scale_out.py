"""P11: scale-out on one PostgreSQL — three `isales serve` processes against one.

Four dialer processes (each its own access key, one keep-alive connection per server)
run claim + report cycles (``callnos`` batch 1, then ``call/result``) at a fixed offered
rate (``--rate`` cycles per second in all), spreading their requests over the servers
the way a load balancer without sticky sessions would: cycle k of dialer i claims on
server ``(i + k) mod n`` and reports on the next one. Within each round, interleaved:

- the floor: ``bench/floor_app.py`` (bare FastAPI + uvicorn) in 1 and in 3 processes,
  sent the same requests at the same rate (two no-op POSTs per cycle);
- isales: 1 and 3 `isales serve` processes on one PostgreSQL database.

Server CPU per request (all server processes, from /proc) at 3 against 1 is the
figure; what three processes cost the bare app (its own per-request CPU at 3 minus at 1)
is taken off the isales figure at 3 before the ratio:

    corrected = (isales@3 - (floor@3 - floor@1)) / isales@1          goal: ≤ 1.15

Beside it: each setup's idle CPU (its background jobs, no request), what the store's busy
sessions wait for (sampled from ``pg_stat_activity``: a hidden serialisation shows as
waits on a ``Lock``), the cycle's latency, and a fifth setup, 3 servers whose import and
callback sweeps run 3 times less often (``--sweeps 0`` leaves it out).

Then the kill run: 3 servers and 4 dialers; ``kill -9`` of one server ``--kills`` times
(a new server takes its port 3 s after each kill but the last). Dialers that lose a
connection resend to the next server (a claim is simply claimed again; a report is
resent as is) and try the failed one again 2 s later. After the dialers stop, claims
whose answer died with a server are still *calling*; they must come back at lease expiry
(``ISALES_LEASE_SECONDS``, ``--lease``, longer than the run). Finally every number handed
out and every result accepted over the whole run is counted against the store: no number
handed out twice, every number handed out is completed with exactly one result, every
accepted result is stored, nothing left calling, pending + completed = loaded.

    python bench/scale_out.py                  # --rate 25 --seconds 15 --rounds 3 --lease 40
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("ISALES_MASTER_KEY", "YmVuY2gtbWFzdGVyLWtleS0wMDAwMDAwMDAwMDAwMDA=")

from sqlalchemy import create_engine, text  # noqa: E402

from bench.common import (  # noqa: E402
    VDN,
    BenchStore,
    Server,
    Signer,
    campaign_columns,
    load_numbers,
    median,
    noop_path,
    prepare,
)

OBS = "/rest/isales/v1/openapi/obs/business"
DIALERS = 4
#: what a dropped or refused connection raises in http.client
LOST = (ConnectionError, http.client.HTTPException, socket.timeout, OSError)


#: a server that failed is tried again after this long (a load balancer's health check)
RECHECK_SECONDS = 2.0


class Dialer:
    """One dialer process: a connection per server; a server that failed is left out for
    ``RECHECK_SECONDS``."""

    def __init__(self, ports: list[int], key: tuple[str, str], index: int) -> None:
        self.ports, self.key, self.index = ports, key, index
        self.signers: dict[int, Signer] = {}
        self.failed_at: dict[int, float] = {}
        self.lost = Counter[str]()

    def live(self) -> list[int]:
        deadline = time.monotonic() + 60
        while True:
            now = time.monotonic()
            alive = [p for p in self.ports if now - self.failed_at.get(p, -1e9) > RECHECK_SECONDS]
            if alive:
                return alive
            if now > deadline:
                raise RuntimeError("every server is gone")
            time.sleep(0.1)

    def send(self, offset: int, path: str, body: dict) -> dict:
        """POST to the live server ``offset`` places along; on a lost or refused connection
        the next one is tried."""
        while True:
            live = self.live()
            port = live[offset % len(live)]
            signer = self.signers.get(port)
            if signer is None:
                signer = self.signers[port] = Signer(port, *self.key)
            try:
                return signer.call("POST", path, body)
            except LOST as exc:
                # refused: the request never reached a server; anything else: it may have been
                # done (a resent report then answers "2")
                refused = isinstance(exc, ConnectionRefusedError)
                self.lost["refused" if refused else path.rsplit("/", 1)[1]] += 1
                self.signers.pop(port).conn.close()
                self.failed_at[port] = time.monotonic()


def _dial(
    mode: str,
    ports: list[int],
    key: tuple[str, str],
    index: int,
    campaign: int,
    rate: float,
    seconds: float,
    start: Any,
    results: Any,
) -> None:
    try:
        results.put(_cycles(mode, ports, key, index, campaign, rate, seconds, start))
    except BaseException as exc:  # the parent reports it instead of waiting for a record
        results.put({"error": f"dialer {index}: {exc!r}"})


def _cycles(
    mode: str,
    ports: list[int],
    key: tuple[str, str],
    index: int,
    campaign: int,
    rate: float,
    seconds: float,
    start: Any,
) -> dict[str, Any]:
    dialer = Dialer(ports, key, index)
    interval = DIALERS / rate
    handed: list[int] = []
    accepted: list[int] = []
    refused: list[int] = []  # "2": not calling under our claim (only after a lost report)
    latencies: list[float] = []
    start.wait()
    began = time.monotonic()
    k = 0
    while True:
        due = began + k * interval
        now = time.monotonic()
        if due - began >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        sent = time.perf_counter()
        if mode == "floor":
            for offset in (index + k, index + k + 1):
                answer = dialer.send(offset, noop_path(campaign), {"customField": "x"})
                assert answer["successCount"] == 0, answer
        else:
            claim = {"subCCNo": 1, "vdnId": VDN, "serviceId": campaign, "batchCount": 1}
            answer = dialer.send(index + k, f"{OBS}/callnos", claim)
            assert answer["result"] == "0", answer
            for number in answer["resultData"]:
                unique_id = int(number["uniqueId"])
                handed.append(unique_id)
                report = {
                    "subCCNo": 1,
                    "vdnId": VDN,
                    "serviceId": str(campaign),
                    "uniqueId": number["uniqueId"],
                    "status": "6",
                    "failCode": "00000",
                    "callId": f"call-{unique_id}",
                }
                lost_before = dialer.lost["result"]
                answer = dialer.send(index + k + 1, f"{OBS}/call/result", report)
                if answer["result"] == "0":
                    accepted.append(unique_id)
                elif answer["result"] == "2" and dialer.lost["result"] > lost_before:
                    refused.append(unique_id)  # the lost attempt had committed it
                else:
                    raise AssertionError(answer)
        latencies.append(time.perf_counter() - sent)
        k += 1
    for signer in dialer.signers.values():
        signer.conn.close()
    return {
        "cycles": k,
        "elapsed": time.monotonic() - began,
        "handed": handed,
        "accepted": accepted,
        "refused": refused,
        "latencies": latencies,
        "lost": dict(dialer.lost),
    }


def run_dialers(
    mode: str,
    servers: list[Server],
    keys: list[tuple[str, str]],
    campaign: int,
    rate: float,
    seconds: float,
    during: Callable[[], None] | None = None,
    store_url: str | None = None,
) -> dict[str, Any]:
    """4 dialer processes for ``seconds``; server CPU over the run (the killed server's
    is left out). Returns the dialers' records and the figures."""
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    ports = [s.port for s in servers]
    processes = [
        context.Process(
            target=_dial,
            args=(mode, ports, keys[i], i, campaign, rate, seconds, start, results),
        )
        for i in range(DIALERS)
    ]
    for process in processes:
        process.start()
    time.sleep(0.5)
    waits = WaitSampler(store_url) if store_url else None
    cpu_before = [s.cpu_seconds() for s in servers]
    started = time.perf_counter()
    start.set()
    if during is not None:
        during()
    records = [results.get(timeout=seconds + 600) for _ in processes]
    errors = [r["error"] for r in records if "error" in r]
    if errors:
        raise RuntimeError("; ".join(errors))
    elapsed = time.perf_counter() - started
    cpu = sum(  # a killed server's CPU is gone with it (the kill run prints none)
        s.cpu_seconds() - before
        for s, before in zip(servers, cpu_before, strict=True)
        if s.process.poll() is None
    )
    for process in processes:
        process.join()
    waiting = waits.stop() if waits else Counter()
    cycles = sum(r["cycles"] for r in records)
    latencies = sorted(x for r in records for x in r["latencies"])
    return {
        "records": records,
        "cycles": cycles,
        "rate": cycles / elapsed,
        "cpu_ms_per_request": 1000 * cpu / max(2 * cycles, 1),
        "latency_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "handed": [u for r in records for u in r["handed"]],
        "accepted": [u for r in records for u in r["accepted"]],
        "refused": [u for r in records for u in r["refused"]],
        "lost": sum((Counter(r["lost"]) for r in records), Counter()),
        "waits": waiting,
    }


class WaitSampler:
    """What the store's busy sessions wait for, sampled every 20 ms from
    ``pg_stat_activity``: a hidden serialisation shows as sessions waiting on a ``Lock``
    (a row, an advisory lock) or an ``LWLock``."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT")
        self.counts: Counter[str] = Counter()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        query = text(
            "SELECT coalesce(wait_event_type || ':' || wait_event, 'running') FROM"
            " pg_stat_activity WHERE datname = current_database() AND state = 'active'"
            " AND pid <> pg_backend_pid()"
        )
        with self.engine.connect() as conn:
            while not self.done.wait(0.02):
                self.counts["samples"] += 1
                for (what,) in conn.execute(query):
                    self.counts[what] += 1

    def stop(self) -> Counter[str]:
        self.done.set()
        self.thread.join()
        self.engine.dispose()
        return self.counts


def idle_cpu_ms_per_second(servers: list[Server], seconds: float) -> float:
    """The servers' CPU with no request: what each process's background jobs cost."""
    before = sum(s.cpu_seconds() for s in servers)
    time.sleep(seconds)
    return 1000 * (sum(s.cpu_seconds() for s in servers) - before) / seconds


def describe(waits: Counter[str]) -> str:
    """Busy sessions per sample, and what they waited for."""
    samples = max(waits["samples"], 1)
    busy = {k: v for k, v in waits.items() if k != "samples"}
    parts = ", ".join(
        f"{k} {v / samples:.2f}" for k, v in sorted(busy.items(), key=lambda kv: -kv[1])
    )
    return f"{sum(busy.values()) / samples:.2f} busy per sample ({parts or 'none'})"


#: ``sweeps``: isales whose background sweeps run ``count`` times less often, so that
#: ``count`` processes poll the store for imports and callbacks as often as one does
SWEEPS = {"ISALES_IMPORT_SWEEP_SECONDS": 1.0, "ISALES_CALLBACK_SWEEP_SECONDS": 2.0}


def isales_argv(url: str, port: int) -> list[str]:
    """`isales serve` as ``Server.isales`` runs it, on a given port (a restart takes the
    killed server's)."""
    argv = [sys.executable, *os.environ.get("BENCH_ISALES", "-m isales").split()]
    return [*argv, "serve", "--db", url, "--port", str(port)]


def start_servers(kind: str, url: str, count: int) -> list[Server]:
    saved = {name: os.environ.get(name) for name in SWEEPS}
    if kind == "sweeps":
        os.environ.update({name: str(seconds * count) for name, seconds in SWEEPS.items()})
    servers: list[Server] = []
    try:
        for _ in range(count):
            servers.append(Server.floor() if kind == "floor" else Server.isales(url))
    except BaseException:
        stop_servers(servers)
        raise
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return servers


def stop_servers(servers: list[Server]) -> None:
    for server in servers:
        if server.process.poll() is None:
            server.stop()


def store_counts(url: str, campaign: int) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            by_state: dict[str, int] = dict(
                conn.execute(
                    text(
                        "SELECT state, count(*) FROM numbers WHERE campaign_id = :c GROUP BY state"
                    ),
                    {"c": campaign},
                ).all()
            )
            completed = {
                row[0]
                for row in conn.execute(
                    text("SELECT id FROM numbers WHERE campaign_id = :c AND state = 'completed'"),
                    {"c": campaign},
                )
            }
            results = conn.execute(
                text(
                    "SELECT count(*), count(DISTINCT data_id) FROM call_results"
                    " WHERE campaign_id = :c"
                ),
                {"c": campaign},
            ).one()
            calling = {
                row[0]
                for row in conn.execute(
                    text("SELECT id FROM numbers WHERE campaign_id = :c AND state = 'calling'"),
                    {"c": campaign},
                )
            }
    finally:
        engine.dispose()
    return {
        "by_state": by_state,
        "completed": completed,
        "results": results[0],
        "results_distinct": results[1],
        "calling": calling,
    }


def states_of(url: str, ids: set[int]) -> set[tuple[str, int, str | None]]:
    """(state, attempts, lease owner) of these numbers."""
    if not ids:
        return set()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                (row[0], row[1], row[2])
                for row in conn.execute(
                    text("SELECT state, attempts, lease_owner FROM numbers WHERE id = ANY(:ids)"),
                    {"ids": list(ids)},
                )
            }
    finally:
        engine.dispose()


def kill_run(  # type: ignore[no-untyped-def]
    args, store: BenchStore, keys, campaign: int, handed: list, accepted: list, refused: list
) -> None:
    """3 servers, one killed -9 mid-run (and again after a restart); then every number and
    result counted in the store."""
    servers = start_servers("isales", store.url, 3)
    victim = servers[0]
    spare: list[Server] = []
    step = args.kill_seconds / (args.kills + 1)

    def kill_and_restart() -> None:
        """``kill -9`` of the first server ``--kills`` times, evenly over the run; each
        time but the last a new server takes its port 3 s later."""
        current = victim
        for kill in range(args.kills):
            time.sleep(step if kill == 0 else step - 3)
            current.process.send_signal(signal.SIGKILL)
            current.process.wait(30)
            if kill < args.kills - 1:
                time.sleep(3)
                current = Server(isales_argv(store.url, victim.port), victim.port)
                spare.append(current)

    try:
        run = run_dialers(
            "isales",
            servers,
            keys,
            campaign,
            args.rate,
            args.kill_seconds,
            during=kill_and_restart,
        )
        handed += run["handed"]
        accepted += run["accepted"]
        refused += run["refused"]
        stopped = store_counts(store.url, campaign)
        waited_from = time.monotonic()
        # the servers left release lapsed claims (their sweep, every 15 s)
        while True:
            after = store_counts(store.url, campaign)
            if not after["calling"] or time.monotonic() - waited_from > args.lease + 60:
                break
            time.sleep(1)
        came_back = time.monotonic() - waited_from
    finally:
        stop_servers(servers + spare)
    doubles = len(handed) - len(set(handed))
    lost_claims = stopped["calling"]
    back = states_of(store.url, lost_claims)
    pending = after["by_state"].get("pending", 0)
    completed = after["completed"]
    checks = {
        "no number handed out twice": doubles == 0,
        "every number handed out is completed": set(handed) == completed,
        "every accepted result is stored": set(accepted) <= completed,
        "one result per completed number": after["results"]
        == after["results_distinct"]
        == len(completed),
        "nothing left calling": not after["calling"],
        "the kill's claims are pending again, the attempt not counted": back
        <= {("pending", 0, None)},
        "only claims whose answer was lost were left calling": not lost_claims & set(handed),
        "pending + completed = loaded": pending + len(completed) == args.numbers
        and sum(after["by_state"].values()) == args.numbers,
    }
    print(
        f"| P11 | postgresql | kill -9 of 1 of 3 servers {args.kills} times in "
        f"{args.kill_seconds:.0f} s (restarted 3 s after each kill but the last) at "
        f"{run['rate']:.0f} cycles/s | "
        f"{len(handed):,} numbers handed out over the whole run, {len(accepted):,} results "
        f"accepted + {len(refused)} resent after a lost answer (already stored); "
        f"requests lost with the server: {dict(run['lost']) or 'none'}; "
        f"{len(lost_claims)} claims left calling by the kills, back after "
        f"{came_back:.0f} s (lease {args.lease} s): {sorted(back)} | double claims "
        f"{doubles} | 0, none lost |",
        flush=True,
    )
    for name, ok in checks.items():
        print(f"# {'ok  ' if ok else 'FAIL'} {name}", flush=True)
    if not all(checks.values()):
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=25, help="offered cycles/s, all dialers")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm-up", type=float, default=4, help="seconds before measuring")
    parser.add_argument("--idle", type=float, default=5, help="seconds of idle CPU measured")
    parser.add_argument(
        "--sweeps",
        type=int,
        choices=[0, 1],
        default=1,
        help="1: also 3 servers whose background sweeps run 3 times less often",
    )
    parser.add_argument("--lease", type=int, default=40, help="ISALES_LEASE_SECONDS")
    parser.add_argument("--numbers", type=int, default=100_000)
    parser.add_argument("--kill-seconds", type=float, default=30)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--skip-cpu", action="store_true", help="only the kill run")
    parser.add_argument("--skip-kill", action="store_true", help="only the CPU figures")
    args = parser.parse_args()
    os.environ["ISALES_LEASE_SECONDS"] = str(args.lease)
    store = BenchStore("postgresql", Path(tempfile.mkdtemp(prefix="isales-bench-")))
    try:
        services = prepare(store.url)
        made = [services.access.create_key([VDN]) for _ in range(DIALERS)]
        campaign = services.campaigns.create(
            VDN, campaign_columns("scale-out"), init_status=0, api_version=1
        )
        noop = services.campaigns.create(
            VDN, campaign_columns("noop"), init_status=1, api_version=1
        )
        load_numbers(services, campaign, args.numbers)
        services.close()
        keys = [(k.access_key, k.secret_key) for k in made]
        handed: list[int] = []
        accepted: list[int] = []
        refused: list[int] = []
        figures: dict[tuple[str, int], list[dict]] = {}
        if not args.skip_cpu:
            for round_ in range(args.rounds):
                segments = [("floor", 1), ("floor", 3), ("isales", 1), ("isales", 3)]
                for kind, count in segments + [("sweeps", 3)] * args.sweeps:
                    servers = start_servers(kind, store.url, count)
                    try:
                        target = noop if kind == "floor" else campaign
                        # warm-up, not measured: each process's first requests open its
                        # connections and fill its caches
                        mode = "floor" if kind == "floor" else "isales"
                        warm = run_dialers(mode, servers, keys, target, args.rate, args.warm_up)
                        idle_ms = idle_cpu_ms_per_second(servers, args.idle)
                        run = run_dialers(
                            mode,
                            servers,
                            keys,
                            target,
                            args.rate,
                            args.seconds,
                            store_url=store.url if mode == "isales" else None,
                        )
                    finally:
                        stop_servers(servers)
                    run["idle"] = idle_ms
                    figures.setdefault((kind, count), []).append(run)
                    for done in (warm, run):
                        handed += done["handed"]
                        accepted += done["accepted"]
                        refused += done["refused"]
                    print(
                        f"# round {round_ + 1}: {kind} × {count}: {run['rate']:.1f} cycles/s, "
                        f"{run['cpu_ms_per_request']:.2f} ms CPU/request, cycle "
                        f"{run['latency_ms']:.1f} ms (p95 {run['p95_ms']:.1f}); idle "
                        f"{idle_ms:.1f} ms CPU/s"
                        + (f"; store sessions: {describe(run['waits'])}" if run["waits"] else ""),
                        file=sys.stderr,
                        flush=True,
                    )

            def cpu(kind: str, count: int) -> float:
                return median([r["cpu_ms_per_request"] for r in figures[(kind, count)]])

            def achieved(kind: str, count: int) -> float:
                return median([r["rate"] for r in figures[(kind, count)]])

            def latency(kind: str, count: int) -> float:
                return median([r["latency_ms"] for r in figures[(kind, count)]])

            def idle(kind: str, count: int) -> float:
                return median([r["idle"] for r in figures[(kind, count)]])

            floor_ratio = cpu("floor", 3) / cpu("floor", 1)
            raw = cpu("isales", 3) / cpu("isales", 1)
            corrected = (cpu("isales", 3) - (cpu("floor", 3) - cpu("floor", 1))) / cpu("isales", 1)
            print(
                f"| P11 | postgresql | bare FastAPI, server CPU per request, 3 processes vs 1 "
                f"({achieved('floor', 3):.0f} / {achieved('floor', 1):.0f} cycles/s offered "
                f"{args.rate:g}) | {cpu('floor', 3):.3f} ms vs {cpu('floor', 1):.3f} ms "
                f"| {floor_ratio:.2f}× | — |\n"
                f"| P11 | postgresql | isales claim + report, server CPU per request, 3 servers "
                f"vs 1 ({achieved('isales', 3):.0f} / {achieved('isales', 1):.0f} cycles/s; "
                f"cycle {latency('isales', 3):.1f} / {latency('isales', 1):.1f} ms) "
                f"| {cpu('isales', 3):.3f} ms vs {cpu('isales', 1):.3f} ms | {raw:.2f}× | — |\n"
                f"| P11 | postgresql | idle server CPU (background jobs), 3 servers vs 1 | "
                f"{idle('isales', 3):.1f} vs {idle('isales', 1):.1f} ms/s, i.e. "
                f"{idle('isales', 3) / (2 * args.rate):.2f} vs "
                f"{idle('isales', 1) / (2 * args.rate):.2f} ms per request at this rate | — | — |\n"
                f"| P11 | postgresql | the same, the floor's extra cost taken off | "
                f"{cpu('isales', 3) - (cpu('floor', 3) - cpu('floor', 1)):.3f} ms vs "
                f"{cpu('isales', 1):.3f} ms | {corrected:.2f}× | ≤ 1.15 |",
                flush=True,
            )
            if args.sweeps:
                swept = (cpu("sweeps", 3) - (cpu("floor", 3) - cpu("floor", 1))) / cpu("isales", 1)
                print(
                    f"| P11 | postgresql | the same, the 3 servers' import and callback sweeps "
                    f"every 3 s and 6 s (the store polled as often as by 1 server; idle "
                    f"{idle('sweeps', 3):.1f} ms/s) | "
                    f"{cpu('sweeps', 3) - (cpu('floor', 3) - cpu('floor', 1)):.3f} ms vs "
                    f"{cpu('isales', 1):.3f} ms | {swept:.2f}× | ≤ 1.15 |",
                    flush=True,
                )
        if not args.skip_kill:
            kill_run(args, store, keys, campaign, handed, accepted, refused)
    finally:
        store.drop()


if __name__ == "__main__":
    main()
