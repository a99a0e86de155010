"""Use cases: today's statistics per campaign and batch (reference §2.5)."""

from __future__ import annotations

from ..clock import Clock
from ..config import Settings
from ..store import Store


class StatisticsService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
