"""import tasks keep the SHA-256 of their file, so the same file twice in a campaign is refused

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:35:00
Chain: the whole chain is drawn in store/migrations/README.md (the ids are names, not the order)
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_import_tasks_campaign_fingerprint", ["campaign_id", "fingerprint"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("import_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_import_tasks_campaign_fingerprint")
        batch_op.drop_column("fingerprint")
