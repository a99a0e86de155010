"""contact policies: number, person and subject keys on numbers, history and reserved
calls; the VDN's contact settings; policies and their versions; the contact ledger

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 02:00:00
Chain: the whole chain is drawn in store/migrations/README.md (the ids are names, not the order)

Numbers stored before this revision have no key (NULL): they are keyed by their ``called``
string as it is, which is what their blacklist quota and every older rule used.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_KEYS = (
    ("number_key", sa.String(length=32)),
    ("person_id", sa.String(length=64)),
    ("subject_ids", sa.String(length=330)),
    ("region", sa.String(length=6)),
)


def upgrade() -> None:
    for table in ("numbers", "number_history", "reservations"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, kind in _KEYS:
                batch_op.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_policy", sa.JSON(), nullable=True))
    op.create_table(
        "contact_settings",
        sa.Column("vdn_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("default_country", sa.String(length=2), nullable=True),
        sa.Column("revoke_scope", sa.String(length=10), nullable=False),
        sa.Column("revocation_deadline_business_days", sa.Integer(), nullable=False),
        sa.Column("non_business_dates", sa.JSON(), nullable=False),
        sa.Column("revocation_busi_results", sa.JSON(), nullable=False),
        sa.Column("count_lapsed_claims", sa.SmallInteger(), nullable=False),
        sa.Column("ledger_retention_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("vdn_id", name=op.f("pk_contact_settings")),
    )
    op.create_table(
        "contact_policies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("vdn_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_policies")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_contact_policies_vdn_id_ended_at"),
        "contact_policies",
        ["vdn_id", "ended_at"],
        unique=False,
    )
    op.create_table(
        "contact_policy_versions",
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["contact_policies.id"],
            name=op.f("fk_contact_policy_versions_policy_id_contact_policies"),
        ),
        sa.PrimaryKeyConstraint("policy_id", "version", name=op.f("pk_contact_policy_versions")),
    )
    op.create_table(
        "contact_attempts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vdn_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("data_id", sa.BigInteger(), nullable=True),
        sa.Column("called", sa.String(length=64), nullable=False),
        sa.Column("number_key", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=True),
        sa.Column("subject_ids", sa.String(length=330), nullable=True),
        sa.Column("channel", sa.String(length=5), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=True),
        sa.Column("technology", sa.String(length=12), nullable=True),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("dialled", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=2), nullable=True),
        sa.Column("fail_code", sa.String(length=10), nullable=True),
        sa.Column("classes", sa.String(length=64), nullable=False),
        sa.Column("voided", sa.SmallInteger(), nullable=False),
        sa.Column("consent_kinds", sa.String(length=64), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("origin", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_attempts")),
    )
    for columns in (
        ["vdn_id", "number_key", "ended_at"],
        ["vdn_id", "person_id", "ended_at"],
        ["data_id", "campaign_id"],
        ["ended_at", "lease_until"],
        ["vdn_id", "placed_at"],
    ):
        op.create_index(
            op.f("ix_contact_attempts_" + "_".join(columns)), "contact_attempts", columns
        )


def downgrade() -> None:
    op.drop_table("contact_attempts")
    op.drop_table("contact_policy_versions")
    op.drop_index(op.f("ix_contact_policies_vdn_id_ended_at"), table_name="contact_policies")
    op.drop_table("contact_policies")
    op.drop_table("contact_settings")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("contact_policy")
    for table in ("reservations", "number_history", "numbers"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in reversed(_KEYS):
                batch_op.drop_column(name)
