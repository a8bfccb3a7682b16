"""The registry: places (every door too), households, people, and the person, household and
dwelling each case is about."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["places.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("path"),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index("ix_places_name", ["name"], unique=False)
        batch_op.create_index("ix_places_parent", ["parent_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":  # a place and all below it: LIKE 'path/%'
        op.create_index("ix_places_below", "places", ["path"], postgresql_ops={"path": "text_pattern_ops"})

    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("dwelling_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dwelling_id"],
            ["places.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index("ix_households_dwelling", ["dwelling_id"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("sex", sa.String(length=6), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("dwelling_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["people.id"],
        ),
        sa.ForeignKeyConstraint(
            ["dwelling_id"],
            ["places.id"],
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_number"),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index("ix_people_dwelling", ["dwelling_id"], unique=False)
        batch_op.create_index("ix_people_household", ["household_id"], unique=False)
        batch_op.create_index("ix_people_name_phone", ["name", "phone"], unique=False)
        batch_op.create_index("ix_people_phone", ["phone"], unique=False)

    op.create_table(
        "case_subjects",
        sa.Column("case_id", sa.String(length=200), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("dwelling_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
        ),
        sa.ForeignKeyConstraint(
            ["dwelling_id"],
            ["places.id"],
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
        ),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("case_subjects", schema=None) as batch_op:
        batch_op.create_index("ix_case_subjects_dwelling", ["dwelling_id"], unique=False)
        batch_op.create_index("ix_case_subjects_household", ["household_id"], unique=False)
        batch_op.create_index("ix_case_subjects_person", ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_subjects", schema=None) as batch_op:
        batch_op.drop_index("ix_case_subjects_person")
        batch_op.drop_index("ix_case_subjects_household")
        batch_op.drop_index("ix_case_subjects_dwelling")

    op.drop_table("case_subjects")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index("ix_people_phone")
        batch_op.drop_index("ix_people_name_phone")
        batch_op.drop_index("ix_people_household")
        batch_op.drop_index("ix_people_dwelling")

    op.drop_table("people")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index("ix_households_dwelling")

    op.drop_table("households")
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index("ix_places_parent")
        batch_op.drop_index("ix_places_name")

    op.drop_table("places")
