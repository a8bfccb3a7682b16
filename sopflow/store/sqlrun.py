"""The store's busiest statements, compiled once and run on the database driver's own cursor.

Every change to a case reads its row, updates it and inserts its events. Through SQLAlchemy's
execution layer each of those costs some 50 µs of Python before the database sees it, more than
SQLite itself needs. A `Prepared` statement is still written with SQLAlchemy Core and compiled by
SQLAlchemy for the store's dialect (SQL text, parameter style, PostgreSQL's casts), and its values
go through the same type processors SQLAlchemy would apply (JSON, datetimes on SQLite); only the
per-call machinery is skipped. Driver errors come out as SQLAlchemy's exceptions, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from typing import Any, cast

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement, Select
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]
Row = dict[str, Any]


class Prepared:
    """One statement, compiled for one dialect, with its parameter and column processors."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = compiled.string
        self.dialect = dialect
        self.positional = bool(compiled.positional)  # qmark/format styles: a tuple, in this order
        binds: dict[str, Processor | None] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        order = compiled.positiontup if self.positional else list(binds)
        self.order: tuple[tuple[str, Processor | None], ...] = tuple((n, binds[n]) for n in order or ())
        self.columns: list[tuple[str, Any]] = []
        if isinstance(statement, Select):
            self.columns = [(c.name, c.type.dialect_impl(dialect)) for c in statement.selected_columns]
        self._results: list[tuple[str, Processor | None]] | None = None

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        """`values` (by parameter name) as the driver takes them, each through its processor."""
        if self.positional:
            return tuple([values[n] if p is None else p(values[n]) for n, p in self.order])
        return {n: values[n] if p is None else p(values[n]) for n, p in self.order}

    def execute(self, conn: Connection, values: Mapping[str, Any]) -> Any:
        """Run with one set of values; the driver's cursor (for rowcount and rows)."""
        params = self.params(values)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(self.sql, params)
        except self.dialect.loaded_dbapi.Error as exc:
            raise _wrapped(self, conn, cursor, params, exc) from exc
        return cursor

    def execute_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Run with each set of values; the rows changed in all."""
        if len(rows) == 1:  # the usual case, and executemany costs more for one row
            cursor = self.execute(conn, rows[0])
        else:
            params: list[Any] = [self.params(row) for row in rows]
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.executemany(self.sql, params)
            except self.dialect.loaded_dbapi.Error as exc:
                raise _wrapped(self, conn, cursor, params, exc) from exc
        changed = int(cursor.rowcount)
        cursor.close()
        return changed

    def first(self, conn: Connection, values: Mapping[str, Any]) -> Row | None:
        """The first row, as column name -> value, converted as SQLAlchemy would convert it."""
        cursor = self.execute(conn, values)
        try:
            found = cursor.fetchone()
            if found is None:
                return None
            results = self._results or self._result_processors(cursor.description)
        finally:
            cursor.close()
        return {
            name: (value if p is None else p(value)) for (name, p), value in zip(results, found, strict=True)
        }

    def all(self, conn: Connection, values: Mapping[str, Any]) -> list[Row]:
        """Every row, as `first` gives one."""
        cursor = self.execute(conn, values)
        try:
            found = cursor.fetchall()
            if not found:
                return []
            results = self._results or self._result_processors(cursor.description)
        finally:
            cursor.close()
        return [
            {name: (value if p is None else p(value)) for (name, p), value in zip(results, row, strict=True)}
            for row in found
        ]

    def _result_processors(self, description: Sequence[Sequence[Any]]) -> list[tuple[str, Processor | None]]:
        """Per column, what SQLAlchemy applies to the driver's value (worked out on first use:
        some drivers say a column's type only in the cursor's description)."""
        self._results = [
            (name, impl.result_processor(self.dialect, column[1]))
            for (name, impl), column in zip(self.columns, description, strict=True)
        ]
        return self._results


def _wrapped(prepared: Prepared, conn: Connection, cursor: Any, params: Any, exc: Exception) -> BaseException:
    """The driver's error as SQLAlchemy would raise it. A connection the server dropped (a
    terminated backend) is invalidated, as SQLAlchemy does for its own statements: returned to the
    pool, it would be reset there, fail again, and log a traceback."""
    dialect = prepared.dialect
    gone = dialect.is_disconnect(exc, conn.connection.dbapi_connection, cursor)  # type: ignore[arg-type]
    with suppress(dialect.loaded_dbapi.Error):  # closing the cursor of a dead connection fails too
        cursor.close()
    if gone:
        conn.invalidate(exc)
    error: BaseException = DBAPIError.instance(
        prepared.sql, params, exc, dialect.loaded_dbapi.Error, dialect=dialect, connection_invalidated=gone
    )
    return error
