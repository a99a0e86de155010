"""P1, P2, P9, P10: the fixed cost of a signed request.

P1: signed no-op deletes (a filter matching nothing) per second, against a bare FastAPI +
    uvicorn app answering the same JSON (``bench/floor_app.py``); one process each.
P2: single-number archived deletes per second against the no-op.
P9: ``isales serve --workers 2`` no-op rate against one worker's.
P10: the peak resident set of every server process.

Four client processes with one keep-alive connection each, signing every request.
``--client light`` (default) sends with ``http.client``: the server's cost dominates.
``--client httpx`` sends with the project's ``IsalesClient`` (httpx), heavier per request,
as the first figures in docs/performance.md were taken. Each figure is the median of
``--rounds`` rounds, floor and project interleaved within a round; server CPU per request
comes from /proc.

    python bench/requests.py --backend sqlite            # or postgresql; --client httpx
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    VDN,
    BenchStore,
    Server,
    Signer,
    campaign_columns,
    hammer,
    load_numbers,
    median,
    noop_path,
    prepare,
)
from isales.client import IsalesClient  # noqa: E402

_clients: dict[int, IsalesClient] = {}


def httpx_noop(signer: Signer, _index: int, args: dict) -> int:
    """The no-op sent through the project's own client (httpx)."""
    client = _clients.get(id(signer))
    if client is None:
        client = _clients[id(signer)] = IsalesClient(
            f"http://127.0.0.1:{signer.conn.port}", signer.access_key, signer.secret_key
        )
    answer = client.post(noop_path(args["campaign"]), json={"customField": "nothing-matches"})
    assert answer.status_code == 200 and answer.json()["successCount"] == 0, answer.text
    return 1


def light_noop(signer: Signer, _index: int, args: dict) -> int:
    answer = signer.call("POST", noop_path(args["campaign"]), {"customField": "nothing-matches"})
    assert answer["successCount"] == 0, answer
    return 1


_next: dict[int, int] = {}


def single_delete(signer: Signer, index: int, args: dict) -> int:
    """Archive-delete one number by its called number; client ``index`` takes x ≡ index mod 4,
    from where this round starts."""
    x = _next.get(index, args["first"] + index + 1)
    _next[index] = x + 4
    answer = signer.call(
        "POST", noop_path(args["campaign"]), {"called": f"138{x:08d}", "archiveHistory": 1}
    )
    assert answer["successCount"] == 1, answer
    return 1


def rate(server: Server, scenario, keys, args, seconds) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    return hammer(server, scenario, keys, args, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--client", choices=["light", "httpx"], default="light")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--skip-workers", action="store_true")
    args = parser.parse_args()
    noop = light_noop if args.client == "light" else httpx_noop
    store = BenchStore(args.backend, Path(tempfile.mkdtemp(prefix="isales-bench-")))
    try:
        services = prepare(store.url)
        keys = [services.access.create_key([VDN]) for _ in range(4)]
        noop_id = services.campaigns.create(
            VDN, campaign_columns("noop"), init_status=1, api_version=1
        )
        single_id = services.campaigns.create(
            VDN, campaign_columns("single"), init_status=1, api_version=1
        )
        load_numbers(services, single_id, args.rounds * 100_000)
        services.close()
        pairs = [(k.access_key, k.secret_key) for k in keys]
        on_noop, on_single = {"campaign": noop_id}, {"campaign": single_id}
        seconds = args.seconds
        figures: dict[str, list] = {"floor": [], "noop": [], "single": [], "workers": []}
        peaks: list[float] = []
        for round_ in range(args.rounds):
            on_single["first"] = round_ * 100_000
            floor = Server.floor()
            try:
                figures["floor"].append(rate(floor, noop, pairs, on_noop, seconds))
            finally:
                floor.stop()
            server = Server.isales(store.url)
            try:
                figures["noop"].append(rate(server, noop, pairs, on_noop, seconds))
                figures["single"].append(rate(server, single_delete, pairs, on_single, seconds))
                peaks.append(server.peak_rss_mb())
            finally:
                server.stop()
            if not args.skip_workers:
                workers = Server.isales(store.url, workers=2)
                try:
                    figures["workers"].append(rate(workers, noop, pairs, on_noop, seconds))
                    peaks.append(workers.peak_rss_mb())
                finally:
                    workers.stop()

        def per_s(name: str) -> float:
            return median([f[0] for f in figures[name]])

        def cpu_ms(name: str) -> float:
            return median([f[1] for f in figures[name]])

        b = f"{args.backend} ({args.client} client)"
        print(
            f"| P1 | {b} | signed no-op req/s vs bare FastAPI | {per_s('noop'):.0f} vs "
            f"{per_s('floor'):.0f} | {per_s('noop') / per_s('floor'):.2f} | ≥ 0.5 |\n"
            f"| P1 | {b} | server CPU per request | {cpu_ms('noop'):.2f} ms vs "
            f"{cpu_ms('floor'):.2f} ms | {cpu_ms('noop') / cpu_ms('floor'):.1f}× | — |\n"
            f"| P2 | {b} | single archived deletes/s vs no-op | {per_s('single'):.0f} vs "
            f"{per_s('noop'):.0f} | {per_s('single') / per_s('noop'):.2f} | ≥ 0.8 |",
            flush=True,
        )
        if figures["workers"]:
            print(
                f"| P9 | {b} | no-op req/s, 2 workers vs 1 | {per_s('workers'):.0f} vs "
                f"{per_s('noop'):.0f} | {per_s('workers') / per_s('noop'):.2f} | ≥ 1.5 |",
                flush=True,
            )
        print(f"| P10 | {b} | peak RSS per server process | {max(peaks):.0f} MB | | ≤ 150 |")
    finally:
        store.drop()


if __name__ == "__main__":
    main()
