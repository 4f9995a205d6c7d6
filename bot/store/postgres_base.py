"""The PostgreSQL engine's foundation: a pool of connections, transactions and migrations.

asyncpg's pool: every transaction takes a connection of its own, so several run at once (the
server, not a lock in this process, keeps them apart), and a second process is just more
connections. Values always travel as parameters.

The database URL may hold a password: it is never logged nor put in an error message
(`redact_url`), and the error asyncpg raises, which might quote it, is not chained.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.store.leases import DEFAULT_LEASE, checked_lease, default_process, new_owner
from bot.store.migrations import Migration
from bot.store.postgres_migrations import POSTGRES_MIGRATIONS
from bot.store.protocol import SchemaTooNew, StoreError

__all__ = ["Connection", "PostgresBase", "is_postgres_url", "redact_url", "row_count", "to_json"]

# asyncpg ships no type information: its connections and records are Any to mypy. The engine
# keeps them inside its own modules and hands out only the store's records.
Connection = Any

_SCHEMES = ("postgresql", "postgres")
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Taken by the migrating transaction, per schema: processes starting together migrate once.
_MIGRATION_LOCK = "SELECT pg_advisory_xact_lock(hashtext('pitboard.migrate.' || current_schema()))"


def is_postgres_url(url: str) -> bool:
    return urlsplit(url).scheme in _SCHEMES


def redact_url(url: str) -> str:
    """The URL as it may be shown: the password (and any query, which may carry one) hidden."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        credentials, _, host = netloc.rpartition("@")
        user = credentials.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in credentials else f"{user}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, "***" if parts.query else "", ""))


def url_password(url: str) -> str | None:
    """The password in the URL, for the log's scrubbing (bot.logsafe)."""
    try:
        return urlsplit(url).password or None
    except ValueError:
        return None


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def row_count(status: str) -> int:
    """How many rows a statement changed, from asyncpg's status text ("UPDATE 3")."""
    count = status.rsplit(" ", 1)[-1]
    return int(count) if count.isdigit() else 0


class PostgresBase:
    """Pool, lifecycle and migrations; the tables' methods live in the subclasses.

    `schema`: keep the tables in that schema (created if missing) instead of the connection's
    default one; the tests give each test a schema of its own. `process_name` (host and pid by
    default) and `lease`: this handle's claims (bot.store.leases)."""

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        auto_migrate: bool = True,
        migrations: Sequence[Migration] = POSTGRES_MIGRATIONS,
        pool_size: int = 4,
        process_name: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        if not is_postgres_url(url):
            raise ValueError(f"not a postgresql:// URL: {redact_url(url)}")
        if [m.version for m in migrations] != list(range(1, len(migrations) + 1)):
            raise ValueError("migrations must be numbered 1, 2, 3, ... in order")
        if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"a schema name is lower-case letters, digits and _: {schema!r}")
        self._url = url
        self._schema = schema
        self._auto_migrate = auto_migrate
        self._migrations = tuple(migrations)
        self._pool_size = max(2, pool_size)
        self._pool: Any = None
        self.lease_owner = new_owner(process_name or default_process())
        self.lease = checked_lease(lease)

    def __repr__(self) -> str:
        return f"PostgresStore({redact_url(self._url)!r}, schema={self._schema!r})"

    # --- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        if self._pool is not None:
            return
        settings = {"search_path": self._schema} if self._schema else None
        try:
            self._pool = await asyncpg.create_pool(
                self._url, min_size=1, max_size=self._pool_size, server_settings=settings
            )
            if self._schema:
                # Under a lock: two CREATE SCHEMA IF NOT EXISTS at once can both try to create
                # it, and one then fails (processes starting together).
                async with self._pool.acquire() as conn, conn.transaction():
                    await conn.execute(
                        "SELECT pg_advisory_xact_lock(hashtext('pitboard.schema.' || $1))",
                        self._schema,
                    )
                    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self._schema}")
        except (OSError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            await self.close()
            # Not chained: asyncpg's own message may quote the URL it was given.
            reason = type(error).__name__ if _quotes_url(error, self._url) else str(error)
            raise StoreError(
                f"cannot open the database {redact_url(self._url)}: {reason}"
            ) from None
        if self._auto_migrate:
            try:
                await self.migrate()
            except BaseException:
                await self.close()
                raise

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def migrate(self) -> int:
        known = len(self._migrations)
        async with self._transaction() as conn:
            await conn.execute(_MIGRATION_LOCK)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
                " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            if (current := await self._version(conn)) > known:
                raise SchemaTooNew(current, known)
        applied = 0
        for migration in self._migrations:
            async with self._transaction() as conn:
                await conn.execute(_MIGRATION_LOCK)
                # Read again under the lock: another process may have migrated meanwhile.
                if await self._version(conn) >= migration.version:
                    continue
                for statement in migration.statements:
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_version (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.name,
                )
                applied += 1
        return applied

    async def schema_version(self) -> int:
        async with self._connection() as conn:
            return await self._version(conn)

    def begin_run(self) -> str:
        self.lease_owner = new_owner(self.lease_owner.rsplit("/", 1)[0])
        return self.lease_owner

    # --- plumbing --------------------------------------------------------------------------

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Connection]:
        if self._pool is None:
            raise StoreError("the store is not open")
        async with self._pool.acquire() as conn:
            yield conn

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Connection]:
        """One transaction on a connection of its own; rolled back if anything escapes."""
        async with self._connection() as conn, conn.transaction():
            yield conn

    async def _fetch(self, sql: str, *params: Any) -> list[Any]:
        async with self._connection() as conn:
            return list(await conn.fetch(sql, *params))

    @staticmethod
    async def _version(conn: Connection) -> int:
        exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
        if not exists:
            return 0
        return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))


def _quotes_url(error: BaseException, url: str) -> bool:
    text = str(error)
    password = url_password(url)
    return url in text or (password is not None and password in text)
