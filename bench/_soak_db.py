"""The soak's database: a SQLite file (the default) or, with `--database postgresql://...`, a
schema of its own on that PostgreSQL server, made for the run and dropped after it.

The benchmark reads the bot's tables directly (what is due, what is in flight at a kill, the
ledger's labels): `rows()` runs the same SQL on either engine, written in the subset both
understand, and `decoded_list` / `micros` even out the two engines' types (JSON text vs
arrays, integer microseconds vs timestamps).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.store.postgres import PostgresStore
from bot.store.protocol import Store
from bot.store.sqlite import SQLiteStore

__all__ = ["SoakDatabase", "decoded_list", "micros"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def decoded_list(value: Any) -> list[Any]:
    """A stored list: JSON text in SQLite, an array in PostgreSQL."""
    return list(json.loads(value) if isinstance(value, str) else value)


def micros(value: Any) -> int:
    """A stored instant as microseconds since 1970: SQLite stores those, PostgreSQL a time."""
    if isinstance(value, datetime):
        return (value - _EPOCH) // (datetime.resolution)
    return int(value)


@dataclass(frozen=True)
class SoakDatabase:
    file: Path
    url: str | None = None  # the PostgreSQL server's URL as given, without a schema
    schema: str = ""

    @classmethod
    def for_run(cls, folder: Path, url: str | None) -> SoakDatabase:
        if url is None:
            return cls(folder / "soak.sqlite3")
        return cls(folder / "soak.sqlite3", url, f"soak_{uuid.uuid4().hex[:12]}")

    @property
    def engine(self) -> str:
        return "sqlite" if self.url is None else "postgresql"

    def store(self) -> Store:
        if self.url is None:
            return SQLiteStore(self.file)
        return PostgresStore(self.url, schema=self.schema)

    @property
    def bot_argument(self) -> str:
        """What the bot's --database is given: the file, or the URL with the soak's schema
        (asyncpg passes query parameters it does not know to the server as settings)."""
        if self.url is None:
            return str(self.file)
        parts = urlsplit(self.url)
        query = "&".join(q for q in (parts.query, f"search_path={self.schema}") if q)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Read-only rows; the same SQL on either engine."""
        if self.url is None:
            uri = f"file:{self.file}?mode=ro"
            with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
                return conn.execute(sql).fetchall()
        return self._on_postgres(self._fetch(sql))

    def drop(self) -> None:
        """Remove the run's schema (PostgreSQL); the SQLite file goes with its folder."""
        if self.url is not None:
            self._on_postgres(self._execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))

    async def _fetch(self, sql: str) -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(self.url, server_settings={"search_path": self.schema})
        try:
            return [tuple(row) for row in await conn.fetch(sql)]
        finally:
            await conn.close()

    async def _execute(self, sql: str) -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(sql)
            return []
        finally:
            await conn.close()

    @staticmethod
    def _on_postgres(work: Any) -> list[tuple[Any, ...]]:
        # The soak's reads are synchronous (called between the bot's moves); asyncpg is not:
        # each read runs on an event loop of its own, in a thread.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, work).result()
