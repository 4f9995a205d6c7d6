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


def with_password(url: str, schema: str) -> str:
    parts = urlsplit(url)
    user, _, host = parts.netloc.partition("@")
    # asyncpg hands query parameters it does not know to the server as settings.
    return urlunsplit(
        (parts.scheme, f"{user}:{PASSWORD}@{host}", parts.path, f"search_path={schema}", "")
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
        subprocess.run,
        [sys.executable, "-m", "bot", "--config", str(config), "run", "--log-level", "debug"],
        input="/next\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "NO_COLOR": "1",
            "DATABASE_URL": with_password(postgres_url, schema),
        },
    )
    assert done.returncode == 0, done.stderr
    async with PostgresStore(postgres_url, schema=schema) as store:
        assert await store.get_chat(CONSOLE_CHAT) is not None
    assert not sqlite_file.exists()
    log = (tmp_path / "data" / "pitboard.log").read_text()
    assert "delivery started: console" in log
    assert PASSWORD not in log + done.stdout + done.stderr
