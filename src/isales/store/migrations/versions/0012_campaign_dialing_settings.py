"""agent campaigns' dialing settings on the campaign (NULL: the default)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 22:30:00
Chain: the whole chain is drawn in store/migrations/README.md (the ids are names, not the order)
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("abandon_target", sa.Float()),
    ("abandon_cap", sa.Float()),
    ("abandon_window", sa.String(length=3)),
    ("min_agents_predictive", sa.Integer()),
    ("agent_wait_seconds", sa.Float()),
    ("wrap_up_seconds", sa.Integer()),
    ("abandon_redial_hours", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        for name, _ in reversed(_COLUMNS):
            batch_op.drop_column(name)
