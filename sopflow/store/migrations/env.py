"""Alembic's entry point: run the migrations on the connection sopflow hands over.

`sopflow db upgrade` (store/migrate.py) opens the store, locks it, and passes its connection in
`config.attributes["connection"]`; the whole upgrade is then one transaction of sopflow's. Batch
mode lets a migration alter a SQLite table (SQLite can only add columns; batch mode copies the
table). There is no alembic.ini: scripts/new_migration.py writes a new revision.
"""

from __future__ import annotations

from alembic import context

from sopflow.store.migrate import made_here
from sopflow.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `sopflow db upgrade` (or scripts/new_migration.py)")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    include_object=made_here(connection.dialect.name),
)
with context.begin_transaction():
    context.run_migrations()
