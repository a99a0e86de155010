"""Use cases. Each public method is one transaction it opens and owns; none imports HTTP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..clock import Clock, system_clock
from ..config import Settings
from ..store import Store
from ..store.migrate import schema_lag
from .access import AccessService
from .audit import AuditService
from .batches import BatchService
from .blacklist import BlacklistService
from .call_records import CallRecordService
from .callbacks import CallbackService
from .caller_numbers import CallerNumberService
from .campaigns import CampaignService
from .definitions import DefinitionService
from .deletion import DeletionService
from .dialer import DialerService
from .imports import ImportService
from .numbers import NumberService
from .policies import PolicyService
from .results import ResultService
from .special_dates import SpecialDateService
from .statistics import StatisticsService
from .templates import TemplateService

#: seconds between two sweeps of lapsed claims
LEASE_SWEEP_SECONDS = 15.0


@dataclass
class Services:
    store: Store
    settings: Settings
    access: AccessService
    campaigns: CampaignService
    numbers: NumberService
    dialer: DialerService
    policies: PolicyService
    results: ResultService
    callbacks: CallbackService
    statistics: StatisticsService
    blacklist: BlacklistService
    special_dates: SpecialDateService
    caller_numbers: CallerNumberService
    imports: ImportService
    # data lifecycle (spec/lifecycle.md)
    deletion: DeletionService
    audit: AuditService
    batches: BatchService
    definitions: DefinitionService
    call_records: CallRecordService
    templates: TemplateService

    @classmethod
    def build(cls, settings: Settings, clock: Clock = system_clock) -> Services:
        store = Store(settings.db)
        parts = {
            "access": AccessService,
            "campaigns": CampaignService,
            "numbers": NumberService,
            "dialer": DialerService,
            "policies": PolicyService,
            "results": ResultService,
            "callbacks": CallbackService,
            "statistics": StatisticsService,
            "blacklist": BlacklistService,
            "special_dates": SpecialDateService,
            "caller_numbers": CallerNumberService,
            "imports": ImportService,
            "deletion": DeletionService,
            "audit": AuditService,
            "batches": BatchService,
            "definitions": DefinitionService,
            "call_records": CallRecordService,
            "templates": TemplateService,
        }
        built = {name: part(store, settings, clock) for name, part in parts.items()}
        return cls(store=store, settings=settings, **built)

    def background_jobs(self) -> list[tuple[float, Callable[[], object]]]:
        """Periodic work of a serving process: (interval in seconds, job)."""
        return [
            (LEASE_SWEEP_SECONDS, self.dialer.release_lapsed_claims),
            (self.settings.callback_sweep_seconds, self.callbacks.deliver_due),
            (self.settings.import_sweep_seconds, self.imports.run_pending),
        ]

    def close(self) -> None:
        self.store.dispose()

    def not_ready(self) -> str | None:
        """None when the store answers and its schema is current (``GET /readyz``), else why."""
        try:
            return schema_lag(self.store.engine)
        except Exception as exc:  # any failure to reach the store is the answer itself
            return f"the store does not answer: {type(exc).__name__}"
