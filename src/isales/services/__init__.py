"""Use cases. Each public method is one transaction it opens and owns; none imports HTTP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..clock import Clock, system_clock
from ..config import Settings
from ..store import Store
from ..store.migrate import schema_lag
from .access import AccessService
from .agents import AgentService
from .audit import AuditService
from .batches import BatchService
from .blacklist import BlacklistService
from .blacklist_imports import BlacklistImportService
from .call_records import CallRecordService
from .callbacks import CallbackService
from .caller_numbers import CallerNumberService
from .campaigns import CampaignService
from .console_users import ConsoleUserService
from .contact_policies import ContactPolicyService
from .definitions import DefinitionService
from .deletion import DeletionService
from .dialer import DialerService
from .erasure import ErasureService
from .file_servers import FileServerService
from .idempotency import IdempotencyService
from .imports import ImportService
from .numbers import NumberService
from .obs import ObsService
from .overview import OverviewService
from .policies import PolicyService
from .reservations import ReservationService
from .results import ResultService
from .retention import RetentionService
from .special_dates import SpecialDateService
from .statistics import StatisticsService
from .templates import TemplateService

#: seconds between two sweeps of lapsed claims
LEASE_SWEEP_SECONDS = 15.0
#: seconds between two sweeps of expired seen signatures
SIGNATURE_SWEEP_SECONDS = 60.0


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
    console_users: ConsoleUserService
    overview: OverviewService
    # data lifecycle (docs/api.md#data-lifecycle-isales-extensions)
    deletion: DeletionService
    audit: AuditService
    idempotency: IdempotencyService
    retention: RetentionService
    erasure: ErasureService
    batches: BatchService
    definitions: DefinitionService
    call_records: CallRecordService
    templates: TemplateService
    blacklist_imports: BlacklistImportService
    reservations: ReservationService
    obs: ObsService
    file_servers: FileServerService
    agents: AgentService
    contacts: ContactPolicyService

    @classmethod
    def build(cls, settings: Settings, clock: Clock = system_clock) -> Services:
        store = Store(settings.db)
        parts: dict[str, Any] = {
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
            "console_users": ConsoleUserService,
            "overview": OverviewService,
            "deletion": DeletionService,
            "audit": AuditService,
            "idempotency": IdempotencyService,
            "retention": RetentionService,
            "erasure": ErasureService,
            "batches": BatchService,
            "definitions": DefinitionService,
            "call_records": CallRecordService,
            "templates": TemplateService,
            "blacklist_imports": BlacklistImportService,
            "reservations": ReservationService,
            "obs": ObsService,
            "file_servers": FileServerService,
            "agents": AgentService,
            "contacts": ContactPolicyService,
        }
        built = {name: part(store, settings, clock) for name, part in parts.items()}
        return cls(store=store, settings=settings, **built)

    def background_jobs(self) -> list[tuple[float, Callable[[], object]]]:
        """Periodic work of a serving process: (interval in seconds, job)."""
        return [
            (LEASE_SWEEP_SECONDS, self.dialer.release_lapsed_claims),
            (self.settings.callback_sweep_seconds, self.callbacks.dispatch_due),
            (self.settings.import_sweep_seconds, self.imports.run_pending),
            (self.settings.import_sweep_seconds, self.blacklist_imports.run_pending),
            (self.settings.retention_sweep_seconds, self.idempotency.purge_expired),
            (self.settings.retention_sweep_seconds, self.retention.purge),
            (SIGNATURE_SWEEP_SECONDS, self.access.forget_expired_signatures),
        ]

    def startup_jobs(self) -> list[Callable[[], object]]:
        """Work a serving process does once when it starts (then periodically)."""
        return [self.retention.purge, self.idempotency.purge_expired]

    def close(self) -> None:
        self.callbacks.close()
        self.store.dispose()

    def not_ready(self) -> str | None:
        """None when the store answers, its schema is current and the master key at hand
        opens its sealed secrets (``GET /readyz``), else why."""
        try:
            return schema_lag(self.store.engine) or self.access.key_mismatch()
        except Exception as exc:  # any failure to reach the store is the answer itself
            return f"the store does not answer: {type(exc).__name__}"
