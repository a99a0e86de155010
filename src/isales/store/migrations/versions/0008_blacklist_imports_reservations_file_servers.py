"""blacklist file imports, reserved calls, file servers, number time zones

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 21:40:00
Chain: the whole chain is drawn in store/migrations/README.md (the ids are names, not the order)
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    for table in ("numbers", "number_history"):  # a plain ADD COLUMN: no table rebuild
        op.add_column(table, sa.Column("time_zone", sa.String(length=255), nullable=True))
    op.create_index(
        "ix_numbers_campaign_id_time_zone_next_due_at_id",
        "numbers",
        ["campaign_id", "time_zone", "next_due_at", "id"],
    )
    op.create_table(
        "blacklist_imports",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("vdn_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("server_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=1), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("success_rows", sa.Integer(), nullable=False),
        sa.Column("repeat_rows", sa.Integer(), nullable=False),
        sa.Column("failed_rows", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("run_after", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("leased_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blacklist_imports")),
    )
    op.create_index(op.f("ix_blacklist_imports_vdn_id_id"), "blacklist_imports", ["vdn_id", "id"])
    op.create_index(
        op.f("ix_blacklist_imports_status_run_after"),
        "blacklist_imports",
        ["status", "run_after"],
    )
    op.create_table(
        "reservations",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("vdn_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("call_type", sa.SmallInteger(), nullable=False),
        sa.Column("called", sa.String(length=24), nullable=False),
        sa.Column("user_account", sa.String(length=64), nullable=True),
        sa.Column("work_no", sa.String(length=32), nullable=True),
        sa.Column("appoint_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("call_data", sa.String(length=1024), nullable=True),
        sa.Column("remark", sa.String(length=256), nullable=True),
        sa.Column("time_zone", sa.String(length=255), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("caller", sa.String(length=24), nullable=True),
        sa.Column("call_status", sa.String(length=2), nullable=True),
        sa.Column("fail_code", sa.String(length=10), nullable=True),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("busi_result", sa.String(length=50), nullable=True),
        sa.Column("busi_sub_status", sa.String(length=50), nullable=True),
        sa.Column("call_begin", sa.DateTime(), nullable=True),
        sa.Column("call_end", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("executed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    op.create_index(
        op.f("ix_reservations_campaign_id_state_due_at"),
        "reservations",
        ["campaign_id", "state", "due_at"],
    )
    op.create_index(
        op.f("ix_reservations_vdn_id_appoint_at"), "reservations", ["vdn_id", "appoint_at"]
    )
    op.create_table(
        "file_servers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("vdn_id", sa.Integer(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=True),
        sa.Column("user_name", sa.String(length=30), nullable=False),
        sa.Column("password", sa.Text(), nullable=False),
        sa.Column("host_key", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_servers")),
        sa.UniqueConstraint(
            "vdn_id",
            "ip",
            "port",
            "user_name",
            name=op.f("uq_file_servers_vdn_id_ip_port_user_name"),
        ),
    )


def downgrade() -> None:
    op.drop_index("ix_numbers_campaign_id_time_zone_next_due_at_id", table_name="numbers")
    for table in ("number_history", "numbers"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("time_zone")
    op.drop_table("file_servers")
    op.drop_index(op.f("ix_reservations_vdn_id_appoint_at"), table_name="reservations")
    op.drop_index(op.f("ix_reservations_campaign_id_state_due_at"), table_name="reservations")
    op.drop_table("reservations")
    op.drop_index(op.f("ix_blacklist_imports_status_run_after"), table_name="blacklist_imports")
    op.drop_index(op.f("ix_blacklist_imports_vdn_id_id"), table_name="blacklist_imports")
    op.drop_table("blacklist_imports")
