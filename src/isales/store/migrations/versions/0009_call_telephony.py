"""call results keep what the SIP driver saw: SIP code, Q.850 cause, ring and talk time, AMD

Revision ID: 0009
Revises: 0004
Create Date: 2026-12-07 19:40:00
Chain: the whole chain is drawn in store/migrations/README.md (the ids are names, not the order)
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("call_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telephony", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("call_results", schema=None) as batch_op:
        batch_op.drop_column("telephony")
