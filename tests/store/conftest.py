"""Store fixtures: every contract test runs once per engine.

`open_store()` opens another handle on the same database (another connection, as a second
process would have), for tests of concurrency and of what survives a restart.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.store import SQLiteStore, Store

OpenStore = Callable[[], Awaitable[Store]]


def _engine(name: str, tmp_path: Path) -> Store:
    if name == "sqlite":
        return SQLiteStore(tmp_path / "pitboard.sqlite3")
    # PostgreSQL plugs in here: add "postgres" to the params below and return, for example,
    # PostgresStore(dsn=os.environ["PITBOARD_TEST_DSN"], schema=f"test_{tmp_path.name}"):
    # a schema of its own per test, so that tests stay independent.
    raise AssertionError(f"no engine {name}")


@pytest.fixture(params=["sqlite"])
async def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenStore]:
    opened: list[Store] = []

    async def open_another() -> Store:
        store = _engine(request.param, tmp_path)
        await store.open()
        opened.append(store)
        return store

    yield open_another
    for store in opened:
        await store.close()


@pytest.fixture
async def store(open_store: OpenStore) -> Store:
    return await open_store()
