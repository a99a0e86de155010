"""Alembic migrations (src/isales/store/migrate.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, insert, inspect, select, text

from isales.secret_box import SecretBox
from isales.store import schema
from isales.store.engine import make_engine
from isales.store.migrate import MIGRATIONS, downgrade, upgrade
from tests.support.stores import empty_store

TABLES = set(schema.metadata.tables)


@pytest.fixture
def engine(backend, tmp_path):
    with empty_store(backend, tmp_path) as url:
        made = make_engine(url)
        try:
            yield made
        finally:
            made.dispose()


def head_revision() -> str:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def schema_diff(engine: Engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, schema.metadata)


def test_metadata_has_the_expected_tables():
    assert TABLES == {
        "access_keys",
        "key_vdns",
        "campaigns",
        "numbers",
        "number_history",
        "call_results",
        "special_dates",
        "blacklist",
        "callback_outbox",
        "import_tasks",
        "flow_marks",
        "console_users",
        "console_user_vdns",
        "console_sessions",
        # data lifecycle (0005)
        "audit_log",
        "idempotency_keys",
        "legal_holds",
        "suppressions",
        "server_secrets",
        "seen_signatures",
        "campaign_counters",
        "call_batches",
        "business_results",
        "display_results",
        "display_result_codes",
        "campaign_templates",
        # blacklist file imports, reserved calls, file servers (0008)
        "blacklist_imports",
        "reservations",
        "file_servers",
        # agents and the campaigns they work for (0011)
        "agents",
        "agent_campaigns",
        # contact policies: settings, policies and their versions, the ledger (0013)
        "contact_settings",
        "contact_policies",
        "contact_policy_versions",
        "contact_attempts",
    }


def revisions() -> list:
    """The revisions from the base to the head, in the order they are applied."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))


def test_every_header_names_the_real_parent():
    """The docstring's ``Revises:`` line is what a reader trusts; Alembic reads
    ``down_revision``. They must agree."""
    for script in revisions():
        header = script.module.__doc__
        assert re.search(r"^Revision ID: (\S+)$", header, re.M).group(1) == script.revision
        named = re.search(r"^Revises:[ ]*(\S*)$", header, re.M).group(1)
        assert named == (script.down_revision or ""), script.path


def test_the_migrations_readme_draws_the_real_chain():
    chain = " → ".join(script.revision for script in revisions())
    readme = (MIGRATIONS / "README.md").read_text()
    assert f"    {chain} (head)\n" in readme


def test_empty_store_differs_from_the_schema(engine):
    """The comparison is not vacuous: an unmigrated store shows every table as missing."""
    assert tables(engine) == set()
    diff = schema_diff(engine)
    assert {entry[1].name for entry in diff if entry[0] == "add_table"} == TABLES


def test_upgrade_downgrade_upgrade(engine):
    upgrade(engine)
    assert tables(engine) == TABLES | {"alembic_version"}
    assert current_revision(engine) == head_revision()
    assert schema_diff(engine) == []

    downgrade(engine)
    assert tables(engine) - {"alembic_version"} == set()
    assert current_revision(engine) is None

    upgrade(engine)
    assert tables(engine) == TABLES | {"alembic_version"}
    assert current_revision(engine) == head_revision()
    assert schema_diff(engine) == []


def test_upgrade_is_idempotent(engine):
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert schema_diff(engine) == []


def test_migrated_store_works(engine):
    """After a round trip, rows go in and ids are generated."""
    upgrade(engine)
    downgrade(engine)
    upgrade(engine)
    now = datetime(2026, 11, 27, 8)
    with engine.connect() as conn, conn.begin():
        conn.execute(
            insert(schema.access_keys).values(access_key="AK1", secret_key="s", created_at=now)
        )
        conn.execute(insert(schema.key_vdns).values(access_key="AK1", vdn_id=12))
        campaign_id = conn.execute(
            insert(schema.campaigns).values(
                vdn_id=12,
                name="c",
                status=3,
                begin_time=now,
                end_time=now,
                device_type=2,
                caller_no="10086",
                max_alerting_time=30,
                schedule_param={},
                api_version=1,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        ids = [
            conn.execute(
                insert(schema.numbers).values(
                    campaign_id=campaign_id,
                    vdn_id=12,
                    called=f"13800000{i}",
                    state="pending",
                    attempts=0,
                    created_at=now,
                )
            ).inserted_primary_key[0]
            for i in range(3)
        ]
    assert len(set(ids)) == 3 and all(isinstance(i, int) for i in ids)
    with engine.connect() as conn:
        version = conn.execute(
            select(schema.numbers.c.version).where(schema.numbers.c.id == ids[0])
        )
        assert version.scalar_one() == 0  # server default
        assert conn.execute(text("SELECT count(*) FROM key_vdns")).scalar_one() == 1


def test_downgrade_removes_data_tables_with_rows(engine):
    upgrade(engine)
    url = engine.url.render_as_string(hide_password=False)
    sealed = SecretBox.for_store(url, os.environ.get("ISALES_MASTER_KEY")).seal("s", "AK1")
    with engine.connect() as conn, conn.begin():
        conn.execute(
            insert(schema.access_keys).values(
                access_key="AK1", secret_key=sealed, created_at=datetime(2026, 1, 1)
            )
        )
    downgrade(engine)
    assert tables(engine) - {"alembic_version"} == set()
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(select(schema.access_keys)).all() == []


def _import_task_through_upgrade(engine: Engine, revision: str, columns: str, values: str) -> dict:
    """Write one finished import task into a store at ``revision``, upgrade to the head and
    read it back."""
    upgrade(engine, revision)
    with engine.connect() as conn, conn.begin():
        conn.execute(
            text(
                "INSERT INTO import_tasks (vdn_id, campaign_id, file_name, status, total_rows,"
                f" success_rows, failed_rows{columns}, errors, created_at)"
                f" VALUES (12, 1, 'a.csv', 'finished', 3, 2, 1{values}, '[]', :now)"
            ),
            {"now": datetime(2026, 11, 27, 8)},
        )
    upgrade(engine)
    with engine.connect() as conn:
        return dict(conn.execute(select(schema.import_tasks)).mappings().one())


def test_0007_keeps_the_import_tasks_of_an_older_store(engine):
    """Import tasks written before 0007 keep their data and count no duplicates yet."""
    row = _import_task_through_upgrade(engine, "0002", "", "")
    assert (row["file_name"], row["success_rows"], row["failed_rows"]) == ("a.csv", 2, 1)
    assert (row["repeat_rows"], row["black_rows"]) == (0, 0)
    assert schema_diff(engine) == []


def test_0010_keeps_the_import_tasks_of_a_0009_store(engine):
    """Import tasks written before 0010 keep their data and have no file fingerprint."""
    row = _import_task_through_upgrade(engine, "0009", ", repeat_rows, black_rows", ", 1, 0")
    assert current_revision(engine) == head_revision()
    assert (row["file_name"], row["status"], row["success_rows"]) == ("a.csv", "finished", 2)
    assert (row["failed_rows"], row["repeat_rows"], row["fingerprint"]) == (1, 1, None)
    assert schema_diff(engine) == []


def test_0011_adds_agents_and_keeps_the_campaigns_and_numbers_of_a_0010_store(engine):
    """A 0010 store's campaigns and numbers are intact after 0011; agents can then work for
    those campaigns."""
    upgrade(engine, "0010")
    assert "agents" not in tables(engine)
    now = datetime(2026, 12, 7, 8)
    campaign = {
        "vdn_id": 12,
        "name": "kept",
        "status": 2,
        "begin_time": now,
        "end_time": datetime(2027, 1, 1),
        "device_type": 6,
        "caller_no": "10086",
        "max_alerting_time": 30,
        "schedule_param": {},
        "api_version": 1,
        "created_at": now,
        "updated_at": now,
    }
    with engine.connect() as conn, conn.begin():
        campaign_id = conn.execute(
            insert(schema.campaigns).values(**campaign).returning(schema.campaigns.c.id)
        ).scalar_one()
        conn.execute(
            insert(schema.numbers),
            [
                {
                    "campaign_id": campaign_id,
                    "vdn_id": 12,
                    "called": f"1380000000{i}",
                    "state": "pending",
                    "attempts": 0,
                    "next_due_at": now,
                    "created_at": now,
                }
                for i in range(3)
            ],
        )
        # the columns as they are at 0010 (later revisions add to the tables)
        old_numbers = [schema.numbers.c[c["name"]] for c in inspect(conn).get_columns("numbers")]
        old_campaigns = [
            schema.campaigns.c[c["name"]] for c in inspect(conn).get_columns("campaigns")
        ]
        before = [dict(r) for r in conn.execute(select(*old_numbers)).mappings()]
        kept = dict(conn.execute(select(*old_campaigns)).mappings().one())
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert {"agents", "agent_campaigns"} <= tables(engine)
    assert schema_diff(engine) == []
    with engine.connect() as conn, conn.begin():
        assert [dict(r) for r in conn.execute(select(*old_numbers)).mappings()] == before
        assert dict(conn.execute(select(*old_campaigns)).mappings().one()) == kept
        agent_id = conn.execute(
            insert(schema.agents)
            .values(
                vdn_id=12,
                work_no="a1",
                sip_uri="sip:a1@127.0.0.1",
                state="LOGGED_OUT",
                state_since=now,
                created_at=now,
            )
            .returning(schema.agents.c.id)
        ).scalar_one()
        conn.execute(
            insert(schema.agent_campaigns).values(agent_id=agent_id, campaign_id=campaign_id)
        )
        link = conn.execute(select(schema.agent_campaigns)).one()
    assert tuple(link) == (agent_id, campaign_id)


_DIALING_COLUMNS = (
    "abandon_target",
    "abandon_cap",
    "abandon_window",
    "min_agents_predictive",
    "agent_wait_seconds",
    "wrap_up_seconds",
    "abandon_redial_hours",
)


def test_0012_keeps_the_campaigns_of_a_0010_store(engine):
    """Campaigns written before 0012 keep every value and set no dialing setting (NULL:
    the defaults, which the campaign query answers)."""
    from isales.wire.schemas.campaigns import wire

    upgrade(engine, "0010")
    assert "abandon_target" not in {c["name"] for c in inspect(engine).get_columns("campaigns")}
    at = datetime(2026, 11, 27, 8)
    with engine.connect() as conn, conn.begin():
        conn.execute(
            text(
                "INSERT INTO campaigns (vdn_id, name, description, status, begin_time, end_time,"
                " device_type, caller_no, max_alerting_time, priority, schedule_param,"
                " skill_param, api_version, created_at, updated_at) VALUES (12, 'old', 'kept',"
                " 2, :at, :end, 2, '\"10086\"', 30, 3, '{}',"
                ' \'{"skillId": 4, "predictParam": {"rate": 2}}\', 1, :at, :at)'
            ),
            {"at": at, "end": datetime(2026, 12, 27, 8)},
        )
        # the columns a 0010 store has (contact_policy came with 0013)
        old_columns = [
            c
            for c in schema.campaigns.c
            if c.name not in _DIALING_COLUMNS and c.name != "contact_policy"
        ]
        before = dict(conn.execute(select(*old_columns)).mappings().one())
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        row = dict(conn.execute(select(schema.campaigns)).mappings().one())
    assert {
        k: v for k, v in row.items() if k not in _DIALING_COLUMNS and k != "contact_policy"
    } == before
    assert before["skill_param"] == {"skillId": 4, "predictParam": {"rate": 2}}
    assert [row[name] for name in _DIALING_COLUMNS] == [None] * len(_DIALING_COLUMNS)
    answered = wire(row)
    assert (answered["abandonTarget"], answered["abandonCap"], answered["abandonWindow"]) == (
        2.5,
        3.0,
        "24h",
    )
    assert (answered["minAgentsPredictive"], answered["agentWaitSeconds"]) == (8, 1.0)
    assert (answered["wrapUpSeconds"], answered["abandonRedialHours"]) == (10, 72)
    assert schema_diff(engine) == []


_KEY_COLUMNS = ("number_key", "person_id", "subject_ids", "region")


def test_0013_keeps_the_numbers_of_a_0012_store_unkeyed(engine):
    """Numbers and campaigns written before 0013 keep every value; the numbers get no key
    (NULL: keyed by their called string as it is) and the campaigns no contactPolicy."""
    upgrade(engine, "0012")
    at = datetime(2026, 12, 1, 8)
    with engine.connect() as conn, conn.begin():
        campaign_id = conn.execute(
            text(
                "INSERT INTO campaigns (vdn_id, name, status, begin_time, end_time,"
                " device_type, caller_no, max_alerting_time, schedule_param, api_version,"
                " created_at, updated_at) VALUES (12, 'old', 2, :at, :end, 3, '\"10086\"',"
                " 30, '{}', 1, :at, :at) RETURNING id"
            ),
            {"at": at, "end": datetime(2026, 12, 27, 8)},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO numbers (campaign_id, vdn_id, called, state, attempts, created_at,"
                " next_due_at) VALUES (:c, 12, '3055550100', 'pending', 0, :at, :at)"
            ),
            {"c": campaign_id, "at": at},
        )
        old = [c for c in schema.numbers.c if c.name not in _KEY_COLUMNS]
        before = dict(conn.execute(select(*old)).mappings().one())
    upgrade(engine)
    with engine.connect() as conn:
        row = dict(conn.execute(select(schema.numbers)).mappings().one())
        campaign = dict(conn.execute(select(schema.campaigns)).mappings().one())
    assert {k: v for k, v in row.items() if k not in _KEY_COLUMNS} == before
    assert [row[name] for name in _KEY_COLUMNS] == [None] * 4
    assert campaign["contact_policy"] is None
    assert schema_diff(engine) == []
