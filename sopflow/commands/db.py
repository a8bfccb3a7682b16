"""`sopflow db`: the case store itself — which schema revision it is at, and upgrading it."""

from __future__ import annotations

import click

from sopflow.commands.common import chosen_lang, json_option, lang_option, print_json
from sopflow.i18n import say
from sopflow.store.revision import HEAD
from sopflow.store.store import Store, open_store


@click.group("db")
def db_group() -> None:
    """The case store itself: its schema version, and upgrading it after installing a newer sopflow."""


@db_group.command("upgrade")
@lang_option()
@json_option
def upgrade_command(lang: str | None, as_json: bool) -> None:
    """Bring the store (--db / SOPFLOW_DB) to this sopflow's schema, in one transaction; back it up first."""
    from sopflow.store.migrate import upgrade  # noqa: PLC0415 - Alembic loads for this command only

    lang = chosen_lang(lang)
    with _store() as store:
        done = upgrade(store)
    if as_json:
        print_json(
            {"store": store.url, "found": done.found.value, "before": done.before, "after": done.after}
        )
        return
    before = done.before or say("db.unversioned", lang)
    code = {"new": "db.created", "current": "db.current"}.get(done.found.value, "db.upgraded")
    click.echo(say(code, lang, url=store.url, head=done.after, before=before, after=done.after))


@db_group.command("status")
@lang_option()
@json_option
def status_command(lang: str | None, as_json: bool) -> None:
    """Say which schema revision the store is at, changing nothing."""
    from sopflow.store.migrate import examine  # noqa: PLC0415 - Alembic loads for this command only

    lang = chosen_lang(lang)
    with _store() as store:
        found = examine(store)
    if as_json:
        print_json(
            {"store": store.url, "standing": found.found.value, "revision": found.before, "head": HEAD}
        )
        return
    revision = found.before or say("db.unversioned", lang)
    code = f"db.status.{found.found.value}"
    click.echo(say(code, lang, url=store.url, revision=revision, head=found.after))


def _store() -> Store:
    """The store of --db / SOPFLOW_DB, opened as it is (not checked: that is what these do)."""
    return open_store(click.get_current_context().find_root().params.get("db"), create=False)
