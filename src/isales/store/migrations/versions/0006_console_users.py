"""console users, their VDNs, and sessions; numbers by campaign in dataId order

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 21:30:00
Chain: the whole chain is drawn in store/migrations/README.md (the ids are names, not the order)
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain CREATE INDEX: a batch (table copy) on SQLite would drop the numbers triggers
    op.create_index(op.f("ix_numbers_campaign_id_id"), "numbers", ["campaign_id", "id"])
    op.create_table(
        "console_users",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_console_users")),
    )
    op.create_table(
        "console_user_vdns",
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("vdn_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_name"],
            ["console_users.name"],
            name=op.f("fk_console_user_vdns_user_name_console_users"),
        ),
        sa.PrimaryKeyConstraint("user_name", "vdn_id", name=op.f("pk_console_user_vdns")),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_name"],
            ["console_users.name"],
            name=op.f("fk_console_sessions_user_name_console_users"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_console_sessions")),
    )
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_console_sessions_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_numbers_campaign_id_id"), table_name="numbers")
    op.drop_table("console_sessions")
    op.drop_table("console_user_vdns")
    op.drop_table("console_users")
