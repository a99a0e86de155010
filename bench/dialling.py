"""P3 and P7: the dialer paths at any campaign size.

P3: claim latency (``callnos``, batch 1) in a campaign of ``--big`` numbers (default
5,000,000) against one of 10,000, every number sharing one due time, interleaved claim by
claim against one server; the ratio of the medians.
P7: claim + report cycles per second with 4 dialers (each its own key and connection)
against the signed no-op request rate of the same server, interleaved, medians of three.

    python bench/dialling.py --backend sqlite        # or postgresql; --big 1000000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
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
    noop_delete,
    prepare,
)

OBS = "/rest/isales/v1/openapi/obs/business"


def claim(signer: Signer, campaign_id: int) -> list[dict]:
    body = {"subCCNo": 1, "vdnId": VDN, "serviceId": campaign_id, "batchCount": 1}
    answer = signer.call("POST", f"{OBS}/callnos", body)
    assert answer["result"] == "0", answer
    return answer["resultData"]


def cycle(signer: Signer, _index: int, args: dict) -> int:
    [number] = claim(signer, args["campaign"])
    body = {
        "subCCNo": 1,
        "vdnId": VDN,
        "serviceId": str(args["campaign"]),
        "uniqueId": number["uniqueId"],
        "status": "6",
        "failCode": "00000",
        "callId": f"call-{number['uniqueId']}",
    }
    answer = signer.call("POST", f"{OBS}/call/result", body)
    assert answer["result"] == "0", answer
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--big", type=int, default=5_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    store = BenchStore(args.backend, Path(tempfile.mkdtemp(prefix="isales-bench-")))
    try:
        services = prepare(store.url)
        keys = [services.access.create_key([VDN]) for _ in range(5)]
        ids = {}
        for name, init in (("small", 0), ("big", 0), ("cycle", 0), ("noop", 1)):
            ids[name] = services.campaigns.create(
                VDN, campaign_columns(name), init_status=init, api_version=1
            )
        for name, total, prefix in (
            ("small", args.small, "131"),
            ("cycle", 200_000, "132"),
            ("big", args.big, "133"),
        ):
            seconds = load_numbers(services, ids[name], total, prefix)
            print(f"# {args.backend}: loaded {total:,} numbers in {seconds:.0f} s", file=sys.stderr)
        services.close()
        pairs = [(k.access_key, k.secret_key) for k in keys]
        server = Server.isales(store.url)
        try:
            signer = Signer(server.port, *pairs[4])
            claim(signer, ids["small"]), claim(signer, ids["big"])  # warm up
            small, big = [], []
            for _ in range(args.claims):
                for name, times in (("small", small), ("big", big)):
                    started = time.perf_counter()
                    assert len(claim(signer, ids[name])) == 1
                    times.append(time.perf_counter() - started)
            small_ms, big_ms = median(small) * 1000, median(big) * 1000
            print(
                f"| P3 | {args.backend} | claim, batch 1: {args.big:,} vs {args.small:,} numbers "
                f"| {big_ms:.2f} ms vs {small_ms:.2f} ms | {big_ms / small_ms:.2f} | ≤ 1.5 |",
                flush=True,
            )
            noops, cycles = [], []
            for _ in range(3):
                noops.append(
                    hammer(server, noop_delete, pairs[:4], {"campaign": ids["noop"]}, args.seconds)[
                        0
                    ]
                )
                cycles.append(
                    hammer(server, cycle, pairs[:4], {"campaign": ids["cycle"]}, args.seconds)[0]
                )
            print(
                f"| P7 | {args.backend} | claim + report cycles/s, 4 dialers | "
                f"{median(cycles):.0f} vs no-op {median(noops):.0f} req/s | "
                f"{median(cycles) / median(noops):.2f} | ≥ 0.8 |",
                flush=True,
            )
            print(f"# peak RSS {server.peak_rss_mb():.0f} MB", flush=True)
        finally:
            server.stop()
    finally:
        store.drop()


if __name__ == "__main__":
    main()
