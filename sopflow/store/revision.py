"""The store's schema revisions, oldest first, known without importing Alembic.

Every command checks the revision a store records against `HEAD` with one SELECT; only
`sopflow db upgrade` loads Alembic and the migrations in `migrations/versions/`. A new migration
adds its revision id here (tests/store/test_migrations.py checks that this list is Alembic's
history, in order): two branches that each add one then conflict on this line, as they should.
"""

from __future__ import annotations

REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010")
HEAD = REVISIONS[-1]
VERSION_TABLE = "alembic_version"  # Alembic's own name for it, so its tools read our stores
