"""Use cases: file import of numbers as an asynchronous task (reference §2.6)."""

from __future__ import annotations

from ..clock import Clock
from ..config import Settings
from ..store import Store


class ImportService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
