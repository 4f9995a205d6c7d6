"""The SQLite engine's leases on claimed deliveries (bot.store.leases): renewing an owner's,
taking back the expired ones, giving back this run's own at a graceful stop."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from bot.store.leases import previous_runs
from bot.store.sqlite_base import SQLiteBase, micros

__all__ = ["PENDING_IF_ACTIVE", "SQLiteLeases"]

# A delivery may go back to PENDING only while its chat is active (the protocol's invariant).
PENDING_IF_ACTIVE = (
    "CASE (SELECT active FROM chats c"
    " WHERE c.platform = deliveries.platform AND c.chat_id = deliveries.chat_id)"
    " WHEN 1 THEN 'pending' ELSE 'skipped' END"
)
_RENEW_LEASES = (
    "UPDATE deliveries SET lease_expires_at = ? WHERE status = 'sending' AND lease_owner = ?"
)
# Back to the queue, due when it was (so at once, as a rule), its attempts kept: expired
# leases, and those of this process's earlier runs (?2: what their owners start with), which
# are dead; never this run's own (?3), which it is working on, however late.
_RECLAIM_EXPIRED = (
    f"UPDATE deliveries SET status = {PENDING_IF_ACTIVE}, lease_owner = NULL,"
    " lease_expires_at = NULL WHERE status = 'sending' AND coalesce(lease_owner, '') <> ?3"
    " AND (lease_expires_at <= ?1 OR substr(lease_owner, 1, length(?2)) = ?2)"
)

# A graceful stop gives back what this run claimed and did not send (bot.store.protocol).
_RELEASE_OWN = (
    f"UPDATE deliveries SET status = {PENDING_IF_ACTIVE}, lease_owner = NULL,"
    " lease_expires_at = NULL WHERE status = 'sending' AND lease_owner = ?"
)

_HOLDS_ANY = "SELECT 1 FROM deliveries WHERE status = 'sending' AND lease_owner = ? LIMIT 1"


class SQLiteLeases(SQLiteBase):
    async def reclaim_expired_leases(self, now: datetime) -> int:
        at = micros(now, "now")
        async with self._write() as conn:
            cursor = await conn.execute(_RECLAIM_EXPIRED, self._reclaim_params(at))
            return cursor.rowcount

    async def renew_leases(self, now: datetime) -> int:
        until = micros(now, "now") + self._lease_micros()
        async with self._write() as conn:
            cursor = await conn.execute(_RENEW_LEASES, (until, self.lease_owner))
            return cursor.rowcount

    async def release_leases(self) -> int:
        # Read first: a stop with nothing left over (the rule) writes nothing.
        if not await self._fetch(_HOLDS_ANY, (self.lease_owner,)):
            return 0
        async with self._write() as conn:
            cursor = await conn.execute(_RELEASE_OWN, (self.lease_owner,))
            return cursor.rowcount

    async def _renew_and_reclaim(self, conn: aiosqlite.Connection, at: int) -> int:
        """Before a claim, in its transaction: renew this owner's leases, then take back the
        expired ones (never this owner's). Returns the new expiry, for the deliveries claimed
        next."""
        until = at + self._lease_micros()
        await conn.execute(_RENEW_LEASES, (until, self.lease_owner))
        await conn.execute(_RECLAIM_EXPIRED, self._reclaim_params(at))
        return until

    def _reclaim_params(self, at: int) -> tuple[int, str, str]:
        return at, previous_runs(self.lease_owner), self.lease_owner

    def _lease_micros(self) -> int:
        return self.lease // timedelta(microseconds=1)
