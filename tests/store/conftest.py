"""Store fixtures: every contract test runs once per engine, SQLite and PostgreSQL.

`open_store()` opens another handle on the same database (another connection pool, as a
second process would have), for tests of concurrency and of what survives a restart.

PostgreSQL: the session's one throw-away server (`postgres_url`, tests/conftest.py), and a
schema of its own for each test: every test starts from an empty database, at the cost of a
CREATE SCHEMA.
"""

import uuid
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Protocol

import pytest

from bot.store import SQLiteStore, Store
from bot.store.postgres import PostgresStore


class OpenStore(Protocol):
    """Open another handle: another process (a process name of its own), or, given the name
    of one opened before, a restart of that process."""

    def __call__(self, process_name: str | None = None) -> Awaitable[Store]: ...


@pytest.fixture(params=["sqlite", "postgres"])
async def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenStore]:
    opened: list[Store] = []
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        schema = f"test_{uuid.uuid4().hex[:16]}"

    def engine(process_name: str) -> Store:
        if request.param == "sqlite":
            return SQLiteStore(tmp_path / "pitboard.sqlite3", process_name=process_name)
        return PostgresStore(url, schema=schema, process_name=process_name)

    async def open_another(process_name: str | None = None) -> Store:
        store = engine(process_name or f"process-{len(opened) + 1}")
        await store.open()
        opened.append(store)
        return store

    yield open_another
    for store in opened:
        await store.close()


@pytest.fixture
async def store(open_store: OpenStore) -> Store:
    return await open_store()


@pytest.fixture
def handles(two_stores: tuple[PostgresStore, PostgresStore]) -> tuple[PostgresStore, PostgresStore]:
    """Two processes' handles on one fresh PostgreSQL schema (tests/conftest.py's two_stores)."""
    return two_stores
