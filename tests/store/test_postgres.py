"""The PostgreSQL engine's own tests (the contract suite runs on it too): migrations across
processes, a URL's password never shown, and the test server's skip-or-fail rule."""

from __future__ import annotations

import asyncio
import socket
import uuid

import pytest

from bot.store import SchemaTooNew, StoreError
from bot.store.migrations import Migration
from bot.store.postgres import PostgresStore
from bot.store.postgres_base import redact_url
from bot.store.postgres_migrations import POSTGRES_MIGRATIONS
from tests import postgres_server

LATEST = len(POSTGRES_MIGRATIONS)
PASSWORD = "hunter2-Xy"


def fresh_schema() -> str:
    return f"test_{uuid.uuid4().hex[:16]}"


def test_a_shown_url_hides_the_password_and_the_query() -> None:
    assert (
        redact_url(f"postgresql://bot:{PASSWORD}@db:5432/pitboard?sslmode=require")
        == "postgresql://bot:***@db:5432/pitboard?***"
    )
    assert redact_url("postgresql://bot@db/pitboard") == "postgresql://bot@db/pitboard"


async def test_a_server_that_cannot_be_reached_is_named_without_the_password() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = PostgresStore(f"postgresql://bot:{PASSWORD}@127.0.0.1:{port}/pitboard")
    with pytest.raises(StoreError) as raised:
        await store.open()
    assert f"postgresql://bot:***@127.0.0.1:{port}/pitboard" in str(raised.value)
    assert PASSWORD not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert PASSWORD not in repr(store)


async def test_processes_starting_together_migrate_once(postgres_url: str) -> None:
    schema = fresh_schema()
    stores = [PostgresStore(postgres_url, schema=schema) for _ in range(4)]
    try:
        await asyncio.gather(*(store.open() for store in stores))
        assert [await store.schema_version() for store in stores] == [LATEST] * 4
        assert await stores[0].migrate() == 0
    finally:
        for store in stores:
            await store.close()


async def test_a_failing_migration_leaves_nothing_half_done(postgres_url: str) -> None:
    schema = fresh_schema()
    broken = Migration(
        LATEST + 1,
        "half a change",
        ("CREATE TABLE nicknames (name text)", "ALTER TABLE no_such_table ADD COLUMN x text"),
    )
    store = PostgresStore(
        postgres_url, schema=schema, migrations=(*POSTGRES_MIGRATIONS, broken), auto_migrate=False
    )
    async with store:
        with pytest.raises(Exception, match="no_such_table"):
            await store.migrate()
        assert await store.schema_version() == LATEST
        assert await store._fetch("SELECT to_regclass('nicknames')") == [(None,)]


async def test_a_database_from_a_newer_pitboard_is_refused(postgres_url: str) -> None:
    schema = fresh_schema()
    async with PostgresStore(postgres_url, schema=schema):
        pass
    older = PostgresStore(postgres_url, schema=schema, migrations=POSTGRES_MIGRATIONS[:1])
    with pytest.raises(SchemaTooNew):
        await older.open()
    await older.close()


async def test_a_closed_store_says_so(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, schema=fresh_schema())
    with pytest.raises(StoreError, match="not open"):
        await store.count_chats()
    await store.open()
    await store.close()
    await store.close()  # twice is fine


def test_no_server_skips_on_a_laptop_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(postgres_server.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL tests not run: no binaries"):
        postgres_server.unavailable("no binaries")
    monkeypatch.setenv(postgres_server.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="no binaries"):
        postgres_server.unavailable("no binaries")
    monkeypatch.delenv(postgres_server.REQUIRE_ENV)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no binaries"):
        postgres_server.unavailable("no binaries")
