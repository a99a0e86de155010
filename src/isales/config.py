"""Settings, read from the environment (``ISALES_*``) and command-line options."""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, InitSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .domain.time_zones import ZoneTable, parse_prefixes
from .errors import ConfigError

DEFAULT_DB_FILE = "isales.db"
#: how ``isales serve --workers`` hands its resolved settings (JSON) to the worker processes;
#: outside the ``ISALES_`` prefix, so it is never mistaken for a setting
WORKER_SETTINGS_VARIABLE = "_ISALES_WORKER_SETTINGS"


@dataclass(frozen=True)
class FileLimits:
    """The bounds every uploaded file is read within (number and blacklist files); the
    readers (``imports_format``) take them as a value, so they need no settings."""

    rows: int = 500_000
    unpacked_bytes: int = 200 * 1024 * 1024


def default_db_url() -> str:
    return f"sqlite:///{Path.cwd() / DEFAULT_DB_FILE}"


# The SIP settings are checked here, where every setting is read, so that a misspelt
# address fails at start; the driver (dialer/sip/) reads the parsed values.
#: the codecs the driver can offer: G.711 mu-law and A-law, by SDP encoding name
CODEC_NAMES = ("PCMU", "PCMA")


def parse_host_port(text: str, what: str) -> tuple[str, int]:
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{what} {text!r}: write host:port, e.g. 127.0.0.1:5060")
    return host, int(port)


def parse_port_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    try:
        first, last = int(low), int(high or low)
    except ValueError:
        first, last = 0, -1
    if not 1024 <= first < last <= 65535:
        raise ValueError(f"RTP ports {text!r}: write low-high, e.g. 20000-20999")
    return first, last


def parse_codecs(text: str) -> tuple[str, ...]:
    """``"PCMU,PCMA"`` -> ("PCMU", "PCMA"); only G.711 names, each once."""
    names = tuple(part.strip().upper() for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in CODEC_NAMES]
    if not names or unknown or len(set(names)) != len(names):
        raise ValueError(
            f"codecs {text!r}: list PCMU and/or PCMA, comma-separated, in order of preference"
        )
    return names


#: what a valid store URL looks like, for the error that refuses one
STORE_URL_EXAMPLES = (
    "sqlite:////var/lib/isales/isales.db (SQLite, absolute path) or "
    "postgresql://user:password@127.0.0.1:5432/isales"
)
#: PostgreSQL's URL schemes (libpq accepts both) and the driver isales ships with
_POSTGRES_SCHEMES = ("postgres", "postgresql")
POSTGRES_DRIVER = "postgresql+psycopg"


def store_url(text: str) -> str:
    """The store's SQLAlchemy URL: ``postgres://`` and ``postgresql://`` are PostgreSQL
    through psycopg (the driver installed with isales)."""
    try:
        url = make_url(text)
    except ArgumentError:
        raise ValueError(f"not a store URL; write e.g. {STORE_URL_EXAMPLES}") from None
    backend = url.drivername.split("+")[0]
    if backend in _POSTGRES_SCHEMES:
        if url.drivername in _POSTGRES_SCHEMES:
            url = url.set(drivername=POSTGRES_DRIVER)
        return url.render_as_string(hide_password=False)
    if backend != "sqlite":
        raise ValueError(
            f"isales stores data in SQLite or PostgreSQL; write e.g. {STORE_URL_EXAMPLES}"
        )
    return text


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
    agent_login_timeout_seconds: float = Field(
        30.0, gt=0, description="how long a login waits for a dialer to report the agent's leg"
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

    # file servers (SFTP); passwords sealed under master_key (secret_box)
    file_server_trustlist: str = Field(
        "", description="comma-separated IPs/host names file servers may have; empty: none"
    )
    file_server_timeout_seconds: float = Field(30.0, gt=0)
    # each number's own time zone (domain/time_zones.py)
    time_zone_prefixes: str = Field(
        "", description="extra prefix=Zone entries, ';'-separated, over the shipped table"
    )
    time_zone_international_prefix: str = Field(
        "00", description="numbers read by the prefix table start with it; empty: all do"
    )

    @field_validator("db")
    @classmethod
    def _store_url(cls, value: str) -> str:
        return store_url(value)

    @field_validator("time_zone_prefixes")
    @classmethod
    def _known_prefix_zones(cls, value: str) -> str:
        parse_prefixes(value)
        return value

    @property
    def file_limits(self) -> FileLimits:
        """The bounds every uploaded file is read within (number and blacklist files)."""
        return FileLimits(
            rows=self.import_max_rows, unpacked_bytes=self.import_max_xlsx_unpacked_bytes
        )

    @property
    def zone_table(self) -> ZoneTable:
        return ZoneTable(
            parse_prefixes(self.time_zone_prefixes), self.time_zone_international_prefix
        )

    # data lifecycle (docs/api.md#data-lifecycle-isales-extensions)
    idempotency_ttl_seconds: int = Field(
        24 * 3600, ge=1, description="how long the answer to an Idempotency-Key is kept"
    )
    idempotency_lease_seconds: int = Field(
        8,
        ge=1,
        description="a keyed request whose server stopped renewing it this long is taken over",
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

    # --- limits and protections (docs/api.md#limits-and-protections) ------------------------------
    header_timeout_seconds: float = Field(10.0, gt=0, description="deadline for the headers")
    body_timeout_seconds: float = Field(30.0, gt=0, description="deadline for the body")
    max_connections: int = Field(1000, ge=1, description="open connections; more are closed")
    max_connection_share_per_address: float = Field(
        0.95, gt=0, le=1, description="share of max_connections one client address may hold"
    )
    write_timeout_seconds: float = Field(
        30.0, gt=0, description="deadline for a stalled answer the client does not read"
    )
    shutdown_grace_seconds: float = Field(
        10.0, gt=0, description="after SIGTERM, time running requests get before connections close"
    )
    import_max_xlsx_unpacked_bytes: int = Field(
        200 * 1024 * 1024, ge=1024, description="decompressed size cap of an uploaded XLSX"
    )
    callback_allow_private: bool = Field(
        False, description="allow callBackUrl hosts on loopback/private/link-local addresses"
    )
    callback_max_receivers: int = Field(
        32, ge=1, description="receivers a process delivers callbacks to at once"
    )
    callback_max_per_vdn: int = Field(
        8, ge=1, description="callback receivers of one VDN a process delivers to at once"
    )
    master_key: SecretStr | None = Field(
        None, description="Fernet key sealing secret keys (default: a key file beside SQLite)"
    )
    rate_limit_per_second: float | None = Field(
        None, gt=0, description="requests per second per access key (unset: no limit)"
    )
    rate_limit_burst: float | None = Field(
        None, ge=1, description="bucket size (default: the per-second rate)"
    )

    # operations (docs/operations.md#the-server-isales-serve)
    metrics: bool = Field(True, description="serve GET /metrics (off: no such route)")
    log_format: Literal["text", "json"] = "text"
    tls_cert: Path | None = Field(None, description="PEM certificate: serve HTTPS")
    tls_key: Path | None = Field(None, description="PEM private key of tls_cert")

    # SIP driver of the built-in dialer (docs/telephony.md); TOML: the [sip] table
    sip_trunk: str | None = Field(
        None, description="host:port of the SIP trunk; required by `isales dialer --driver sip`"
    )
    sip_username: str | None = Field(None, description="digest user name (401 and 407)")
    sip_password: SecretStr | None = Field(None, description="digest password")
    sip_bind: str = Field("127.0.0.1:5062", description="local SIP address, host:port")
    sip_rtp_ports: str = Field("20000-20999", description="local RTP port range, low-high")
    sip_codecs: str = Field("PCMU,PCMA", description="offered codecs, in order")
    sip_fail_code_style: Literal["reference", "detailed"] = Field(
        "reference", description="detailed: report the 128 + Q.850 failCodes where they exist"
    )
    prompts_dir: Path = Field(
        Path("prompts"), description="{campaignId}.wav prompts (8 kHz mono 16-bit PCM WAV)"
    )

    @field_validator("sip_trunk", "sip_bind")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is not None:
            parse_host_port(value, "address")
        return value

    @field_validator("sip_rtp_ports")
    @classmethod
    def _port_range(cls, value: str) -> str:
        parse_port_range(value)
        return value

    @field_validator("sip_codecs")
    @classmethod
    def _codecs(cls, value: str) -> str:
        parse_codecs(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone; use an IANA name such as Europe/Paris") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def as_environment(self) -> dict[str, str]:
        """These settings as one variable, for ``isales serve --workers`` processes (secrets
        revealed: the variable goes only to the server's own worker processes)."""
        values = self.model_dump(mode="json")
        for name in values:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                values[name] = value.get_secret_value()
        return {WORKER_SETTINGS_VARIABLE: json.dumps(values)}

    @classmethod
    def from_environment(cls) -> Settings:
        """A worker's settings: its parent's (:meth:`as_environment`), else ``ISALES_*``."""
        given = os.environ.get(WORKER_SETTINGS_VARIABLE)
        return cls.model_validate_json(given) if given else cls()


# --- operations (docs/operations.md#configuration): config file, strict names, sources ---------
#
# Secrets: a setting whose value must never be shown is declared as ``SecretStr`` or with
# ``Field(..., json_schema_extra={"secret": True})``; ``config show`` masks both.

CONFIG_VARIABLE = "ISALES_CONFIG"
_URL_PASSWORD = re.compile(r"(://[^/@:]*:)[^/@]*@")
ENV_PREFIX = "ISALES_"
#: ISALES_* variables that are not settings of the server but are read by the command line
CLIENT_VARIABLES = frozenset(
    {
        "CONFIG",
        "SERVER",
        "ACCESS_KEY",
        "SECRET_KEY",
        "PROFILE",
        "DIALER_ACCESS_KEY",
        "DIALER_SECRET_KEY",
    }
)


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    #: setting name -> "default" | "file" | "environment" | "command line"
    sources: dict[str, str]
    config_file: Path | None


#: TOML tables whose keys are settings named ``{table}_{key}`` (``[sip] trunk`` = sip_trunk)
CONFIG_TABLES = ("sip",)


def _flatten_tables(path: Path, values: dict[str, Any]) -> dict[str, Any]:
    flat = {name: value for name, value in values.items() if name not in CONFIG_TABLES}
    for table in CONFIG_TABLES:
        section = values.get(table)
        if section is None:
            continue
        if not isinstance(section, dict):
            raise ConfigError(f"config file {path}: {table!r} must be a table ([{table}])")
        for key, value in section.items():
            name = f"{table}_{key}"
            if name not in Settings.model_fields:
                raise ConfigError(
                    f"config file {path}: unknown setting {key!r} in [{table}] "
                    f"(names are the ISALES_{table.upper()}_* variables in lower case, "
                    f"without ISALES_{table.upper()}_)"
                )
            if name in flat:
                raise ConfigError(f"config file {path}: {name} is given twice")
            flat[name] = value
    return flat


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            values = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    values = _flatten_tables(path, values)
    unknown = sorted(set(values) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(
            f"config file {path}: unknown setting {unknown[0]!r} "
            "(names are the ISALES_* variables in lower case, without ISALES_)"
        )
    return values


def check_environment(environ: Mapping[str, str]) -> None:
    """Every ISALES_* variable must name a setting or a command-line variable."""
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX):
            continue
        suffix = name[len(ENV_PREFIX) :]
        if suffix.lower() not in Settings.model_fields and suffix not in CLIENT_VARIABLES:
            raise ConfigError(f"unknown environment variable {name}: unset it or fix its name")


def _one_line(exc: ValidationError, sources: dict[str, str], path: Path | None) -> str:
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else "?"
    where = {
        "environment": f"environment variable {ENV_PREFIX}{name.upper()}",
        "file": f"{path} key {name!r}",
        "command line": f"option --{name.replace('_', '-')} (setting {name})",
    }.get(sources.get(name, ""), f"setting {name}")
    value = error.get("input")
    message = str(error["msg"]).removeprefix("Value error, ")  # pydantic's, not ours
    return f"{where}: {message} (got {value!r})"


def load_settings(config_file: str | None = None, **overrides: object) -> LoadedSettings:
    """Settings from defaults < config file < environment < command-line ``overrides``."""
    environ = os.environ
    check_environment(environ)
    path_text = config_file or environ.get(CONFIG_VARIABLE)
    path = Path(path_text) if path_text else None
    file_values = read_config_file(path) if path else {}
    given: dict[str, Any] = {name: value for name, value in overrides.items() if value is not None}
    sources = dict.fromkeys(Settings.model_fields, "default")
    sources.update(dict.fromkeys(file_values, "file"))
    for name in Settings.model_fields:
        if f"{ENV_PREFIX}{name.upper()}" in environ:
            sources[name] = "environment"
    sources.update(dict.fromkeys(given, "command line"))

    class FromFile(Settings):
        @classmethod
        def settings_customise_sources(  # type: ignore[override]
            cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
        ):
            return (init_settings, env_settings, InitSettingsSource(settings_cls, file_values))

    try:
        loaded = FromFile(**given)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc, sources, path)) from None
    # a plain Settings (validated above): worker processes receive it pickled
    settings = Settings.model_construct(
        _fields_set=loaded.model_fields_set,
        **{name: getattr(loaded, name) for name in Settings.model_fields},
    )
    return LoadedSettings(settings, sources, path)


def is_secret(name: str) -> bool:
    field = Settings.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return field.annotation in (SecretStr, SecretStr | None) or bool(extra.get("secret"))


def shown_value(settings: Settings, name: str) -> object:
    """A setting's value as ``config show`` prints it: secrets masked, URL passwords hidden."""
    value = getattr(settings, name)
    if is_secret(name):
        return None if value is None else "********"
    if name == "db":
        return _URL_PASSWORD.sub(r"\1***@", value)
    return value
