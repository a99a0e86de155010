"""the rest of the CC-iSales interface family: import counters, call batches, result
definitions, display results, campaign templates

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-29 21:40:00
Chain: the whole chain is drawn in store/migrations/README.md (the ids are names, not the order)
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("import_tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("repeat_rows", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("black_rows", sa.Integer(), server_default="0", nullable=False)
        )

    op.create_table(
        "call_batches",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("vdn_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_batches")),
        sa.UniqueConstraint("campaign_id", "name", name=op.f("uq_call_batches_campaign_id_name")),
    )
    op.create_table(
        "business_results",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("vdn_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_results")),
        sa.UniqueConstraint(
            "vdn_id", "parent_id", "code", name=op.f("uq_business_results_vdn_id_parent_id_code")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("business_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_business_results_parent_id"), ["parent_id"], unique=False
        )
    op.create_table(
        "display_results",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("vdn_id", sa.Integer(), nullable=False),
        sa.Column("result_code", sa.String(length=7), nullable=True),
        sa.Column("display_result", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_display_results")),
        sa.UniqueConstraint(
            "vdn_id", "result_code", name=op.f("uq_display_results_vdn_id_result_code")
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "display_result_codes",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("def_id", sa.BigInteger(), nullable=False),
        sa.Column("vdn_id", sa.Integer(), nullable=False),
        sa.Column("fail_code", sa.String(length=5), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_display_result_codes")),
        sa.UniqueConstraint(
            "vdn_id", "fail_code", name=op.f("uq_display_result_codes_vdn_id_fail_code")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("display_result_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_display_result_codes_def_id"), ["def_id"], unique=False
        )
    op.create_table(
        "campaign_templates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("vdn_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("device_type", sa.SmallInteger(), nullable=False),
        sa.Column("caller_no", sa.JSON(), nullable=False),
        sa.Column("max_alerting_time", sa.Integer(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=True),
        sa.Column("schedule_param", sa.JSON(), nullable=False),
        sa.Column("ivr_param", sa.JSON(), nullable=True),
        sa.Column("skill_param", sa.JSON(), nullable=True),
        sa.Column("retry_policy", sa.JSON(), nullable=True),
        sa.Column("call_policy", sa.JSON(), nullable=True),
        sa.Column("call_back_url", sa.String(length=1024), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_templates")),
        sa.UniqueConstraint("vdn_id", "name", name=op.f("uq_campaign_templates_vdn_id_name")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("campaign_templates")
    op.drop_table("display_result_codes")
    op.drop_table("display_results")
    op.drop_table("business_results")
    op.drop_table("call_batches")
    with op.batch_alter_table("import_tasks", schema=None) as batch_op:
        batch_op.drop_column("black_rows")
        batch_op.drop_column("repeat_rows")
