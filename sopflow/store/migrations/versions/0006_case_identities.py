"""Whom a case is about (issue 11, C3): a signal addressed to a household or an ID number finds
the open cases about them through this index, not through whichever case sent it. Cases already
in the store are indexed by the fields named id_number, household_id and dwelling_code (the rule
for flows that declare no `identifies:`), so that running cases can be found."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_BY_NAME = {"person": "id_number", "household": "household_id", "dwelling": "dwelling_code"}


def upgrade() -> None:
    table = op.create_table(
        "case_identities",
        sa.Column("case_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("case_id", "kind"),
    )
    with op.batch_alter_table("case_identities", schema=None) as batch_op:
        batch_op.create_index("ix_case_identities_value", ["kind", "value"], unique=False)
    cases = sa.table("cases", sa.column("id", sa.String), sa.column("data", sa.JSON))
    conn = op.get_bind()
    after = ""
    while True:  # a page of cases at a time, read whole before writing
        page = conn.execute(
            sa.select(cases.c.id, cases.c.data).where(cases.c.id > after).order_by(cases.c.id).limit(1000)
        ).all()
        if not page:
            break
        after = page[-1][0]
        rows = [
            {"case_id": case_id, "kind": kind, "value": str(value)[:200]}
            for case_id, data in page
            for kind, name in _BY_NAME.items()
            if (value := (data or {}).get(name)) not in (None, "")
        ]
        if rows:
            op.bulk_insert(table, rows)


def downgrade() -> None:
    with op.batch_alter_table("case_identities", schema=None) as batch_op:
        batch_op.drop_index("ix_case_identities_value")
    op.drop_table("case_identities")
