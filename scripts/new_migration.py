"""Write a new schema revision of the store, for the engineer who changed sopflow/store/tables.py.

    .venv/bin/python scripts/new_migration.py "add the alerts table" [--on postgresql://.../db]

Alembic compares tables.py with a store at the current HEAD (a scratch SQLite file, or an empty
PostgreSQL database or schema given with --on, which sees PostgreSQL-only indexes) and writes
sopflow/store/migrations/versions/NNNN_add_the_alerts_table.py with what it found, in batch mode
for SQLite. Then: read and correct it (Alembic sees no renames and moves no data), add NNNN to
REVISIONS in sopflow/store/revision.py, and run `pytest tests/store/test_migrations.py`, which
checks that the migrations make exactly the tables of tables.py. See docs/store.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from alembic import command

from sopflow.store.migrate import alembic_config, run_migrations
from sopflow.store.revision import REVISIONS
from sopflow.store.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("message", help="what the revision does, e.g. 'add the alerts table'")
    parser.add_argument("--on", metavar="URL", help="an empty database to compare on (default: SQLite)")
    args = parser.parse_args()
    number = f"{int(REVISIONS[-1]) + 1:04d}"
    with tempfile.TemporaryDirectory() as folder:
        with open_store(args.on or f"sqlite:///{folder}/head.db", create=False) as store:
            with store.exclusive() as conn:
                run_migrations(conn, "head")
                config = alembic_config(conn)
                ruff = str(Path(sys.executable).parent / "ruff")  # the new file in the house style
                config.set_section_option("post_write_hooks", "hooks", "fix, format")
                for hook, options in (("fix", "check --fix --quiet"), ("format", "format --quiet")):
                    config.set_section_option("post_write_hooks", f"{hook}.type", "exec")
                    config.set_section_option("post_write_hooks", f"{hook}.executable", ruff)
                    config.set_section_option(
                        "post_write_hooks", f"{hook}.options", f"{options} REVISION_SCRIPT_FILENAME"
                    )
                written = command.revision(config, message=args.message, autogenerate=True, rev_id=number)
                conn.rollback()  # leave the database as it was
    path = written.path if written is not None and not isinstance(written, list) else "?"
    print(
        f"wrote {path}\nnow: check it, add {number!r} to REVISIONS in sopflow/store/revision.py, run the tests"
    )


if __name__ == "__main__":
    main()
