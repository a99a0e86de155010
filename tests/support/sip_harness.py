"""The SIP driver alone, as a process (driver-level tests of tests/telephony, no server).

    python -m tests.support.sip_harness PLAN.json RESULTS.json

The plan (JSON) names the trunk, the prompts folder and the RTP ports, the agents' legs
to open (``{"legs": {"1001": "sip:1001@127.0.0.1:port"}}``), then the calls, placed
``concurrency`` at a time; each call is ``{"number", "workNo"}`` (bridged to that agent
at once) or ``{"number", "take": [...]}`` (predictive: each ask of a free agent takes the
next of that list, none once it is empty). ``waitBeforeCalls`` waits (legs up) before
the calls, ``holdSeconds`` keeps the legs up after them, ``closeLegs`` hangs them up at
the end. The results (JSON): which legs came up, each call's outcome, the legs reported
dropped, the legs still up. The driver logs to stderr (the test keeps it: the bridge and
compliance lines are its measures).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from isales.dialer.driver import CallRequest
from isales.dialer.sip.driver import SipDriver, run_dialer
from isales.dialer.sip.settings import SipConfig
from isales.dialer.sip.stack import SipStack


def _wait(driver: SipDriver, seconds: float) -> list[str]:
    """Wait, collecting the legs that drop meanwhile."""
    dropped: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        dropped += driver.legs_dropped()
        time.sleep(0.1)
    return dropped + driver.legs_dropped()


def main(plan_path: str, results_path: str) -> None:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    plan: dict[str, Any] = json.loads(Path(plan_path).read_text())
    host, port = plan["bind"].split(":")
    low, high = plan["rtpPorts"].split("-")
    trunk_host, trunk_port = plan["trunk"].split(":")
    config = SipConfig(
        trunk=(trunk_host, int(trunk_port)),
        bind=(host, int(port)),
        rtp_ports=(int(low), int(high)),
        prompts_dir=Path(plan["prompts"]),
    )
    stack = SipStack(host, int(port))
    driver = SipDriver(config, stack)
    driver.agent_rtp_timeout = float(plan.get("agentRtpTimeout", 20.0))
    driver.agent_ring_seconds = int(plan.get("agentRingSeconds", 20))
    results: dict[str, Any] = {"legs": {}, "calls": [], "dropped": []}

    def run() -> None:
        driver.admit({"id": 1, "deviceType": plan.get("deviceType", 6)})
        with ThreadPoolExecutor(max_workers=8) as pool:
            opened = {
                work_no: pool.submit(driver.open_leg, work_no, uri)
                for work_no, uri in plan.get("legs", {}).items()
            }
            results["legs"] = {work_no: f.result() for work_no, f in opened.items()}
        results["dropped"] += _wait(driver, float(plan.get("waitBeforeCalls", 0)))
        takes = threading.Lock()

        def place(index: int, spec: dict[str, Any]) -> dict[str, Any]:
            queue = list(spec.get("take", []))

            def take() -> str | None:
                with takes:
                    return queue.pop(0) if queue else None

            call = CallRequest(
                campaign_id=1,
                data_id=str(index),
                numbers=[spec["number"]],
                caller="4000",
                call_data="",
                max_alerting_seconds=5,
                work_no=spec.get("workNo"),
                take_agent=None if "workNo" in spec else take,
                agent_wait_seconds=float(plan.get("agentWaitSeconds", 1.0)),
            )
            return {"number": spec["number"], **asdict(driver.place(call))}

        with ThreadPoolExecutor(max_workers=int(plan.get("concurrency", 1))) as pool:
            futures = [pool.submit(place, i, spec) for i, spec in enumerate(plan.get("calls", []))]
            results["calls"] = [f.result() for f in futures]
        results["dropped"] += _wait(driver, float(plan.get("holdSeconds", 0)))
        results["up"] = sorted(driver.legs_up())
        if plan.get("closeLegs", True):
            for work_no in list(results["up"]):
                driver.close_leg(work_no)
            time.sleep(0.5)
        Path(results_path).write_text(json.dumps(results))

    run_dialer(stack, run)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
