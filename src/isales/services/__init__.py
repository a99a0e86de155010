"""Use cases. Each public method is one transaction it opens and owns; none imports HTTP."""

from __future__ import annotations

from dataclasses import dataclass

from ..clock import Clock, system_clock
from ..config import Settings
from ..store import Store
from .access import AccessService
from .campaigns import CampaignService
from .dialer import DialerService
from .numbers import NumberService


@dataclass
class Services:
    store: Store
    settings: Settings
    access: AccessService
    campaigns: CampaignService
    numbers: NumberService
    dialer: DialerService

    @classmethod
    def build(cls, settings: Settings, clock: Clock = system_clock) -> Services:
        store = Store(settings.db)
        return cls(
            store=store,
            settings=settings,
            access=AccessService(store, settings, clock),
            campaigns=CampaignService(store, settings, clock),
            numbers=NumberService(store, settings, clock),
            dialer=DialerService(store, settings, clock),
        )

    def close(self) -> None:
        self.store.dispose()
