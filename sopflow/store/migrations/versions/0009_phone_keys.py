"""Phones matched by their digits: `people.phone_key` holds the number a phone is (138 1234 5678,
+86 138-1234-5678 and 0086 13812345678 are 13812345678; 0438-1234567 is 04381234567), and the
name-and-phone index and the phone index move to it; `people.phone` stays as it was written.
The people already in the store get their key from their phone here."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PAGE = 5000
_DIGITS = frozenset("0123456789")


def phone_key(phone: str) -> str | None:
    """registry.values.phone_digits as it was when this revision was written (a migration keeps
    its own copy: that function may change later, this fill must not). The phones stored were
    checked by registry.values.phone; one that is neither a mobile nor a landline (written by
    hand) gets its digits."""
    text = phone.strip()
    digits = "".join(c for c in text if c in _DIGITS)
    if text.startswith("+") and digits.startswith("86"):
        digits = digits[2:]
    elif digits.startswith("0086") and len(digits) == 15 and digits[4] == "1":
        digits = digits[4:]
    return digits[:20] or None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_key", sa.String(length=20), nullable=True))
        batch_op.drop_index("ix_people_name_phone")
        batch_op.drop_index("ix_people_phone")
        batch_op.create_index("ix_people_name_phone_key", ["name", "phone_key"], unique=False)
        batch_op.create_index("ix_people_phone_key", ["phone_key"], unique=False)
    people = sa.table(
        "people",
        sa.column("id", sa.Integer),
        sa.column("phone", sa.String),
        sa.column("phone_key", sa.String),
    )
    update = (
        people.update().where(people.c.id == sa.bindparam("person")).values(phone_key=sa.bindparam("key"))
    )
    conn = op.get_bind()
    after = 0
    while True:  # a page of people at a time, read whole before writing
        page = conn.execute(
            sa.select(people.c.id, people.c.phone)
            .where(people.c.id > after, people.c.phone.is_not(None))
            .order_by(people.c.id)
            .limit(PAGE)
        ).all()
        if not page:
            break
        after = page[-1][0]
        conn.execute(update, [{"person": person, "key": phone_key(phone)} for person, phone in page])


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index("ix_people_phone_key")
        batch_op.drop_index("ix_people_name_phone_key")
        batch_op.create_index("ix_people_phone", ["phone"], unique=False)
        batch_op.create_index("ix_people_name_phone", ["name", "phone"], unique=False)
        batch_op.drop_column("phone_key")
