"""Charts drawn on the server as SVG geometry: no script, nothing fetched by the browser."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.states import CONNECTED

#: drawing area of the outcome chart, in SVG user units
LABEL_WIDTH = 230
BAR_AREA = 380
BAR_HEIGHT = 22
BAR_GAP = 8


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
    label_width: int
    total: int


def outcome_bars(outcomes: list[tuple[str, str | None, int]]) -> BarChart:
    """Horizontal bars of call results by (callStatus, failCode), longest first."""
    largest = max((count for _, _, count in outcomes), default=0)
    bars = [
        Bar(
            label=f"{'Connected' if status == CONNECTED else 'Failed'}"
            f" · failCode {fail_code or 'none'}",
            count=count,
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=max(2, round(BAR_AREA * count / largest)),
            connected=status == CONNECTED,
        )
        for index, (status, fail_code, count) in enumerate(outcomes)
    ]
    return BarChart(
        bars=bars,
        width=LABEL_WIDTH + BAR_AREA + 70,
        height=max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP),
        label_width=LABEL_WIDTH,
        total=sum(count for _, _, count in outcomes),
    )
