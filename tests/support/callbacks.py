"""A real HTTP receiver of result callbacks, and calls that make results to push."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.api import claim, report

#: background sweeps never run during these tests: they drive deliver_due themselves
MANUAL = {"callback_sweep_seconds": 3600, "callback_allow_private": True}


class Receiver:
    """A customer's callBackUrl: refuses (HTTP 500) the first ``refuse`` POSTs, then 200."""

    def __init__(self) -> None:
        self.refuse = 0
        self.received: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.received.append(
                        {"path": self.path, "headers": dict(self.headers), "body": json.loads(body)}
                    )
                    refused = len(receiver.received) <= receiver.refuse
                answer = (
                    b'{"retCode":"1","retMsg":"busy"}'
                    if refused
                    else (b'{"retCode":"0","retMsg":"success"}')
                )
                self.send_response(500 if refused else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/isales/results"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    @property
    def bodies(self) -> list[Any]:
        return [item["body"] for item in self.received]

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


def dial(client, campaign_id: int, outcomes: list[str]) -> list[str]:
    claimed = claim(client, campaign_id, len(outcomes))
    assert len(claimed) == len(outcomes)
    for item, status in zip(claimed, outcomes, strict=True):
        assert report(client, campaign_id, item["uniqueId"], status=status) == {"result": "0"}
    return [item["uniqueId"] for item in claimed]
