"""Tables (SQLAlchemy Core). One schema for SQLite and PostgreSQL; Alembic migrates it.

All times are naive UTC. ``numbers.id`` is the ``dataId`` of the API.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

access_keys = Table(
    "access_keys",
    metadata,
    Column("access_key", String(64), primary_key=True),
    Column("secret_key", String(128), nullable=False),  # sealed (secret_box.py)
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)

key_vdns = Table(
    "key_vdns",
    metadata,
    Column("access_key", String(64), ForeignKey("access_keys.access_key"), primary_key=True),
    Column("vdn_id", Integer, primary_key=True),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("vdn_id", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("description", String(200)),
    Column("status", SmallInteger, nullable=False),
    Column("begin_time", DateTime, nullable=False),
    Column("end_time", DateTime, nullable=False),
    Column("device_type", SmallInteger, nullable=False),
    Column("caller_no", JSON, nullable=False),
    Column("max_alerting_time", Integer, nullable=False),
    Column("priority", SmallInteger),
    Column("schedule_param", JSON, nullable=False),
    Column("ivr_param", JSON),
    Column("skill_param", JSON),
    Column("retry_policy", JSON),
    Column("call_policy", JSON),
    Column("call_back_url", String(1024)),
    Column("api_version", SmallInteger, nullable=False),
    Column("last_add_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # the agent campaigns' dialing settings (percent, seconds, hours); NULL: the default
    # (wire/schemas/campaigns.py DIALING_SETTINGS)
    Column("abandon_target", Float),
    Column("abandon_cap", Float),
    Column("abandon_window", String(3)),
    Column("min_agents_predictive", Integer),
    Column("agent_wait_seconds", Float),
    Column("wrap_up_seconds", Integer),
    Column("abandon_redial_hours", Integer),
    # the contactPolicy extension object (wire/schemas/contact.py); NULL: the defaults
    Column("contact_policy", JSON),
    UniqueConstraint("vdn_id", "name"),
    sqlite_autoincrement=True,
)

_number_columns = (
    ("campaign_id", Integer),
    ("vdn_id", Integer),
    ("session_id", String(32)),
    ("called", String(24)),
    ("called_nos", JSON),
    ("caller", String(24)),
    ("custom_field", String(200)),
    ("recycle_time", DateTime),
    ("call_data", Text),
    ("batch_id", String(64)),
    ("priority", SmallInteger),
    ("state", String(10)),
    ("attempts", Integer),
    ("next_due_at", DateTime),
    ("created_at", DateTime),
    # the last business result written back (callBusiResult)
    ("busi_result", String(50)),
    ("sub_status", String(50)),
    ("busi_desc", String(1024)),
    ("work_no", String(32)),
    # the number's zone key (domain/time_zones.py); NULL: the server's zone
    ("time_zone", String(255)),
    # the file import task that added the number (import rollback)
    ("import_task_id", BigInteger),
    # contact-policy keys (domain/contact_keys.py): the number's key (E.164 with "+", or the
    # raw string), the person and subjects ("|"-joined), the person's jurisdiction; kept as
    # computed when the number was added
    ("number_key", String(32)),
    ("person_id", String(64)),
    ("subject_ids", String(330)),
    ("region", String(6)),
)
_NOT_NULL = {"campaign_id", "vdn_id", "called", "state", "attempts", "created_at"}

numbers = Table(
    "numbers",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    *(
        Column(
            name,
            type_,
            *([ForeignKey("campaigns.id")] if name == "campaign_id" else []),
            nullable=name not in _NOT_NULL,
        )
        for name, type_ in _number_columns
    ),
    # a claim: who holds it, until when, and the state to return to if it lapses
    Column("lease_owner", String(64)),
    Column("lease_until", DateTime),
    Column("state_before_claim", String(10)),
    Column("version", Integer, nullable=False, server_default="0"),
    Index(None, "campaign_id", "session_id"),
    Index(None, "campaign_id", "called"),
    Index(None, "campaign_id", "custom_field"),
    Index(None, "campaign_id", "recycle_time"),
    # the claim walks this index in its order (next_due_at, id) and stops after batchCount rows
    Index(None, "campaign_id", "next_due_at", "id"),
    Index(None, "campaign_id", "state"),
    Index(None, "state", "lease_until"),
    sqlite_autoincrement=True,
)

#: uncompleted numbers per campaign (states.UNCOMPLETED), kept by triggers on ``numbers`` in
#: the transaction of every change (migration 0003): the add cap reads it, never recounts
campaign_counters = Table(
    "campaign_counters",
    metadata,
    Column("campaign_id", Integer, primary_key=True, autoincrement=False),
    Column("uncompleted", BigInteger, nullable=False),
)

#: the number columns copied verbatim into history
NUMBER_COPY_COLUMNS = ("id", *(name for name, _ in _number_columns))

number_history = Table(
    "number_history",
    metadata,
    Column("history_id", BigId, primary_key=True, autoincrement=True),
    # unique: a number is archived at most once
    Column("id", BigInteger, nullable=False, unique=True),
    *(Column(name, type_, nullable=name not in _NOT_NULL) for name, type_ in _number_columns),
    Column("archived_at", DateTime, nullable=False),
    Column("archived_by", String(64), nullable=False),
    Column("request_id", String(64), nullable=False),
    Column("reason", String(20), nullable=False),
    Index(None, "vdn_id", "campaign_id", "archived_at"),
)

call_results = Table(
    "call_results",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("data_id", BigInteger, nullable=False),
    Column("campaign_id", Integer, nullable=False),
    Column("vdn_id", Integer, nullable=False),
    Column("session_id", String(32)),
    Column("called", String(24)),
    Column("custom_field", String(200)),
    Column("call_id", String(64)),
    Column("call_status", String(2), nullable=False),
    Column("fail_code", String(10)),
    Column("fetch_time", String(32)),
    Column("write_start_time", String(32)),
    Column("end_call_time", String(32)),
    Column("attempt", Integer, nullable=False),
    Column("final", SmallInteger, nullable=False),
    Column("reported_at", DateTime, nullable=False),
    Column("busi_result", String(50)),
    Column("sub_status", String(50)),
    Column("busi_desc", String(1024)),
    Column("work_no", String(32)),
    # what a telephony driver saw (sipCode, q850Cause, ringMs, talkMs, amd); NULL otherwise
    Column("telephony", JSON),
    Index(None, "campaign_id", "reported_at"),
    Index(None, "data_id"),
    Index(None, "call_id"),
    # blacklist call quotas count a number's recent attempts
    Index(None, "vdn_id", "called", "reported_at"),
)

special_dates = Table(
    "special_dates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), nullable=False),
    Column("name", String(30), nullable=False),
    Column("type", SmallInteger, nullable=False),  # 1 by week, 2 by date, 3 repeat by date
    Column("week", String(20)),
    Column("begin", String(10)),
    Column("end", String(10)),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("campaign_id", "name"),
)

blacklist = Table(
    "blacklist",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("vdn_id", Integer, nullable=False),
    Column("number", String(24), nullable=False),
    Column("expires_at", DateTime),
    Column("restrict_times", Integer),
    Column("restrict_period", String(1)),  # "0" per hour, "1" per day
    Column("category_id", String(64)),
    Column("type_id", String(64)),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("vdn_id", "number"),
)

callback_outbox = Table(
    "callback_outbox",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("campaign_id", Integer, nullable=False),
    Column("vdn_id", Integer, nullable=False),
    Column("url", String(1024), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("pushes", Integer, nullable=False),
    Column("next_attempt_at", DateTime),  # NULL once delivered or given up
    Column("delivered_at", DateTime),
    Column("gave_up_at", DateTime),
    Column("last_error", String(512)),
    Column("created_at", DateTime, nullable=False),
    Index(None, "next_attempt_at"),
)

import_tasks = Table(
    "import_tasks",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("vdn_id", Integer, nullable=False),
    Column("campaign_id", Integer, nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("status", String(12), nullable=False),  # pending, running, finished, failed
    Column("total_rows", Integer, nullable=False),
    Column("success_rows", Integer, nullable=False),
    Column("failed_rows", Integer, nullable=False),
    # of the failed rows: duplicates (0200018) and blacklisted numbers (0200024)
    Column("repeat_rows", Integer, nullable=False, server_default="0"),
    Column("black_rows", Integer, nullable=False, server_default="0"),
    Column("errors", JSON, nullable=False),  # [{"row": n, "code": "...", "desc": "..."}]
    Column("created_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    # the uploaded file, kept until the task ends, so any server can resume it
    Column("content", LargeBinary),
    # the server importing it, and until when (renewed with every chunk)
    Column("lease_owner", String(64)),
    Column("leased_until", DateTime),
    # SHA-256 (hex) of the uploaded bytes: the same file again in the campaign is refused
    # unless the request says allowDuplicateFile (tasks older than this column have none)
    Column("fingerprint", String(64)),
    Index(None, "vdn_id", "campaign_id"),
    Index("ix_import_tasks_campaign_fingerprint", "campaign_id", "fingerprint"),
)

#: one row per rate-limited key (e.g. statistics per VDN and campaign): when it last ran
flow_marks = Table(
    "flow_marks",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("last_at", DateTime, nullable=False),
)


# --- data lifecycle (docs/api.md#data-lifecycle-isales-extensions) --------------------------------

#: history rows and call results are purged by age (retention)
Index("ix_number_history_archived_at", number_history.c.archived_at)
Index("ix_call_results_reported_at", call_results.c.reported_at)

#: append-only, hash-chained: hash = SHA-256(prev_hash || canonical JSON of the entry)
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", DateTime, nullable=False),
    Column("vdn_id", Integer),
    Column("actor", String(64), nullable=False),
    Column("operation", String(32), nullable=False),
    Column("request_id", String(64)),
    Column("detail", Text, nullable=False),  # canonical JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index(None, "at"),
)

#: the first answer to an Idempotency-Key; a row in state "running" is the claim to run it
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("access_key", String(64), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("vdn_id", Integer),
    Column("method", String(8), nullable=False),
    Column("path", String(1024), nullable=False),
    Column("body_sha256", String(64), nullable=False),
    Column("state", String(8), nullable=False),  # running | done
    Column("owner", String(32), nullable=False),
    Column("lease_until", DateTime, nullable=False),
    Column("response_status", Integer),
    Column("response_type", String(128)),
    Column("response_body", Text),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Index(None, "expires_at"),
)

legal_holds = Table(
    "legal_holds",
    metadata,
    Column("vdn_id", Integer, primary_key=True),
    Column("campaign_id", Integer, primary_key=True),
    Column("reason", String(200)),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
)

#: erased numbers: HMAC-SHA-256(server secret, number), never the number
suppressions = Table(
    "suppressions",
    metadata,
    Column("vdn_id", Integer, primary_key=True),
    Column("number_hash", String(64), primary_key=True),
    Column("erasure_id", String(32), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

#: secrets the server generates for itself (the suppression HMAC key)
server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", String(128), nullable=False),
    Column("created_at", DateTime, nullable=False),
)


# --- the rest of the CC-iSales interface family (migration 0007) -----------------------------

#: call batches (docs/api.md#call-batches); ``numbers.batch_id`` holds the id of a number's batch
call_batches = Table(
    "call_batches",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("campaign_id", Integer, nullable=False),
    Column("vdn_id", Integer, nullable=False),
    Column("name", String(255), nullable=False),
    Column("status", SmallInteger, nullable=False),  # 1 started, 2 paused
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("campaign_id", "name"),
)

#: business-result definitions of a VDN: results (``parent_id`` 0) and their children, the
#: result's sub-statuses; a code is unique among its siblings
#: (docs/api.md#business-result-definitions-and-display-results)
business_results = Table(
    "business_results",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("vdn_id", Integer, nullable=False),
    Column("parent_id", BigInteger, nullable=False),
    Column("name", String(50), nullable=False),
    Column("code", String(50), nullable=False),
    Column("description", String(200)),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("vdn_id", "parent_id", "code"),
    Index(None, "parent_id"),
    sqlite_autoincrement=True,
)

#: display results of a VDN (docs/api.md#business-result-definitions-and-display-results):
#: a tenant code shown for platform failCodes
display_results = Table(
    "display_results",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("vdn_id", Integer, nullable=False),
    Column("result_code", String(7)),
    Column("display_result", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("vdn_id", "result_code"),
    sqlite_autoincrement=True,
)

#: which failCodes a display result shows; a failCode maps to one display result per VDN
display_result_codes = Table(
    "display_result_codes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("def_id", BigInteger, nullable=False),
    Column("vdn_id", Integer, nullable=False),
    Column("fail_code", String(5), nullable=False),
    UniqueConstraint("vdn_id", "fail_code"),
    Index(None, "def_id"),
    sqlite_autoincrement=True,
)

#: campaign templates (docs/api.md#campaign-templates): a campaign's settings, no times or numbers
campaign_templates = Table(
    "campaign_templates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("vdn_id", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("description", String(200)),
    Column("status", SmallInteger, nullable=False),  # 1 draft, 3 paused, 9 published
    Column("device_type", SmallInteger, nullable=False),
    Column("caller_no", JSON, nullable=False),
    Column("max_alerting_time", Integer, nullable=False),
    Column("priority", SmallInteger),
    Column("schedule_param", JSON, nullable=False),
    Column("ivr_param", JSON),
    Column("skill_param", JSON),
    Column("retry_policy", JSON),
    Column("call_policy", JSON),
    Column("call_back_url", String(1024)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("vdn_id", "name"),
    sqlite_autoincrement=True,
)

# --- revision 0008: blacklist file imports, reserved calls, file servers ---

#: a blacklist file import (docs/api.md, "Blacklist file import"); status "0" waiting to run,
#: "1" running, "2" finished, "3" failed (Huawei's values)
blacklist_imports = Table(
    "blacklist_imports",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("vdn_id", Integer, nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("server_id", Integer),  # the file server it was fetched from; NULL: uploaded
    Column("status", String(1), nullable=False),
    Column("total_rows", Integer, nullable=False),
    Column("success_rows", Integer, nullable=False),
    Column("repeat_rows", Integer, nullable=False),
    Column("failed_rows", Integer, nullable=False),
    Column("errors", JSON, nullable=False),  # [{"row": n, "code": "...", "desc": "..."}]
    Column("created_at", DateTime, nullable=False),
    Column("run_after", DateTime, nullable=False),  # hour/minute of a scheduled import
    Column("started_at", DateTime),
    Column("finished_at", DateTime),
    Column("content", LargeBinary),  # kept until the task ends, so any server can resume it
    Column("lease_owner", String(64)),
    Column("leased_until", DateTime),
    Index(None, "vdn_id", "id"),
    Index(None, "status", "run_after"),
)

#: a reserved ("appointment") call (docs/api.md, "Reserved calls"); state pending, calling, executed
reservations = Table(
    "reservations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("vdn_id", Integer, nullable=False),
    Column("campaign_id", Integer, nullable=False),
    Column("call_type", SmallInteger, nullable=False),  # 1 manual, 2 automatic
    Column("called", String(24), nullable=False),
    Column("user_account", String(64)),
    Column("work_no", String(32)),
    Column("appoint_at", DateTime, nullable=False),
    Column("due_at", DateTime, nullable=False),  # when the built-in dialer may dial it
    Column("call_data", String(1024)),
    Column("remark", String(256)),
    Column("time_zone", String(255)),  # the called number's zone key, as for numbers
    # contact-policy keys, as for numbers (NULL number_key: keyed by called as it is)
    Column("number_key", String(32)),
    Column("person_id", String(64)),
    Column("subject_ids", String(330)),
    Column("region", String(6)),
    Column("state", String(10), nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_until", DateTime),
    Column("caller", String(24)),
    Column("call_status", String(2)),
    Column("fail_code", String(10)),
    Column("call_id", String(64)),
    Column("busi_result", String(50)),
    Column("busi_sub_status", String(50)),
    Column("call_begin", DateTime),
    Column("call_end", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("executed_at", DateTime),
    Index(None, "campaign_id", "state", "due_at"),
    Index(None, "vdn_id", "appoint_at"),
)

#: an SFTP file server of a VDN (cec_07_4050-4053); the password is sealed (isales.secret_box)
file_servers = Table(
    "file_servers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("vdn_id", Integer, nullable=False),
    Column("ip", String(64), nullable=False),
    Column("port", Integer, nullable=False),
    Column("path", String(255)),
    Column("user_name", String(30), nullable=False),
    Column("password", Text, nullable=False),
    Column("host_key", Text),  # pinned public key of the server; NULL: trust on first use
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("vdn_id", "ip", "port", "user_name"),
)

#: claims in each number's local time walk one zone at a time, in claim order
Index(
    "ix_numbers_campaign_id_time_zone_next_due_at_id",
    numbers.c.campaign_id,
    numbers.c.time_zone,
    numbers.c.next_due_at,
    numbers.c.id,
)

# --- console (docs/console.md) -----------------------------------------------------------

#: the console's number pages: keyset paging in dataId order within a campaign, whatever
#: the filters (every (campaign_id, x) index is ordered by x first)
Index("ix_numbers_campaign_id_id", numbers.c.campaign_id, numbers.c.id)

#: people who sign in to the web console; separate from access keys
console_users = Table(
    "console_users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(10), nullable=False),  # viewer, operator, admin
    Column("created_at", DateTime, nullable=False),
    Column("disabled_at", DateTime),
    # consecutive failed sign-ins, and until when the next attempt is refused unchecked
    Column("failed_sign_ins", Integer, nullable=False, server_default="0"),
    Column("blocked_until", DateTime),
)

console_user_vdns = Table(
    "console_user_vdns",
    metadata,
    Column("user_name", String(64), ForeignKey("console_users.name"), primary_key=True),
    Column("vdn_id", Integer, primary_key=True),
)

#: signed-in browsers; the cookie holds the token, the store only its SHA-256
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_name", String(64), ForeignKey("console_users.name"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Index(None, "expires_at"),
)

#: accepted signatures of data-changing requests, kept until their timestamp leaves the
#: skew window: a signature is single-use (docs/api.md#limits-and-protections)
seen_signatures = Table(
    "seen_signatures",
    metadata,
    Column("signature", String(64), primary_key=True),
    Column("expires_at", DateTime, nullable=False),
    Index(None, "expires_at"),
)

#: agents (domain/agents.py): SIP endpoints the dialer keeps a leg to while logged in
agents = Table(
    "agents",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("vdn_id", Integer, nullable=False),
    Column("work_no", String(32), nullable=False),
    Column("sip_uri", String(255), nullable=False),
    Column("state", String(12), nullable=False),
    Column("state_since", DateTime, nullable=False),
    # RESERVED and WRAP_UP end here by themselves (the agent is READY after)
    Column("state_until", DateTime),
    # the dialerId holding the agent's leg
    Column("leg_holder", String(64)),
    # a pending login given to one dialer, until login_until
    Column("login_holder", String(64)),
    Column("login_until", DateTime),
    # the call the agent is reserved for or talking on: its campaign and dataId
    Column("campaign_id", Integer),
    Column("data_id", BigInteger),
    # preview: the agent asked to dial its reserved record
    Column("dial_asked", SmallInteger, nullable=False, server_default="0"),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("vdn_id", "work_no"),
    Index(None, "vdn_id", "state"),
    sqlite_autoincrement=True,
)

#: the campaigns an agent works for
agent_campaigns = Table(
    "agent_campaigns",
    metadata,
    Column("agent_id", BigInteger, ForeignKey("agents.id"), primary_key=True),
    Column("campaign_id", Integer, ForeignKey("campaigns.id"), primary_key=True),
    Index(None, "campaign_id"),
)


# --- contact policies (docs/contact-policies.md) ------------------------------------------

#: a VDN's contact settings; no row: the defaults
contact_settings = Table(
    "contact_settings",
    metadata,
    Column("vdn_id", Integer, primary_key=True, autoincrement=False),
    Column("default_country", String(2)),
    Column("revoke_scope", String(10), nullable=False),
    Column("revocation_deadline_business_days", Integer, nullable=False),
    Column("non_business_dates", JSON, nullable=False),
    Column("revocation_busi_results", JSON, nullable=False),
    Column("count_lapsed_claims", SmallInteger, nullable=False),
    Column("ledger_retention_days", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

#: a policy (its id); its rules are in its versions. ``ended_at`` set: deleted
contact_policies = Table(
    "contact_policies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("vdn_id", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Index(None, "vdn_id", "ended_at"),
    sqlite_autoincrement=True,
)

#: every version of every policy, kept for proof (``valid_to`` set on replaced ones)
contact_policy_versions = Table(
    "contact_policy_versions",
    metadata,
    Column("policy_id", Integer, ForeignKey("contact_policies.id"), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("body", JSON, nullable=False),
    Column("valid_from", DateTime, nullable=False),
    Column("valid_to", DateTime),
)

#: the contact ledger: one row per attempt (a claimed number or reserved call, or an
#: imported call or text). Rows outlive their numbers and campaigns: only retention and
#: erasure remove them. ``ended_at`` NULL: in flight; ``voided`` 1: a lapsed claim never
#: dialled, or a skipped preview (kept, never counted)
contact_attempts = Table(
    "contact_attempts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("vdn_id", Integer, nullable=False),
    Column("campaign_id", Integer),
    Column("data_id", BigInteger),  # the number's dataId, or a reserved call's appointId
    Column("called", String(64), nullable=False),
    Column("number_key", String(64), nullable=False),
    Column("person_id", String(64)),
    Column("subject_ids", String(330)),
    Column("channel", String(5), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("purpose", String(20)),
    Column("technology", String(12)),
    Column("placed_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    # the claim's lease: a row still in flight after it lapses (or is voided)
    Column("lease_owner", String(64)),
    Column("lease_until", DateTime),
    Column("dialled", SmallInteger, nullable=False),  # a push/midresult was received
    Column("status", String(2)),
    Column("fail_code", String(10)),
    Column("classes", String(64), nullable=False),  # comma-joined outcome classes
    Column("voided", SmallInteger, nullable=False),
    Column("consent_kinds", String(64)),  # consent kinds covering it at claim
    Column("evidence", JSON),
    Column("origin", JSON, nullable=False),
    # each rule reads one key's rows inside its window: an index on the key and endedAt
    # (in-flight rows, NULL endedAt, are read by the same probe)
    Index(None, "vdn_id", "number_key", "ended_at"),
    Index(None, "vdn_id", "person_id", "ended_at"),
    Index(None, "data_id", "campaign_id"),
    Index(None, "ended_at", "lease_until"),
    Index(None, "vdn_id", "placed_at"),
)
