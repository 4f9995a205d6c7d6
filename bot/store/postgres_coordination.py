"""`PostgresCoordinator`: the planning leader and signals between processes, on PostgreSQL.

Leadership is a session-level advisory lock (`pg_try_advisory_lock`) held on a connection of
its own, outside the store's pool: the server lets go of it the moment that connection ends,
so a leader killed with SIGKILL (or cut off from the server) stops leading without anyone's
help and the next standby's try takes over. The key is per schema, like the tables, so
databases in separate schemas (the tests, the soak) elect separately.

Signals are LISTEN/NOTIFY on the same connection, on a channel per schema. A process hears its
own notifications too; they are filtered out by the sending backend's pid. A notification sent
while a process was disconnected is lost to it: that is why the delivery engine keeps a slow
fallback poll (bot.delivery.feeder) and every reconnect listens again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from bot.store.coordination import Listener, Signal

__all__ = ["PostgresCoordinator"]

log = logging.getLogger("pitboard.store")

_LOCK_KEY = "hashtext('pitboard.leader.' || current_schema())"
_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, asyncio.TimeoutError)


class PostgresCoordinator:
    def __init__(self, url: str, *, schema: str | None = None, topic: str = "") -> None:
        self._url = url
        self._schema = schema
        # A topic of its own: another conversation on a channel of its own (the webhook
        # workers' relay, bot.store.postgres_relay), which the planning processes never hear.
        self._topic = f"{topic}." if topic else ""
        self._conn: Any = None
        self._channel = ""
        self._pid = 0
        self._leading = False
        self._listeners: list[Listener] = []
        # One query at a time on the one connection (asyncpg refuses overlapping ones).
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"PostgresCoordinator(schema={self._schema!r})"  # never the URL: a password

    async def open(self) -> None:
        async with self._lock:
            await self._connect()

    async def close(self) -> None:
        async with self._lock:
            conn, self._conn = self._conn, None
            self._leading = False
            if conn is not None and not conn.is_closed():
                with contextlib.suppress(*_ERRORS):
                    await conn.close(timeout=5)

    async def try_lead(self) -> bool:
        async with self._lock:
            if self._leading and self._alive():
                return True
            self._leading = False
            try:
                if not self._alive():
                    await self._connect()
                self._leading = bool(
                    await self._conn.fetchval(f"SELECT pg_try_advisory_lock({_LOCK_KEY})")
                )
            except _ERRORS as error:
                log.warning("cannot reach the database to take the lead: %s", type(error).__name__)
                self._leading = False
            return self._leading

    def leading(self) -> bool:
        if self._leading and not self._alive():
            self._leading = False
            log.warning("lost the connection that held the planning leadership")
        return self._leading

    async def signal(self, signal: Signal) -> None:
        async with self._lock:
            if not self._alive():
                return
            try:
                await self._conn.execute("SELECT pg_notify($1, $2)", self._channel, signal)
            except _ERRORS as error:
                log.warning("could not signal %s: %s", signal, type(error).__name__)

    @property
    def server_pid(self) -> int:
        """The server process of this coordinator's connection (0 before it connects)."""
        return self._pid

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def keep_listening(self) -> bool:
        """Connect again if the connection was lost (a notification sent meanwhile was lost
        with it); False while the server cannot be reached."""
        async with self._lock:
            if not self._alive():
                await self._connect()
            return self._alive()

    # --- plumbing --------------------------------------------------------------------------

    def _alive(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    async def _connect(self) -> None:
        settings = {"search_path": self._schema} if self._schema else None
        try:
            conn = await asyncpg.connect(self._url, server_settings=settings, timeout=30)
        except _ERRORS as error:
            # Not the error's text: asyncpg's message may quote the URL.
            log.warning("cannot connect for coordination: %s", type(error).__name__)
            return
        self._conn = conn
        self._pid = conn.get_server_pid()
        schema = await conn.fetchval("SELECT current_schema()")
        self._channel = f"pitboard.{self._topic}{schema}"
        await conn.add_listener(self._channel, self._heard)

    def _heard(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        if pid == self._pid:
            return  # our own notification
        for listener in self._listeners:
            try:
                listener(payload)
            except Exception:
                log.exception("a listener failed on the %r signal", payload)
