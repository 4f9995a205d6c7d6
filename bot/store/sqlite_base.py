"""The SQLite engine's foundation: one connection, its lock, transactions and migrations.

One aiosqlite connection per process, and an asyncio lock around every use of it: aiosqlite runs
statements in order on its own thread, but a transaction spans several awaits, and a statement
from another task landing in the middle of it would commit or roll back with it. Writers begin
with BEGIN IMMEDIATE, which takes SQLite's write lock up front: a second process then waits for
it (busy_timeout) instead of failing halfway when its read snapshot turns out stale.

Values always travel as parameters; the only SQL assembled at run time chooses between fixed
fragments, never from data.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

import aiosqlite

from bot.store.leases import DEFAULT_LEASE, SQLITE_PROCESS, checked_lease, new_owner
from bot.store.migrations import MIGRATIONS, Migration
from bot.store.protocol import SchemaTooNew, StoreError
from bot.store.records import as_utc
from bot.store.sqlite_files import prepare_file

__all__ = ["Row", "SQLiteBase", "fetch_all", "instant", "is_file_path", "micros", "to_json"]

Row = tuple[Any, ...]

# WAL: readers never block the writer nor the writer them, so /status can read while a fan-out
# writes. synchronous=NORMAL: in WAL mode a commit is in the operating system's hands when it
# returns, so it survives the process being killed (SIGKILL, OOM, a crash), which is what the
# outbox must survive; only an OS crash or power loss can lose the last commits, never
# corrupt the file. FULL would fsync every commit, i.e. every mark_sent of a 10,000-chat
# fan-out. foreign_keys is off by default in SQLite and per connection, so it is set here.
# busy_timeout: wait up to 5 s for another process's write lock instead of failing at once.
# wal_autocheckpoint (SQLiteBase.autocheckpoint_pages, SQLite's default) is set on open too,
# because a long series of writes suspends it (`_checkpoints_deferred`).
# Pages are cached per connection at SQLite's default (2 MiB): a bigger cache bought no clear
# speed in bench/fanout.py's runs and cost its size in resident memory (rss_100k_mib).
_PRAGMAS = (
    "PRAGMA busy_timeout = 5000",
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
)

log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


async def _execute_retrying_lock(conn: aiosqlite.Connection, sql: str) -> None:
    """Run a PRAGMA, retrying while another process holds the lock.

    Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is
    locked" at once instead of calling the busy handler when several processes start
    together; busy_timeout alone does not cover it.
    """
    for attempt in range(100):
        try:
            await conn.execute(sql)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == 99:
                raise
            await asyncio.sleep(0.05)


def _checkpoint_file(path: Path) -> None:
    """Copy the write-ahead log into the database (PASSIVE: without waiting for anyone, what
    readers still need stays in the log for a later checkpoint). A failure loses nothing: the
    log stays and the next automatic checkpoint copies it."""
    try:
        conn = sqlite3.connect(path, timeout=5.0)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()
    except sqlite3.Error as error:
        log.warning("checkpoint after a long write failed (the next one will do): %s", error)


def is_file_path(path: str | Path) -> bool:
    """A path on disk, not ":memory:" nor a "file:" URI (which SQLite opens its own way)."""
    text = str(path)
    return text != ":memory:" and text != "" and not text.startswith("file:")


def micros(moment: datetime, what: str = "time") -> int:
    return (as_utc(moment, what) - _EPOCH) // _MICROSECOND


def instant(stored: int) -> datetime:
    return _EPOCH + stored * _MICROSECOND


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def fetch_all(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> list[Row]:
    # The default row factory yields plain tuples; aiosqlite merely types them as sqlite3.Row.
    return cast(list[Row], await conn.execute_fetchall(sql, tuple(params)))


class SQLiteBase:
    """Connection, lifecycle and migrations; the tables' methods live in the subclasses.
    `auto_migrate=False` opens without touching the schema (to report its version first);
    `migrations` is for tests of the mechanism. `process_name` and `lease`: this handle's claims
    (bot.store.leases)."""

    # The log's length, in pages, at which a commit copies it into the database (SQLite's
    # default; a class attribute so that a test can make it small).
    autocheckpoint_pages = 1000

    def __init__(
        self,
        path: str | Path,
        *,
        auto_migrate: bool = True,
        migrations: Sequence[Migration] = MIGRATIONS,
        new_database: bool = False,
        process_name: str = SQLITE_PROCESS,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        if [m.version for m in migrations] != list(range(1, len(migrations) + 1)):
            raise ValueError("migrations must be numbered 1, 2, 3, ... in order")
        self._path = path
        self._auto_migrate = auto_migrate
        self._migrations = tuple(migrations)
        self._new_database = new_database
        self.lease_owner = new_owner(process_name)
        self.lease = checked_lease(lease)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._long_writes = 0  # writes running with the automatic checkpoint suspended
        self._checkpoint: asyncio.Task[None] | None = None  # the one run after them

    # --- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        if self._conn is not None:
            return
        if is_file_path(self._path):
            path = Path(self._path)
            await asyncio.to_thread(prepare_file, path, new_database=self._new_database)
        try:
            self._conn = await aiosqlite.connect(self._path, isolation_level=None)
            for pragma in _PRAGMAS:
                await _execute_retrying_lock(self._conn, pragma)
            await self._conn.execute(
                f"PRAGMA wal_autocheckpoint = {int(self.autocheckpoint_pages)}"
            )
        except sqlite3.Error as error:
            await self.close()
            raise StoreError(f"cannot open the database {self._path}: {error}") from error
        if self._auto_migrate:
            try:
                await self.migrate()
            except BaseException:
                await self.close()
                raise

    async def close(self) -> None:
        checkpoint, self._checkpoint = self._checkpoint, None
        if checkpoint is not None:
            await checkpoint
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

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
        async with self._lock:
            conn = self._connection()
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                # For people reading the file; no code reads it, so it may use SQLite's clock.
                " applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )
            if (current := await self._version(conn)) > known:
                raise SchemaTooNew(current, known)
        applied = 0
        for migration in self._migrations:
            async with self._write() as conn:
                # Read again inside the write transaction: another process may be migrating.
                if await self._version(conn) >= migration.version:
                    continue
                for statement in migration.statements:
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                    (migration.version, migration.name),
                )
                applied += 1
        return applied

    async def schema_version(self) -> int:
        async with self._lock:
            return await self._version(self._connection())

    def begin_run(self) -> str:
        self.lease_owner = new_owner(self.lease_owner.rsplit("/", 1)[0])
        return self.lease_owner

    # --- plumbing --------------------------------------------------------------------------

    def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StoreError("the store is not open")
        return self._conn

    @asynccontextmanager
    async def _write(
        self, *, foreign_keys_checked_by_caller: bool = False
    ) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction, holding the lock; rolled back if anything escapes.

        `foreign_keys_checked_by_caller`: with SQLite's foreign key checks off, for statements
        that make the same checks themselves, once rather than per row (an announcement's
        chunks: the chat's row is read by the statement, or vouched for by the audience in
        memory, and the outbox row is looked up once); on again before anything else uses the
        connection. The pragma is a no-op inside a transaction, so it is set around it, under
        the lock. Setting it also makes SQLite prepare again the statements it had prepared (a
        few, once per chunk: some tens of microseconds)."""
        async with self._lock:
            conn = self._connection()
            try:
                # BEGIN inside the try: a task cancelled while BEGIN is queued (the delivery
                # engine stopping mid-claim) must still roll it back, or the connection stays
                # in a transaction and every later write fails. The soak's graceful stops
                # found this: sends went out but could not be recorded, and were repeated.
                if foreign_keys_checked_by_caller:
                    # One script, so one trip to the database's thread rather than two (it
                    # runs no COMMIT first: none is open).
                    await conn.executescript("PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE")
                else:
                    await conn.execute("BEGIN IMMEDIATE")
                yield conn
                await conn.execute("COMMIT")
            except BaseException:
                # Shielded: aiosqlite runs statements in order on its own thread, so this
                # ROLLBACK lands after a BEGIN that a cancellation left queued. Some errors
                # (a full disk, say) make SQLite roll back by itself: "no transaction".
                with suppress(sqlite3.OperationalError, asyncio.CancelledError):
                    await asyncio.shield(conn.execute("ROLLBACK"))
                raise
            finally:
                if foreign_keys_checked_by_caller:
                    # Shielded, as the ROLLBACK: it runs even if this task is cancelled, and
                    # before any statement queued after it (aiosqlite runs them in order).
                    await asyncio.shield(conn.execute("PRAGMA foreign_keys = ON"))

    @asynccontextmanager
    async def _checkpoints_deferred(self) -> AsyncIterator[None]:
        """Suspend SQLite's automatic checkpoint while a long series of writes runs (an
        announcement's 200 chunks), and checkpoint once it is done, from a connection of its own.

        The automatic checkpoint runs inside whichever commit takes the log past 1,000 pages:
        in the middle of an enqueue, that commit copied the log into the database while the
        store was held, and a fan's command waited for it (bench/fanout.py's p99 outliers).
        A checkpoint on another connection holds no lock this connection needs (WAL lets
        readers and the writer go on meanwhile), so commands are answered while it runs.
        Nothing is less durable: the log is the database until it is checkpointed."""
        if not is_file_path(self._path):
            yield
            return
        if self._long_writes == 0:
            await self._set_autocheckpoint(0)
        self._long_writes += 1
        try:
            yield
        finally:
            self._long_writes -= 1
            if self._long_writes == 0:
                # Shielded: a cancelled enqueue must not leave the checkpoint suspended.
                await asyncio.shield(self._resume_checkpoints())

    async def checkpoint_settled(self) -> None:
        """Wait for the checkpoint that follows a long write, if one is running (for benches
        and tests: nothing needs it done)."""
        if self._checkpoint is not None:
            await self._checkpoint

    async def _resume_checkpoints(self) -> None:
        await self._set_autocheckpoint(self.autocheckpoint_pages)
        if self._checkpoint is None or self._checkpoint.done():
            self._checkpoint = asyncio.create_task(
                asyncio.to_thread(_checkpoint_file, Path(self._path))
            )

    async def _set_autocheckpoint(self, pages: int) -> None:
        async with self._lock:
            if self._conn is not None:
                await self._conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")

    async def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        async with self._lock:
            return await fetch_all(self._connection(), sql, params)

    @staticmethod
    async def _version(conn: aiosqlite.Connection) -> int:
        rows = await fetch_all(
            conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'", ()
        )
        if not rows:
            return 0
        rows = await fetch_all(conn, "SELECT coalesce(max(version), 0) FROM schema_version", ())
        return int(rows[0][0])
