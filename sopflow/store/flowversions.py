"""Flow versions as a store keeps them: the exact source of each, saved the first time a case uses
it, and read back checked against its digest, so that a case is always stepped by the rules it
started on, and a source replaced by hand is found out, not followed."""

from __future__ import annotations

import hashlib
import importlib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from sopflow.errors import FlowError, StoreError
from sopflow.language.flowcache import cached_flow
from sopflow.language.loader import load_shallow
from sopflow.language.model import Flow
from sopflow.store.rows import naive
from sopflow.store.tables import flow_versions


def save_flow_version(conn: Connection, flow: Flow, *, sqlite: bool) -> None:
    """Save `flow`'s source unless the store has it. Two staff starting the first cases of a new
    version at once on PostgreSQL both insert it: the second insert does nothing instead of
    failing."""
    exists = conn.execute(
        sa.select(flow_versions.c.digest).where(
            flow_versions.c.flow_id == flow.id, flow_versions.c.digest == flow.digest
        )
    ).first()
    if exists is None:
        insert = _insert_or_nothing(sqlite=sqlite)
        values = {"flow_id": flow.id, "digest": flow.digest, "version": flow.version}
        saved_at = naive(datetime.now(UTC))
        conn.execute(
            insert(flow_versions)
            .values(**values, source=flow.source_text, saved_at=saved_at)
            .on_conflict_do_nothing()
        )


def version_with_other_rules(conn: Connection, flow: Flow) -> bool:
    """Whether the store keeps `flow`'s version label with another source: the file was edited
    and its `version:` left as it was (the cases of each keep their own rules, but a printed
    chart's version no longer says which)."""
    query = sa.select(flow_versions.c.digest).where(
        flow_versions.c.flow_id == flow.id,
        flow_versions.c.version == flow.version,
        flow_versions.c.digest != flow.digest,
    )
    return conn.execute(query.limit(1)).first() is not None


def read_flow_version(conn: Connection, flow_id: str, digest: str) -> Flow:
    """The saved version `digest` of flow `flow_id`; StoreError if it is missing, or its source
    is not the one saved (changed, swapped for another flow's, or not a flow at all)."""
    row = conn.execute(
        sa.select(flow_versions.c.source).where(
            flow_versions.c.flow_id == flow_id, flow_versions.c.digest == digest
        )
    ).first()
    if row is None:
        raise StoreError("store.missing_flow_version", flow=flow_id, digest=digest[:12])
    damage = StoreError("store.damaged_flow_version", flow=flow_id, digest=digest[:12])
    source = row.source
    if not isinstance(source, str) or hashlib.sha256(source.encode("utf-8")).hexdigest() != digest:
        raise damage
    try:
        name = f"<{flow_id} {digest[:12]}>"
        flow = cached_flow(source, name, lambda: load_shallow(source.encode("utf-8"), name)[0])
    except FlowError:
        raise damage from None
    if flow.id != flow_id:
        raise damage
    return flow


def _insert_or_nothing(*, sqlite: bool) -> Any:
    """The dialect's INSERT that can do nothing on conflict, imported only when a flow version is
    first saved: `sqlalchemy.dialects.postgresql` takes about a fifth of a second to import, which
    a reading recorded on SQLite from the shell should not pay."""
    dialect = "sqlite" if sqlite else "postgresql"
    return importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert
