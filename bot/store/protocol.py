"""The `Store` protocol: everything Pitboard keeps between runs, whatever the engine.

Engines: `SQLiteStore` (embedded, the default) and `PostgresStore` (bot.store.postgres), for
deployments with several processes. Both pass the same contract suite (tests/store/).

Times go in and come out timezone-aware (UTC out); a naive datetime raises ValueError. The store
never reads the clock itself: whoever calls it passes "now".

Errors, all in one place:

    StoreError            base
    ├── UnknownChat       (also a LookupError) a chat the operation needs is not stored
    ├── UnknownDelivery   (also a LookupError) no delivery has that id
    ├── EditIdTaken       an edit was recorded under that id meanwhile (another process)
    └── SchemaTooNew      the database was written by a newer Pitboard than this one

Invariants every engine keeps, which the delivery engine relies on:

- An announcement key is enqueued at most once, with all its deliveries or none.
- A delivery is claimed by one worker at a time, under a lease: the claiming store handle
  (one per process; its `lease_owner`, chosen at start) holds it until the lease expires, and
  every claim it makes, or `renew_leases`, moves the expiry of all it holds on. Only a lease
  that expired (its process died mid-send, or stalled past the lease), or one of an earlier
  run of the same process (by its process name: that run is dead), is taken back
  (`reclaim_expired_leases`, and every claim), so one process restarting never resends
  another's sends, and a delivery is sent a second time at most once per take-back. For a post
  of several messages that second send is of the one message in flight: the messages
  recorded by `mark_part_sent` are not sent again.
- No PENDING delivery belongs to an inactive chat: deactivating a chat skips its pending
  deliveries, and deliveries enqueued for an inactive chat start out SKIPPED.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from bot.core.audience import Chat, ChatRef, Subscription
from bot.store.marks import DeliveryMark
from bot.store.records import (
    Backlog,
    Delivery,
    DeliveryStatus,
    EditRecord,
    OutboxItem,
    RecentError,
)

__all__ = ["EditIdTaken", "SchemaTooNew", "Store", "StoreError", "UnknownChat", "UnknownDelivery"]


class StoreError(Exception):
    """Base class of the store's own errors."""


class UnknownChat(StoreError, LookupError):
    def __init__(self, refs: Sequence[ChatRef]) -> None:
        shown = ", ".join(str(ref) for ref in refs[:5])
        more = f" and {len(refs) - 5} more" if len(refs) > 5 else ""
        super().__init__(f"no such chat: {shown}{more}")
        self.refs = tuple(refs)


class UnknownDelivery(StoreError, LookupError):
    def __init__(self, delivery_id: int) -> None:
        super().__init__(f"no delivery with id {delivery_id}")
        self.delivery_id = delivery_id


class EditIdTaken(StoreError):
    def __init__(self, edit_id: int) -> None:
        super().__init__(f"edit id {edit_id} is already taken")
        self.edit_id = edit_id


class SchemaTooNew(StoreError):
    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"the database is at schema version {found}, but this Pitboard knows only up to "
            f"{known}: run the newer Pitboard, or restore a backup"
        )
        self.found = found
        self.known = known


class Store(Protocol):
    # --- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect, and bring the schema up to date (engines may offer to skip that)."""
        ...

    async def close(self) -> None:
        """Disconnect. Safe to call twice."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def migrate(self) -> int:
        """Apply the migrations the database lacks, in order, each in its own transaction.
        Returns how many were applied: 0 when the schema was already current."""
        ...

    async def schema_version(self) -> int:
        """The number of the last migration applied; 0 for an empty database."""
        ...

    # --- chats -----------------------------------------------------------------------------

    async def upsert_chat(self, chat: Chat) -> None:
        """Insert the chat or replace all its settings (`active` included)."""
        ...

    async def get_chat(self, ref: ChatRef) -> Chat | None: ...

    async def set_active(self, ref: ChatRef, active: bool, reason: str | None = None) -> None:
        """Deactivating also SKIPS the chat's pending deliveries (recording `reason`);
        reactivating does not bring them back. Raises UnknownChat."""
        ...

    async def rewrite_chat(self, old: ChatRef, new: ChatRef) -> None:
        """The chat now lives at `new` (a Telegram group became a supergroup): its row,
        settings, subscription and deliveries (sent ones too, as history) move there in one
        transaction. Calling it again is a no-op; raises UnknownChat when neither is stored.

        If `new` is stored already, it takes `old`'s settings but keeps its own subscription
        if it has one (a fresher choice). An announcement both ids have is not sent twice:
        `old`'s delivery of it stays behind, skipped, on an inactive `old` row that is kept
        only while such deliveries refer to it; a send of it in flight is then not retried."""
        ...

    async def chats(self, *, platform: str | None = None, active_only: bool = True) -> list[Chat]:
        """Ordered by platform, then id."""
        ...

    async def count_chats(self, *, active_only: bool = True) -> int: ...

    # --- subscriptions ---------------------------------------------------------------------

    async def set_subscription(self, sub: Subscription) -> None:
        """Replace the chat's one subscription, creating a default chat if it has none."""
        ...

    async def set_subscriptions(self, subs: Sequence[Subscription]) -> None:
        """`set_subscription` for each, in order (a chat given twice ends with its last one),
        written in batches: each batch applies wholly or not at all, and commands are
        answered between batches. For imports and restores of many subscriptions."""
        ...

    async def get_subscription(self, ref: ChatRef) -> Subscription | None: ...

    async def remove_subscription(self, ref: ChatRef) -> bool:
        """True if there was one to remove."""
        ...

    async def audience(self) -> list[tuple[Chat, Subscription]]:
        """Every active chat that has a subscription, ordered by chat. Engines may keep it in
        memory, kept true by their own writes, instead of reading it per call."""
        ...

    def audience_subscription(self, ref: ChatRef) -> Subscription | None:
        """The chat's subscription as of the last `audience()` and every change since, without
        a query (composing a post cannot await): None for a chat not in the audience, or
        before the first `audience()` call."""
        ...

    # --- outbox ----------------------------------------------------------------------------

    async def enqueue(
        self,
        item: OutboxItem,
        recipients: Sequence[ChatRef],
        *,
        priority: int = 0,
        on_first_chunk: Callable[[], None] | None = None,
    ) -> bool:
        """Record the announcement and one delivery per recipient (PENDING, due at
        item.due_at; SKIPPED for an inactive chat). Returns False and writes nothing when the
        key is already stored complete. No recipients still records the key. Repeated
        recipients count once. Raises UnknownChat, writing nothing, when a recipient is not
        stored; TypeError when the payload is not JSON-able.

        Many recipients are written in chunks, a transaction each, so that other callers are
        served in between; until the last chunk is in, the key is listed by
        `unfinished_announcements`. Enqueueing the same key again (after an interruption)
        writes the deliveries still missing and completes it: each recipient gets exactly
        one delivery whatever was interrupted where. A recipient that moves to a new id
        while its chunk waits is skipped (its moved deliveries follow it).

        `on_first_chunk`: called once the first chunk is committed when more follow, so that
        its deliveries can go out while the rest are written (a delivery engine woken then
        sends the first post of a 100,000-chat announcement within a chunk's time, not after
        the whole enqueue)."""
        ...

    async def unfinished_announcements(self) -> list[OutboxItem]:
        """Announcements whose deliveries were not all written (an enqueue interrupted by a
        crash or a failed write), earliest due first: enqueue each again to finish it."""
        ...

    async def has_announcement(self, key: str) -> bool: ...

    async def announcement_keys(self, prefix: str = "") -> set[str]:
        """Keys starting with `prefix`, taken literally (no wildcards)."""
        ...

    async def claim(
        self, now: datetime, limit: int, *, platform: str | None = None
    ) -> list[Delivery]:
        """Atomically take up to `limit` PENDING deliveries due by `now`, highest priority
        first, then earliest next_attempt_at, then enqueue order; mark them SENDING with one
        more attempt, leased to this handle's owner until `now` + the lease, and return them
        in that order. Concurrent claimers, in this process or another, never get the same
        delivery. In the same transaction, renews this owner's leases (as `renew_leases`)
        and takes back other owners' leases expired by `now` (as `reclaim_expired_leases`),
        which may then be claimed at once."""
        ...

    async def claim_with_chats(
        self, now: datetime, limit: int, *, platform: str | None = None
    ) -> list[tuple[Delivery, Chat | None]]:
        """`claim`, each delivery with its chat as stored at the claim (None when the chat is
        not stored), read in the same transaction: the delivery engine needs both, and a
        query per delivery for its chat was most of its cost per message."""
        ...

    # The mark_* methods and record_marks raise UnknownDelivery for an id that was never stored.

    async def mark_sent(self, delivery_id: int, message_id: str | None, sent_at: datetime) -> None:
        """Record a send that happened. It wins over any other state: it was sent."""
        ...

    async def mark_part_sent(
        self, delivery_id: int, parts_sent: int, message_id: str | None
    ) -> None:
        """The first `parts_sent` messages of a post in flight went out (`message_id` is the
        last one's); the delivery stays in flight. A retry or a requeue keeps the count, so
        only the messages after them are sent again; it never goes down. Only a delivery in
        flight is changed; ValueError for a count below 1."""
        ...

    async def mark_retry(self, delivery_id: int, error: str, retry_at: datetime) -> None:
        """Back to PENDING (SKIPPED if the chat became inactive meanwhile) until `retry_at`.
        Only a delivery in flight moves; one already final is left alone."""
        ...

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        """Permanently failed. A delivery already final is left alone."""
        ...

    async def mark_skipped(self, delivery_id: int, reason: str) -> None:
        """Not sent on purpose. A delivery already final is left alone."""
        ...

    async def record_marks(self, marks: Sequence[DeliveryMark]) -> None:
        """Apply several outcomes in one transaction, all or nothing: the same as calling the
        matching mark_* method for each, in the order given (`MarkSent` is `mark_sent`, and so
        on). The delivery engine records a batch of sends with one commit instead of one each.
        Raises UnknownDelivery, writing nothing, when one of the ids was never stored."""
        ...

    def begin_run(self) -> str:
        """Claim under a new owner name from now on (the same process name, a new run): the
        delivery engine calls it at each start, so that what its earlier run left SENDING
        (claimed, never sent, when it stopped or died) is taken back by the next
        `reclaim_expired_leases` or claim. Returns the new owner name."""
        ...

    async def reclaim_expired_leases(self, now: datetime) -> int:
        """Deliveries SENDING under a lease expired by `now` (a process died, or stalled, mid-
        send), or held by an earlier run of this same process (it died: this is its restart),
        go back to PENDING (SKIPPED for an inactive chat), due when they were. Returns how
        many. Other processes' leases not expired are left alone, and this run's own are
        never taken back (it is sending them). A process calls it at start, and its own
        claims do it too."""
        ...

    async def release_leases(self) -> int:
        """A graceful stop: every delivery this owner holds SENDING (claimed, never sent) goes
        back to PENDING (SKIPPED for an inactive chat), due when it was, its attempts and
        parts sent kept, so another process claims it at once instead of waiting for the
        lease to run out. Engines shared by several processes tell the others (as an
        ENQUEUED signal). Returns how many. Call it only once this owner's sends in flight
        are over and their outcomes written: a delivery it gives back may be sent again."""
        ...

    async def renew_leases(self, now: datetime) -> int:
        """Move the lease of every delivery this owner holds to `now` + the lease (a process
        whose sends wait, on a rate limit say, keeps them). Returns how many."""
        ...

    async def next_due_at(self) -> datetime | None:
        """The earliest next_attempt_at of any PENDING delivery, for how long to sleep."""
        ...

    async def earliest_unsent_at(self, platforms: Sequence[str]) -> datetime | None:
        """The earliest next_attempt_at of the deliveries on these platforms still to be sent
        (PENDING, or SENDING: claimed and not yet marked). None when there are none. A paced
        replay holds its clock while this is before the clock's now."""
        ...

    # --- reporting -------------------------------------------------------------------------

    async def delivery_counts(self, key: str | None = None) -> dict[DeliveryStatus, int]:
        """Deliveries per status (every status present, 0 included), of one key or all."""
        ...

    async def recent_errors(self, limit: int = 10) -> list[RecentError]:
        """The latest errors send attempts produced on deliveries not sent, newest first."""
        ...

    async def backlog(self) -> dict[str, Backlog]:
        """Per platform with deliveries still to be sent (PENDING or SENDING): how many, and
        the due time of the oldest one's announcement (how far behind the outbox is; a
        retried delivery counts from its announcement's due time, not from its next try)."""
        ...

    async def deliveries(self, key: str) -> list[Delivery]:
        """Every delivery of one announcement, in enqueue order."""
        ...

    # --- button callbacks ------------------------------------------------------------------

    async def remember_callbacks(
        self, platform: str, pairs: Mapping[str, str], expires_at: datetime
    ) -> None:
        """Keep each callback key -> command of `platform` until `expires_at`; remembering a
        key again sets its command and moves its expiry to the later of the two."""
        ...

    async def find_callback(self, platform: str, key: str, now: datetime) -> str | None:
        """The command behind `key`; None when it was never remembered or expired by `now`."""
        ...

    async def forget_expired_callbacks(self, now: datetime) -> int:
        """Delete the callbacks expired by `now`; returns how many."""
        ...

    # --- channel problems ------------------------------------------------------------------

    async def note_channel_problem(self, channel: str, problem: str | None) -> None:
        """What is wrong with posting to `channel` (bot.chats.health), replacing what was
        noted; None: nothing is wrong any more. Every process of a deployment notes here."""
        ...

    async def channel_problems(self) -> dict[str, str]:
        """Every channel with a problem noted, by any process, and the problem."""
        ...

    # --- kept values -----------------------------------------------------------------------

    async def get_value(self, key: str) -> str | None: ...

    async def keep_value(self, key: str, value: str) -> str:
        """Store `value` under `key` unless a value is stored there already; return the stored
        one. The first writer wins, across processes too (a generated secret stays one)."""
        ...

    async def set_value(self, key: str, value: str) -> None:
        """Keep `value` under `key`, replacing what was there (state the last writer owns,
        such as the hash of the Discord commands last synced)."""
        ...

    # --- the audit log of operator edits ---------------------------------------------------

    async def record_edit(
        self,
        *,
        edit_id: int,
        at: datetime,
        actor: str,
        action: str,
        target: str,
        summary: str,
        files: Mapping[str, tuple[str | None, str]],
    ) -> int:
        """Record an edit under `edit_id` (the caller reserves it with `next_edit_id`, since
        the id is written into the files before they are); returns the id. An id already
        taken (another process edited meanwhile) raises `EditIdTaken`."""
        ...

    async def next_edit_id(self) -> int:
        """The id the next recorded edit should take: one more than the highest so far."""
        ...

    async def recent_edits(self, limit: int = 10) -> list[EditRecord]:
        """The latest edits, newest first."""
        ...

    async def get_edit(self, edit_id: int) -> EditRecord | None: ...

    async def mark_undone(self, edit_id: int, by_id: int) -> None:
        """Say that edit `edit_id` was undone by edit `by_id`."""
        ...
