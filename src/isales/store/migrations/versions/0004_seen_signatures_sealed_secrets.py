"""single-use signatures (the signatures seen), secret keys sealed at rest

Revision ID: 0004
Revises: 0006
Create Date: 2026-11-29 21:40:00
Chain: the whole chain is drawn in store/migrations/README.md (the ids are names, not the order)
"""

import os

import sqlalchemy as sa
from alembic import op

from isales.secret_box import SecretBox

revision = "0004"
down_revision = "0006"
branch_labels = None
depends_on = None

_keys = sa.table(
    "access_keys", sa.column("access_key", sa.String), sa.column("secret_key", sa.String)
)


def _box() -> SecretBox:
    url = op.get_bind().engine.url.render_as_string(hide_password=False)
    return SecretBox.for_store(url, os.environ.get("ISALES_MASTER_KEY"))


def _rewrite(change) -> None:  # type: ignore[no-untyped-def]
    """Every secret through ``change``: at 0002 all are plain text, at 0004 all sealed."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(_keys.c.access_key, _keys.c.secret_key)).all()
    if not rows:
        return  # an empty store needs no master key yet
    box = _box()
    for row in rows:
        bind.execute(
            sa.update(_keys)
            .where(_keys.c.access_key == row.access_key)
            .values(secret_key=change(box, row))
        )


def upgrade() -> None:
    op.create_table(
        "seen_signatures",
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_seen_signatures")),
    )
    with op.batch_alter_table("seen_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_seen_signatures_expires_at"), ["expires_at"], unique=False
        )
    _rewrite(lambda box, row: box.seal(row.secret_key, row.access_key))


def downgrade() -> None:
    _rewrite(lambda box, row: box.open(row.secret_key, row.access_key))
    with op.batch_alter_table("seen_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_signatures_expires_at"))
    op.drop_table("seen_signatures")
