"""`pitboard run` on PostgreSQL, as an operator starts it: DATABASE_URL names the database, the
bot keeps its chats there (not in the SQLite file), and the URL's password is never logged."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bot.frontends.console.sender import CONSOLE_CHAT
from bot.store.postgres import PostgresStore

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "n0t-in-the-Log"  # the test server trusts loopback logins: any password passes


def in_schema(url: str, schema: str, password: str | None = None) -> str:
    parts = urlsplit(url)
    user, _, host = parts.netloc.partition("@")
    login = user if password is None else f"{user}:{password}"
    # asyncpg hands query parameters it does not know to the server as settings.
    return urlunsplit((parts.scheme, f"{login}@{host}", parts.path, f"search_path={schema}", ""))


def run_bot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input="/next\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(env or {})},
    )


async def test_the_terminal_bot_keeps_its_chat_in_postgresql(
    postgres_url: str, tmp_path: Path
) -> None:
    schema = f"test_{uuid.uuid4().hex[:16]}"
    async with PostgresStore(postgres_url, schema=schema):
        pass  # the schema exists, empty but migrated
    sqlite_file = tmp_path / "data" / "pitboard.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(f'[general]\ndatabase = "{sqlite_file}"\n', encoding="utf-8")
    done = await asyncio.to_thread(
        run_bot,
        *("--config", str(config), "run", "--log-level", "debug"),
        env={"DATABASE_URL": in_schema(postgres_url, schema, PASSWORD)},
    )
    assert done.returncode == 0, done.stderr
    async with PostgresStore(postgres_url, schema=schema) as store:
        assert await store.get_chat(CONSOLE_CHAT) is not None
    assert not sqlite_file.exists()
    log = (tmp_path / "data" / "pitboard.log").read_text()
    assert "delivery started: console" in log
    assert PASSWORD not in log + done.stdout + done.stderr


async def test_a_replay_runs_on_the_postgresql_database_given_on_the_command_line(
    postgres_url: str, tmp_path: Path
) -> None:
    schema = f"test_{uuid.uuid4().hex[:16]}"
    async with PostgresStore(postgres_url, schema=schema):
        pass
    config = tmp_path / "config.toml"
    config.write_text(f'[general]\ndatabase = "{tmp_path / "unused.sqlite3"}"\n')
    url = in_schema(postgres_url, schema)
    done = await asyncio.to_thread(
        run_bot,
        *("--config", str(config), "run", "--database", url),
        *("--at", "2022-05-13T10:00:00+02:00", "--until", "2022-05-13T10:00:01+02:00"),
    )
    assert done.returncode == 0, done.stderr
    async with PostgresStore(postgres_url, schema=schema) as store:
        assert await store.get_chat(CONSOLE_CHAT) is not None
    assert not (tmp_path / "unused.sqlite3").exists()


def test_a_password_on_the_command_line_is_refused_without_showing_it() -> None:
    done = run_bot("run", "--database", f"postgresql://bot:{PASSWORD}@127.0.0.1/pitboard")
    assert done.returncode == 2
    assert "PGPASSWORD" in done.stderr and PASSWORD not in done.stderr + done.stdout
