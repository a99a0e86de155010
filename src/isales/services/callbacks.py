"""Use cases: result callbacks from the durable outbox (reference §3.3)."""

from __future__ import annotations

from ..clock import Clock
from ..config import Settings
from ..store import Store


class CallbackService:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store, self.settings, self.clock = store, settings, clock
