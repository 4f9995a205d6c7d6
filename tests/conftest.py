"""Fixtures every test directory may ask for by name.

PostgreSQL: `postgres_url` is one throw-away server for the whole test session
(tests/postgres_server.py), started when the first test asks for it, whichever directory that
test is in. Ask for it by name; never import it into a test module: pytest takes an imported
fixture for a new one of that module's own, and a session fixture defined again starts a
server again (the test `test_postgres_fixture.py` checks that). Without server binaries its
tests skip, saying so in the summary, on a developer's machine and fail in CI or with
PITBOARD_REQUIRE_POSTGRES=1. `two_stores` is two processes' stores on one fresh schema of it.
"""

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.store.postgres import PostgresStore
from tests.postgres_server import ServerUnavailable, start_server, unavailable

_not_started: list[str] = []  # why the PostgreSQL server could not start, for the summary


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    try:
        server = start_server()
    except ServerUnavailable as error:
        _not_started.append(str(error))
        unavailable(str(error))
        raise AssertionError("unreachable") from error  # unavailable() skips or fails
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
async def two_stores(postgres_url: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    """Two bot processes' stores ("one" and "two") on one fresh PostgreSQL schema of their own:
    what the engine shares between processes is seen from both sides."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    one = PostgresStore(postgres_url, schema=schema, process_name="one")
    two = PostgresStore(postgres_url, schema=schema, process_name="two")
    await one.open()
    await two.open()
    try:
        yield one, two
    finally:
        await one.close()
        await two.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """A skip is easy to miss among the dots: say it in the summary too."""
    if _not_started:
        terminalreporter.write_line(
            f"PostgreSQL tests were NOT run: {_not_started[0]}", yellow=True, bold=True
        )
