"""SIP dialer load: 100 calls, 20 at once, against SIPp's random carrier (a simulated trunk).

`isales dialer --driver sip` places every number of a notification campaign (a 2 s prompt,
maxAlertingTime 8 s) through SIPp's ``carrier_random.xml`` (answers, busy, ring until our
CANCEL, ...), RTP echoed. Printed: the outcome mix, that all 100 were reported and no
lease is left, and the dialer process's CPU per call and as a share of one core over the
run. Its floor, measured in the same run: the same dialer idling (nothing to dial) for as
long. Goal: at most 10 % of one core on average (sippy alone measured 4 %).

    python bench/sip_calls.py                 # --backend postgresql, --calls, --concurrency
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import VDN, BenchStore, Server, prepare  # noqa: E402
from isales.client import IsalesClient  # noqa: E402
from tests.helpers import add_numbers, create_campaign, rows  # noqa: E402
from tests.support.sipp import Sipp, start_sip_dialer, wait_until, write_prompt  # noqa: E402

GOAL_SHARE = 0.10
RING_LIMIT = 8
PROMPT_SECONDS = 2.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Running:
    """What start_sip_dialer needs of a server: its URL and services (to make a key)."""

    def __init__(self, base_url: str, services) -> None:  # type: ignore[no-untyped-def]
        self.base_url, self.services = base_url, services


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="isales-bench-sip-"))
    store = BenchStore(args.backend, work)
    services = prepare(store.url)
    server = Server.isales(store.url)
    carrier = None
    try:
        running = _Running(server.base, services)
        key = services.access.create_key([VDN])
        with IsalesClient(server.base, key.access_key, key.secret_key) as admin:
            campaign_id = create_campaign(
                admin,
                init_status=1,  # paused: the floor run idles first
                deviceType=3,
                ivrParam={"flowAccessCode": "1"},
                maxAlertingTime=RING_LIMIT,
            )
            write_prompt(work / f"{campaign_id}.wav", PROMPT_SECONDS)
            add_numbers(admin, campaign_id, [{"called": f"3{n:07d}"} for n in range(args.calls)])
        carrier = Sipp("carrier_random.xml", work)
        dialer = start_sip_dialer(
            running, work, carrier.trunk, "--concurrency", str(args.concurrency)
        )

        wait_until(lambda: "SIP trunk" in dialer.log.read_text(), 60, "the dialer started")
        time.sleep(3)  # past its start-up (imports, first polls)
        # the run: resume the campaign, wait until every number has its result
        with IsalesClient(server.base, key.access_key, key.secret_key) as admin:
            floor_started, floor_cpu = time.monotonic(), cpu_seconds(dialer.process.pid)
            time.sleep(10)  # the floor: the same process, idle (the campaign is paused)
            floor_wall = time.monotonic() - floor_started
            floor_cpu = cpu_seconds(dialer.process.pid) - floor_cpu
            answer = admin.put(
                f"/rest/isales/v1/openapi/campaigns/{VDN}/{campaign_id}/resume"
            ).json()
            assert answer["resultCode"] == "0200000", answer
        started, cpu_before = time.monotonic(), cpu_seconds(dialer.process.pid)

        def reported() -> int:
            return len(rows(services, "call_results", campaign_id=campaign_id))

        wait_until(lambda: reported() >= args.calls, 600, "all calls reported")
        wall = time.monotonic() - started
        cpu = cpu_seconds(dialer.process.pid) - cpu_before
        assert dialer.stop() == 0, dialer.log.read_text()[-2000:]
        stats = carrier.stop()
        carrier = None

        results = rows(services, "call_results", campaign_id=campaign_id)
        numbers = rows(services, "numbers", campaign_id=campaign_id)
        leases = [n for n in numbers if n["lease_owner"] is not None]
        mix = Counter((r["call_status"], r["fail_code"]) for r in results)
        print(f"SIP dialer, {args.calls} calls, {args.concurrency} at once, {args.backend} store")
        print("  outcomes: " + ", ".join(f"{s}/{c} x{n}" for (s, c), n in sorted(mix.items())))
        print(f"  reported: {len(results)} of {args.calls}; leases left: {len(leases)}")
        print(
            f"  SIPp: {stats['SuccessfulCall(C)']} calls ended, "
            f"{stats['FailedCall(C)']} failed, {stats['Retransmissions(C)']} retransmissions"
        )
        share = cpu / wall
        floor_share = floor_cpu / floor_wall
        print(
            f"  wall {wall:.1f} s, dialer CPU {cpu:.2f} s = {1000 * cpu / args.calls:.1f} ms a call"
        )
        print(
            f"  dialer CPU share of one core: {100 * share:.1f} % "
            f"(idle floor {100 * floor_share:.1f} %, {share / max(floor_share, 1e-9):.1f}x the "
            f"floor; goal <= {100 * GOAL_SHARE:.0f} %: "
            f"{'met' if share <= GOAL_SHARE else 'NOT met'})"
        )
        if len(results) != args.calls or leases:
            raise SystemExit("not every call was reported, or a lease is left")
    finally:
        if carrier is not None:
            carrier.stop()
        server.process.terminate()
        server.process.wait(30)
        services.close()
        store.drop()


if __name__ == "__main__":
    main()
