"""The PostgreSQL engine's leases on claimed deliveries (bot.store.leases): renewing an
owner's, taking back the expired ones, giving back this run's own at a graceful stop (and
telling the other processes, whose engines then claim them at once). Rows another
transaction holds are skipped (SKIP LOCKED): it is marking or taking them back itself, and
waiting for it could deadlock."""

from __future__ import annotations

from datetime import datetime

from bot.store.coordination import ENQUEUED
from bot.store.leases import previous_runs
from bot.store.postgres_base import Connection, PostgresBase, row_count
from bot.store.records import as_utc

__all__ = ["PENDING_IF_ACTIVE", "PostgresLeases"]

# A delivery may go back to PENDING only while its chat is active (the protocol's invariant).
PENDING_IF_ACTIVE = (
    "(SELECT CASE WHEN c.active THEN 'pending' ELSE 'skipped' END FROM chats c"
    " WHERE c.platform = deliveries.platform AND c.chat_id = deliveries.chat_id)"
)
_RENEW_LEASES = (
    "UPDATE deliveries SET lease_expires_at = $1 WHERE id IN (SELECT id FROM deliveries"
    " WHERE status = 'sending' AND lease_owner = $2 FOR UPDATE SKIP LOCKED)"
)
# Back to the queue, due when it was (so at once, as a rule), its attempts kept: expired
# leases, and those of this process's earlier runs ($2: what their owners start with), which
# are dead; never this run's own ($3), however late: a renewal can skip a row that another of
# its own transactions holds (SKIP LOCKED), so "renewed just before" is no guarantee.
_RECLAIM_EXPIRED = (
    f"UPDATE deliveries SET status = {PENDING_IF_ACTIVE}, lease_owner = NULL,"
    " lease_expires_at = NULL WHERE id IN (SELECT id FROM deliveries"
    " WHERE status = 'sending' AND coalesce(lease_owner, '') <> $3"
    "  AND (lease_expires_at <= $1 OR left(lease_owner, char_length($2)) = $2)"
    " FOR UPDATE SKIP LOCKED)"
)

# A graceful stop gives back what this run claimed and did not send (bot.store.protocol).
_RELEASE_OWN = (
    f"UPDATE deliveries SET status = {PENDING_IF_ACTIVE}, lease_owner = NULL,"
    " lease_expires_at = NULL WHERE id IN (SELECT id FROM deliveries"
    " WHERE status = 'sending' AND lease_owner = $1 FOR UPDATE)"
)
# The coordinators' channel (bot.store.postgres_coordination): sent with the commit, so the
# others hear of the deliveries once they can claim them.
_TELL_ENQUEUED = "SELECT pg_notify('pitboard.' || current_schema(), $1)"


class PostgresLeases(PostgresBase):
    async def reclaim_expired_leases(self, now: datetime) -> int:
        at = as_utc(now, "now")
        async with self._transaction() as conn:
            return row_count(await conn.execute(_RECLAIM_EXPIRED, *self._reclaim_params(at)))

    async def renew_leases(self, now: datetime) -> int:
        until = as_utc(now, "now") + self.lease
        async with self._transaction() as conn:
            return row_count(await conn.execute(_RENEW_LEASES, until, self.lease_owner))

    async def release_leases(self) -> int:
        async with self._transaction() as conn:
            released = row_count(await conn.execute(_RELEASE_OWN, self.lease_owner))
            if released:
                await conn.execute(_TELL_ENQUEUED, ENQUEUED)
        return released

    async def _renew_and_reclaim(self, conn: Connection, at: datetime) -> datetime:
        """Before a claim, in its transaction: renew this owner's leases, then take back the
        expired ones (never this owner's). Returns the new expiry, for the deliveries claimed
        next."""
        until = at + self.lease
        await conn.execute(_RENEW_LEASES, until, self.lease_owner)
        await conn.execute(_RECLAIM_EXPIRED, *self._reclaim_params(at))
        return until

    def _reclaim_params(self, at: datetime) -> tuple[datetime, str, str]:
        return at, previous_runs(self.lease_owner), self.lease_owner
