"""the rest of the CC-iSales interface family: import counters, call batches, result
definitions, display results, campaign templates

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-29 21:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0002"
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


def downgrade() -> None:
    op.drop_table("call_batches")
    with op.batch_alter_table("import_tasks", schema=None) as batch_op:
        batch_op.drop_column("black_rows")
        batch_op.drop_column("repeat_rows")
