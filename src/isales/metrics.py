"""Prometheus metrics (docs/operations.md#metrics-get-metrics): names, and the text exposition.

Labels never carry tenant data (no VDN, campaign, number or key). With several server
processes (``isales serve --workers N``), ``PROMETHEUS_MULTIPROC_DIR`` names a folder the
processes share, and a scrape of any of them sums all of them (prometheus-client's
multiprocess mode); the serve command sets it up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# registered per scrape, never in the library's global registry
_OWN: dict[str, Any] = {"registry": None}

REQUESTS = Counter(
    "isales_requests",
    "Requests answered, by route template, method and resultCode (or HTTP status)",
    ["route", "method", "result_code"],
    **_OWN,
)
REQUEST_SECONDS = Histogram(
    "isales_request_duration_seconds",
    "Time to answer a request, by route template",
    ["route"],
    **_OWN,
)
NUMBERS_DELETED = Counter(
    "isales_numbers_deleted",
    "Numbers removed by deletes, by archived (1) or not (0)",
    ["archived"],
    **_OWN,
)
DIALER_CLAIMS = Counter("isales_dialer_claims", "Numbers claimed by dialers (callnos)", **_OWN)
CALL_RESULTS = Counter(
    "isales_call_results", "Call results reported by dialers, by status", ["status"], **_OWN
)
IMPORT_ROWS = Counter(
    "isales_import_rows", "Rows of finished file imports, by outcome", ["outcome"], **_OWN
)

PROCESS_METRICS = (
    REQUESTS,
    REQUEST_SECONDS,
    NUMBERS_DELETED,
    DIALER_CLAIMS,
    CALL_RESULTS,
    IMPORT_ROWS,
)


class OutboxCollector(Collector):
    """The callback outbox's depth and oldest age, read from the store at scrape time."""

    def __init__(self, read_outbox: Callable[[], tuple[int, float]]) -> None:
        self.read_outbox = read_outbox

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth, oldest = self.read_outbox()
        yield GaugeMetricFamily(
            "isales_callback_outbox_depth", "Result callbacks waiting to be delivered", depth
        )
        yield GaugeMetricFamily(
            "isales_callback_outbox_oldest_age_seconds",
            "Age of the oldest result callback waiting to be delivered",
            oldest,
        )


class AgentCollector(Collector):
    """Agents by state per VDN and campaign, read from the store at scrape time (an agent
    counts once per campaign it works for; campaign "" when it works for none)."""

    def __init__(self, read_agents: Callable[[], list[tuple[int, int | None, str, int]]]) -> None:
        self.read_agents = read_agents

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "isales_agents", "Agents by state", labels=["vdn", "campaign", "state"]
        )
        for vdn, campaign, state, count in self.read_agents():
            family.add_metric([str(vdn), "" if campaign is None else str(campaign), state], count)
        yield family


def exposition(
    read_outbox: Callable[[], tuple[int, float]],
    read_agents: Callable[[], list[tuple[int, int | None, str, int]]] | None = None,
) -> tuple[bytes, str]:
    """The text format: this process's metrics, or every worker's in multiprocess mode."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS_VARIABLE):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in PROCESS_METRICS:
            registry.register(collector)
    registry.register(OutboxCollector(read_outbox))
    if read_agents is not None:
        registry.register(AgentCollector(read_agents))
    return generate_latest(registry), CONTENT_TYPE_LATEST
