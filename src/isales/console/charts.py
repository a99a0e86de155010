"""Charts drawn on the server as SVG geometry: no script, nothing fetched by the browser."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.fail_codes import described
from ..domain.states import CONNECTED

#: drawing area of the outcome chart, in SVG user units; each bar's label stands above it
#: (not beside it) so that the chart stays narrow and its text readable on a phone
BAR_AREA = 400
LABEL_HEIGHT = 20
BAR_HEIGHT = 22
BAR_GAP = 10
ROW_HEIGHT = LABEL_HEIGHT + BAR_HEIGHT + BAR_GAP


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: int
    width: int
    connected: bool


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_height: int
    total: int


def outcome_bars(outcomes: list[tuple[str, str | None, int]]) -> BarChart:
    """Horizontal bars of call results by (callStatus, failCode), longest first."""
    largest = max((count for _, _, count in outcomes), default=0)
    bars = [
        Bar(
            label=f"{'Connected' if status == CONNECTED else 'Failed'}"
            f" · {described(fail_code) or 'no failCode'}",
            count=count,
            y=index * ROW_HEIGHT,
            width=max(2, round(BAR_AREA * count / largest)),
            connected=status == CONNECTED,
        )
        for index, (status, fail_code, count) in enumerate(outcomes)
    ]
    return BarChart(
        bars=bars,
        width=BAR_AREA + 70,
        height=max(1, len(bars)) * ROW_HEIGHT,
        label_height=LABEL_HEIGHT,
        total=sum(count for _, _, count in outcomes),
    )
