"""Use cases: retry policies and business-result write-back (reference §4.7, §3.5)."""

from __future__ import annotations

from ..clock import Clock
from ..config import Settings
from ..store import Store


class PolicyService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
