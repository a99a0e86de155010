"""Cost of single-use signatures (docs/api.md#limits-and-protections).

A data-changing request writes its signature to the store (one INSERT). This measures a
signed no-op delete (a filter that matches nothing) on a real uvicorn server in this
process, with the signature record and without it (the request path told the interface
is exempt), alternating rounds, and prints the median time per request of each and
their ratio.

    python bench/replay_cost.py                    # SQLite, 300 requests per round
    python bench/replay_cost.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

from isales.api import request as request_path
from isales.api.app import create_app
from isales.client import IsalesClient
from isales.config import Settings
from isales.store.engine import make_engine
from isales.store.migrate import upgrade

os.environ.setdefault("ISALES_MASTER_KEY", "YmVuY2gtbWFzdGVyLWtleS0wMDAwMDAwMDAwMDAwMDA=")
CAMPAIGNS = "/rest/isales/v1/openapi/campaigns/12"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_round(client: IsalesClient, path: str, requests: int) -> float:
    started = time.perf_counter()
    for n in range(requests):
        answer = client.post(path, json={"customField": f"none-{n}", "archiveHistory": 1})
        assert answer.status_code == 200, answer.text
    return (time.perf_counter() - started) / requests


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    url = options.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = Settings(db=url, port=free_port())
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, port=settings.port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    key = app.state.services.access.create_key([12])
    client = IsalesClient(f"http://127.0.0.1:{settings.port}", key.access_key, key.secret_key)
    body = {
        "name": "bench",
        "strBeginTime": time.strftime("%Y-%m-%d 00:00:00", time.gmtime()),
        "strEndTime": time.strftime("%Y-%m-%d 23:59:59", time.gmtime(time.time() + 86400)),
        "deviceType": 2,
        "callerNo": "10086",
        "maxAlertingTime": 30,
        "scheduleParam": {"workdayBeginTime1": "00:00", "workdayEndTime1": "23:59"},
        "skillParam": {"skillId": 1},
        "initStatus": 1,
    }
    campaign_id = client.post(CAMPAIGNS, json=body).json()["returnObject"]["id"]
    path = f"{CAMPAIGNS}/calldata/{campaign_id}/delete"
    single_use = request_path.changes_data
    with_record, without_record = [], []
    one_round(client, path, 50)  # warm up
    for _ in range(options.rounds):
        request_path.changes_data = single_use
        with_record.append(one_round(client, path, options.requests))
        request_path.changes_data = lambda method, path: False
        without_record.append(one_round(client, path, options.requests))
    request_path.changes_data = single_use
    server.should_exit = True
    a, b = statistics.median(with_record), statistics.median(without_record)
    backend = url.split(":", 1)[0]
    print("| store | with signature record | without | ratio |")
    print("|---|---|---|---|")
    print(f"| {backend} | {a * 1000:.2f} ms | {b * 1000:.2f} ms | {a / b:.3f} |")


if __name__ == "__main__":
    main()
