"""Use cases: special dates (holidays) of a campaign (reference §4.10)."""

from __future__ import annotations

from ..clock import Clock
from ..config import Settings
from ..store import Store


class SpecialDateService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
