"""uncompleted-number counters kept by triggers, claim index in claim order

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 21:40:00
Chain: the whole chain is drawn in store/migrations/README.md (the ids are names, not the order)

``campaign_counters.uncompleted`` is the number of a campaign's numbers in an uncompleted
state (``domain/states.py`` UNCOMPLETED: pending, calling, retry). Triggers on ``numbers``
keep it in the same transaction as every insert, delete and state change, whichever code
path makes it, so no code path has to remember it; triggers on ``campaigns`` create and
drop the row. PostgreSQL counts inserts and deletes once per statement from transition
tables (a bulk delete is one UPDATE of the counter); state changes are row triggers whose
WHEN clause skips the ones that do not cross the uncompleted line (claims, lapsed leases).

The claim orders by (next_due_at, id): the index now holds both, so PostgreSQL reads the
first rows in order instead of sorting the campaign (numbers sharing a due time).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UNCOMPLETED = "('pending', 'calling', 'retry')"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER numbers_count_insert AFTER INSERT ON numbers
    WHEN NEW.state IN {UNCOMPLETED}
    BEGIN
        UPDATE campaign_counters SET uncompleted = uncompleted + 1
        WHERE campaign_id = NEW.campaign_id;
    END""",
    f"""CREATE TRIGGER numbers_count_delete AFTER DELETE ON numbers
    WHEN OLD.state IN {UNCOMPLETED}
    BEGIN
        UPDATE campaign_counters SET uncompleted = uncompleted - 1
        WHERE campaign_id = OLD.campaign_id;
    END""",
    f"""CREATE TRIGGER numbers_count_update AFTER UPDATE OF state, campaign_id ON numbers
    WHEN (OLD.state IN {UNCOMPLETED}) <> (NEW.state IN {UNCOMPLETED})
      OR OLD.campaign_id <> NEW.campaign_id
    BEGIN
        UPDATE campaign_counters SET uncompleted = uncompleted - (OLD.state IN {UNCOMPLETED})
        WHERE campaign_id = OLD.campaign_id;
        UPDATE campaign_counters SET uncompleted = uncompleted + (NEW.state IN {UNCOMPLETED})
        WHERE campaign_id = NEW.campaign_id;
    END""",
    """CREATE TRIGGER campaigns_counter_insert AFTER INSERT ON campaigns
    BEGIN
        INSERT INTO campaign_counters (campaign_id, uncompleted) VALUES (NEW.id, 0);
    END""",
    """CREATE TRIGGER campaigns_counter_delete AFTER DELETE ON campaigns
    BEGIN
        DELETE FROM campaign_counters WHERE campaign_id = OLD.id;
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS numbers_count_insert",
    "DROP TRIGGER IF EXISTS numbers_count_delete",
    "DROP TRIGGER IF EXISTS numbers_count_update",
    "DROP TRIGGER IF EXISTS campaigns_counter_insert",
    "DROP TRIGGER IF EXISTS campaigns_counter_delete",
]

PG_FUNCTIONS = [
    f"""CREATE FUNCTION isales_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE campaign_counters AS c SET uncompleted = c.uncompleted + d.n
        FROM (SELECT campaign_id, count(*) AS n FROM inserted_numbers
              WHERE state IN {UNCOMPLETED} GROUP BY campaign_id) AS d
        WHERE c.campaign_id = d.campaign_id;
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION isales_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE campaign_counters AS c SET uncompleted = c.uncompleted - d.n
        FROM (SELECT campaign_id, count(*) AS n FROM deleted_numbers
              WHERE state IN {UNCOMPLETED} GROUP BY campaign_id) AS d
        WHERE c.campaign_id = d.campaign_id;
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION isales_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE campaign_counters SET uncompleted = uncompleted
            - (OLD.state IN {UNCOMPLETED})::int
        WHERE campaign_id = OLD.campaign_id;
        UPDATE campaign_counters SET uncompleted = uncompleted
            + (NEW.state IN {UNCOMPLETED})::int
        WHERE campaign_id = NEW.campaign_id;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION isales_counter_create() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO campaign_counters (campaign_id, uncompleted) VALUES (NEW.id, 0);
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION isales_counter_drop() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM campaign_counters WHERE campaign_id = OLD.id;
        RETURN NULL;
    END $$""",
]
PG_TRIGGERS = [
    """CREATE TRIGGER numbers_count_insert AFTER INSERT ON numbers
    REFERENCING NEW TABLE AS inserted_numbers
    FOR EACH STATEMENT EXECUTE FUNCTION isales_count_inserted()""",
    """CREATE TRIGGER numbers_count_delete AFTER DELETE ON numbers
    REFERENCING OLD TABLE AS deleted_numbers
    FOR EACH STATEMENT EXECUTE FUNCTION isales_count_deleted()""",
    f"""CREATE TRIGGER numbers_count_update AFTER UPDATE OF state, campaign_id ON numbers
    FOR EACH ROW
    WHEN ((OLD.state IN {UNCOMPLETED}) IS DISTINCT FROM (NEW.state IN {UNCOMPLETED})
          OR OLD.campaign_id <> NEW.campaign_id)
    EXECUTE FUNCTION isales_count_changed()""",
    """CREATE TRIGGER campaigns_counter_insert AFTER INSERT ON campaigns
    FOR EACH ROW EXECUTE FUNCTION isales_counter_create()""",
    """CREATE TRIGGER campaigns_counter_delete AFTER DELETE ON campaigns
    FOR EACH ROW EXECUTE FUNCTION isales_counter_drop()""",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS numbers_count_insert ON numbers",
    "DROP TRIGGER IF EXISTS numbers_count_delete ON numbers",
    "DROP TRIGGER IF EXISTS numbers_count_update ON numbers",
    "DROP TRIGGER IF EXISTS campaigns_counter_insert ON campaigns",
    "DROP TRIGGER IF EXISTS campaigns_counter_delete ON campaigns",
    "DROP FUNCTION IF EXISTS isales_count_inserted()",
    "DROP FUNCTION IF EXISTS isales_count_deleted()",
    "DROP FUNCTION IF EXISTS isales_count_changed()",
    "DROP FUNCTION IF EXISTS isales_counter_create()",
    "DROP FUNCTION IF EXISTS isales_counter_drop()",
]


def upgrade() -> None:
    with op.batch_alter_table("numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_numbers_campaign_id_next_due_at"))
        batch_op.create_index(
            batch_op.f("ix_numbers_campaign_id_next_due_at_id"),
            ["campaign_id", "next_due_at", "id"],
            unique=False,
        )
    op.create_table(
        "campaign_counters",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("uncompleted", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_campaign_counters")),
    )
    # the existing campaigns, counted once
    op.execute(
        "INSERT INTO campaign_counters (campaign_id, uncompleted) "
        "SELECT c.id, (SELECT count(*) FROM numbers AS n "
        f"WHERE n.campaign_id = c.id AND n.state IN {UNCOMPLETED}) FROM campaigns AS c"
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else PG_FUNCTIONS + PG_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_numbers_campaign_id_next_due_at_id"))
        batch_op.create_index(
            batch_op.f("ix_numbers_campaign_id_next_due_at"),
            ["campaign_id", "next_due_at"],
            unique=False,
        )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DROP if sqlite else PG_DROP:
        op.execute(statement)
    op.drop_table("campaign_counters")
