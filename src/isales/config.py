"""Settings, read from the environment (``ISALES_*``) and command-line options."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_FILE = "isales.db"


def default_db_url() -> str:
    return f"sqlite:///{Path.cwd() / DEFAULT_DB_FILE}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ISALES_", extra="ignore")

    db: str = Field(default_factory=default_db_url, description="SQLAlchemy URL of the store")
    host: str = "127.0.0.1"
    port: int = 8080
    timezone: str = Field("UTC", description="time zone of recycleTime day boundaries")
    clock_skew_seconds: int = Field(15 * 60, ge=0)
    max_body_bytes: int = Field(8 * 1024 * 1024, ge=1024)

    add_v1_max_per_call: int = Field(20, ge=1, le=20)
    add_v2_max_per_call: int = Field(20, ge=1, le=2000)
    max_uncompleted_per_campaign: int = Field(200_000, ge=1)
    add_min_interval_enabled: bool = False
    add_min_interval_seconds: float = Field(1.0, ge=0)

    lease_seconds: int = Field(300, ge=1, description="time a claimed number may stay calling")
    retry_ordinary_interval_seconds: int = Field(
        600, ge=0, description="gap between ordinary retries"
    )

    callback_max_pushes: int = Field(6, ge=1, le=6)
    callback_retry_seconds: int = Field(600, ge=0, description="wait after a failed push")
    callback_timeout_seconds: float = Field(10.0, gt=0)
    callback_sweep_seconds: float = Field(2.0, gt=0)

    statistics_flow_control_enabled: bool = False
    statistics_min_interval_seconds: int = Field(300, ge=1)

    import_max_rows: int = Field(500_000, ge=1)
    import_max_body_bytes: int = Field(96 * 1024 * 1024, ge=1024, description="upload limit")
    import_sweep_seconds: float = Field(1.0, gt=0)

    caller_numbers_max_total: int = Field(200, ge=1)
    claim_max_batch: int = Field(100, ge=1)
    history_max_page: int = Field(500, ge=1)

    # issue 12 part B: file servers (SFTP) and their sealed passwords
    master_key: str = Field("", description="Fernet key sealing file-server passwords")
    master_key_file: str = Field("", description="file holding the Fernet key instead")
    file_server_trustlist: str = Field(
        "", description="comma-separated IPs/host names file servers may have; empty: none"
    )
    file_server_timeout_seconds: float = Field(30.0, gt=0)
    # issue 12 part B: each number's own time zone (domain/time_zones.py)
    time_zone_prefixes: str = Field(
        "", description="extra prefix=Zone entries, ';'-separated, over the shipped table"
    )
    time_zone_international_prefix: str = Field(
        "00", description="numbers read by the prefix table start with it; empty: all do"
    )

    @field_validator("time_zone_prefixes")
    @classmethod
    def _known_prefix_zones(cls, value: str) -> str:
        from .domain.time_zones import parse_prefixes

        parse_prefixes(value)
        return value

    @property
    def zone_table(self):  # type: ignore[no-untyped-def]
        from .domain.time_zones import ZoneTable, parse_prefixes

        return ZoneTable(
            parse_prefixes(self.time_zone_prefixes), self.time_zone_international_prefix
        )

    # data lifecycle (spec/lifecycle.md)
    idempotency_ttl_seconds: int = Field(
        24 * 3600, ge=1, description="how long the answer to an Idempotency-Key is kept"
    )
    idempotency_lease_seconds: int = Field(
        120, ge=1, description="a keyed request unanswered this long is taken over by a retry"
    )
    history_retention_days: int | None = Field(
        None, ge=1, description="purge history and call results older than this; none: keep"
    )
    retention_sweep_seconds: float = Field(3600, ge=1, description="interval of the purge")

    # console (docs/console.md)
    console: bool = Field(True, description="serve the web console at /console/ (off: not)")
    console_session_minutes: int = Field(
        480, ge=1, description="a console session ends this long after sign-in"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def as_environment(self) -> dict[str, str]:
        """These settings as ``ISALES_*`` variables (how server worker processes get them)."""
        # an unset optional setting (None) stays unset: "None" is not a value
        return {
            f"ISALES_{name.upper()}": str(value)
            for name, value in self.model_dump().items()
            if value is not None
        }
