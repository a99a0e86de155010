"""Use cases: a campaign's calling numbers (reference §4.8)."""

from __future__ import annotations

from ..clock import Clock
from ..config import Settings
from ..store import Store


class CallerNumberService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
