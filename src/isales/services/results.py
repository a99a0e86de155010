"""Use cases: call-result queries (reference §3.1, §3.2)."""

from __future__ import annotations

from ..clock import Clock
from ..config import Settings
from ..store import Store


class ResultService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
