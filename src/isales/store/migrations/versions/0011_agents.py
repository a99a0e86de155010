"""agents and the campaigns they work for

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 22:20:00
Chain: the whole chain is drawn in store/migrations/README.md (the ids are names, not the order)
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("vdn_id", sa.Integer(), nullable=False),
        sa.Column("work_no", sa.String(length=32), nullable=False),
        sa.Column("sip_uri", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("state_since", sa.DateTime(), nullable=False),
        sa.Column("state_until", sa.DateTime(), nullable=True),
        sa.Column("leg_holder", sa.String(length=64), nullable=True),
        sa.Column("login_holder", sa.String(length=64), nullable=True),
        sa.Column("login_until", sa.DateTime(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("data_id", sa.BigInteger(), nullable=True),
        sa.Column("dial_asked", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("vdn_id", "work_no", name=op.f("uq_agents_vdn_id_work_no")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_agents_vdn_id_state", "agents", ["vdn_id", "state"], unique=False)
    op.create_table(
        "agent_campaigns",
        sa.Column("agent_id", sa.BigInteger(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_agent_campaigns_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_agent_campaigns_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("agent_id", "campaign_id", name=op.f("pk_agent_campaigns")),
    )
    op.create_index(
        "ix_agent_campaigns_campaign_id", "agent_campaigns", ["campaign_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_agent_campaigns_campaign_id", table_name="agent_campaigns")
    op.drop_table("agent_campaigns")
    op.drop_index("ix_agents_vdn_id_state", table_name="agents")
    op.drop_table("agents")
