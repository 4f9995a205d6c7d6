"""The delivery engine: pushes the outbox out through each platform's limits, losing nothing.

Per platform there is one *lane*: a feeder task claims due deliveries from the store in
batches, and `workers_per_platform` worker tasks send them, each send taking its tokens from
the platform's `PlatformLimiter`. Command replies (`reply`) go through the same limiter with
priority, so a fan's answer overtakes a broadcast without breaking the platform's limits.

What happens after a send is decided by the error class alone (see `bot.delivery.errors`):
sent → SENT; RetryAfter → pause the platform lane and retry after the wait; TransientError or
an unexpected exception → retry with exponential backoff and jitter, FAILED after
`max_attempts`; ChatBlocked → deactivate the chat (the store skips its pending deliveries) and
skip; ChatMigrated → rewrite the chat id and resend at once; PermanentError → FAILED.

Crash safety comes from the store: a claimed delivery is SENDING until marked, and `start()`
puts deliveries left SENDING by a dead process back in the queue. So a crash can repeat a send
that was in flight, never lose one; `stop()` lets sends in flight finish and leaves claimed,
unsent deliveries to the next `start()`.

Logs ("pitboard.delivery") name deliveries, keys and chats, never message bodies or tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.audience import Chat, ChatRef
from bot.core.clock import Clock
from bot.core.reply import Reply
from bot.delivery.errors import (
    ChatBlocked,
    ChatMigrated,
    PermanentError,
    RetryAfter,
    SendError,
    TransientError,
    describe,
)
from bot.delivery.lane import Lane, LaneStats
from bot.delivery.ratelimit import PlatformLimiter, RateLimits
from bot.delivery.sender import Composer, Sender
from bot.store.protocol import Store, StoreError
from bot.store.records import Delivery

__all__ = ["DeliveryEngine"]

log = logging.getLogger("pitboard.delivery")

# A send to a chat that would wait longer than this for the chat's own bucket (a group that is
# getting several posts at once) is set aside in memory instead of holding a worker, so one
# busy group cannot stall a fan-out to everyone else.
PARK_AFTER_SECONDS = 0.5
MAX_PARKED = 10_000
MAX_MIGRATION_HOPS = 3
# How long a command reply may wait out a platform's "retry after" before giving up on it:
# the fan asked a question and is looking at the screen.
REPLY_PATIENCE_SECONDS = 30.0
REPLY_TRANSIENT_RETRIES = 2
REPLY_BACKOFF_SECONDS = 0.5
REPLY_MAX_TRIES = 10
# The feeder's longest sleep even with nothing due: a safety net for work enqueued by another
# process (which cannot call wake()) and for clocks that run faster than real time.
MAX_IDLE_SECONDS = 5.0
STOP_GRACE_SECONDS = 10.0


class DeliveryEngine:
    def __init__(
        self,
        store: Store,
        senders: Mapping[str, Sender],
        composer: Composer,
        limits: Mapping[str, RateLimits],
        clock: Clock,
        *,
        workers_per_platform: int = 8,
        max_attempts: int = 8,
        backoff_base: float = 1.0,
        backoff_max: float = 300.0,
        claim_batch: int = 32,
        rng: random.Random | None = None,
    ) -> None:
        if workers_per_platform < 1:
            raise ValueError("workers_per_platform must be at least 1")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        missing = sorted(set(senders) - set(limits))
        if missing:
            raise ValueError(f"no rate limits given for platform(s): {', '.join(missing)}")
        self.store = store
        self.composer = composer
        self.clock = clock
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._rng = rng or random.Random()
        self._workers_per_platform = workers_per_platform
        self._lanes: dict[str, Lane] = {}
        for platform, sender in senders.items():
            if sender.platform != platform:
                raise ValueError(f"sender for {platform!r} says it serves {sender.platform!r}")
            self._lanes[platform] = Lane(
                platform,
                sender,
                PlatformLimiter(limits[platform]),
                capacity=max(claim_batch, 2 * workers_per_platform),
            )
        # Deliveries claimed before a migration still name the old chat; follow the move.
        # Migrations are rare (a Telegram group upgraded once), so this never grows much.
        self._moved: dict[ChatRef, ChatRef] = {}
        self._started = False

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Put deliveries a dead process left in flight back in the queue, then start sending."""
        if self._started:
            return
        requeued = await self.store.requeue_in_flight()
        if requeued:
            log.warning("requeued %d deliveries left in flight by a previous run", requeued)
        self._started = True
        for lane in self._lanes.values():
            lane.start(self._feed, self._deliver, self._workers_per_platform)
        log.info("delivery started: %s", ", ".join(sorted(self._lanes)) or "no platforms")

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop claiming; let sends already under way finish (up to `grace` seconds)."""
        if not self._started:
            return
        self._started = False
        await asyncio.gather(*(lane.stop(grace) for lane in self._lanes.values()))
        log.info("delivery stopped")

    def wake(self) -> None:
        """New work was enqueued: look for it now instead of at the next planned moment."""
        for lane in self._lanes.values():
            lane.nudge()

    async def earliest_unsent_due(self) -> datetime | None:
        """When the earliest delivery this engine still has to send was due (None: none)."""
        return await self.store.earliest_unsent_at(sorted(self._lanes))

    def stats(self, platform: str) -> LaneStats:
        return self._lanes[platform].stats

    def limiter(self, platform: str) -> PlatformLimiter:
        return self._lanes[platform].limiter

    # --- command replies -----------------------------------------------------------------------

    async def reply(self, chat: Chat, reply: Reply) -> str | None:
        """Send a command reply now, ahead of any broadcast, within the platform's limits.

        Returns the platform's message id. Waits out short rate limits, retries a transient
        failure twice, follows a chat migration. Raises the last `SendError` when the reply
        could not be delivered (after deactivating a blocked chat); the caller decides
        whether the fan should hear about it some other way.
        """
        lane = self._lane(chat.ref.platform)
        chat = self._follow(chat)
        transient_left = REPLY_TRANSIENT_RETRIES
        waited = 0.0
        # Bounded even against a platform answering "retry after 0 s" forever.
        for _ in range(REPLY_MAX_TRIES):
            await lane.limiter.acquire(chat, priority=True)
            try:
                return await lane.sender.send(chat, reply)
            except RetryAfter as error:
                lane.rate_limited(error.seconds)
                waited += error.seconds
                if waited > REPLY_PATIENCE_SECONDS:
                    raise
            except ChatMigrated as error:
                chat = await self._migrate(lane, chat, error.new_id)
            except ChatBlocked as error:
                await self._deactivate(lane, chat.ref, describe(error))
                raise
            except TransientError:
                if transient_left <= 0:
                    raise
                transient_left -= 1
                await asyncio.sleep(REPLY_BACKOFF_SECONDS)
            except SendError:
                raise
            except Exception as error:
                log.warning("%s sender failed unexpectedly: %s", lane.platform, describe(error))
                raise TransientError(describe(error)) from error
        raise TransientError(f"no reply could be sent to {chat.ref} in {REPLY_MAX_TRIES} tries")

    # --- the feeder: store → lane --------------------------------------------------------------

    async def _feed(self, lane: Lane) -> None:
        """Keep the lane's queue topped up with due deliveries; sleep while nothing is due."""
        while True:
            lane.release_parked()
            room = lane.room()
            claimed = 0
            if room > 0:
                try:
                    batch = await self.store.claim(self.clock.now(), room, platform=lane.platform)
                except Exception as error:
                    log.error("claiming %s deliveries failed: %s", lane.platform, describe(error))
                    await lane.wait(1.0)
                    continue
                lane.enqueue(batch)
                claimed = len(batch)
                if claimed == room:
                    continue  # there may be more due right now
            await lane.wait(await self._idle_seconds(lane, room_left=room > 0, claimed=claimed))

    async def _idle_seconds(self, lane: Lane, *, room_left: bool, claimed: int) -> float:
        waits = [MAX_IDLE_SECONDS]
        parked = lane.next_parked_in()
        if parked is not None:
            waits.append(parked)
        if room_left:
            try:
                due = await self.store.next_due_at()
            except Exception as error:
                log.error("reading the next due time failed: %s", describe(error))
                due = None
            if due is not None:
                seconds = self._real_seconds_until(due)
                # Due now yet nothing claimed: due work of a platform without a sender here
                # (or of another process). Poll slowly rather than spin.
                waits.append(seconds if seconds > 0 or claimed else 1.0)
        return max(0.0, min(waits))

    def _real_seconds_until(self, moment: datetime) -> float:
        # A clock that runs faster than real time (ScaledClock) knows how long to really wait.
        real_seconds_until = getattr(self.clock, "real_seconds_until", None)
        if callable(real_seconds_until):
            return float(real_seconds_until(moment))
        return max(0.0, (moment - self.clock.now()).total_seconds())

    # --- a worker's job: one delivery ------------------------------------------------------------

    async def _deliver(self, lane: Lane, delivery: Delivery, unparked: bool) -> None:
        """Send one claimed delivery and record the outcome. Never raises (but may be
        cancelled while waiting for tokens, leaving the delivery SENDING for `start()`)."""
        try:
            await self._attempt(lane, delivery, unparked)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # A store failure while recording: the delivery stays SENDING and is requeued by
            # the next start(); a failing database must not kill the worker.
            log.error("delivery %d (%s): %s", delivery.id, delivery.item.key, describe(error))

    async def _attempt(self, lane: Lane, delivery: Delivery, unparked: bool) -> None:
        ref = self._current(delivery.chat)
        chat = await self.store.get_chat(ref)
        if chat is None or not chat.active:
            why = "chat not stored" if chat is None else "chat inactive"
            await self.store.mark_skipped(delivery.id, why)
            lane.stats.skipped += 1
            return
        if not unparked and self._parked(lane, delivery, chat):
            return
        try:
            reply = self.composer(delivery.item, chat)
        except Exception as error:
            log.error("composing %s for %s failed: %s", delivery.item.key, ref, describe(error))
            await self.store.mark_failed(delivery.id, f"compose: {describe(error)}")
            lane.stats.failed += 1
            return
        if reply is None:
            await self.store.mark_skipped(delivery.id, "nothing to send to this chat")
            lane.stats.skipped += 1
            return
        async with lane.chat_turn(delivery.chat):
            await self._send(lane, delivery, chat, reply)

    def _parked(self, lane: Lane, delivery: Delivery, chat: Chat) -> bool:
        """Set the delivery aside if its chat's own limits would keep a worker waiting, or if
        earlier posts to the chat are set aside (it goes behind them, to keep their order).
        One coming back from parking heads that line: it waits for its nearly due token."""
        spacing = lane.limiter.chat_interval(chat)
        wait = lane.limiter.chat_wait_estimate(chat)
        if lane.chat_busy(delivery.chat):
            wait += spacing  # another post to this chat goes first
        if lane.parked_count() >= MAX_PARKED:
            return False
        if wait > PARK_AFTER_SECONDS or lane.has_parked(delivery.chat):
            lane.park(delivery, wait, spacing)
            return True
        return False

    async def _send(self, lane: Lane, delivery: Delivery, chat: Chat, reply: Reply) -> None:
        priority = delivery.priority > 0
        for _ in range(MAX_MIGRATION_HOPS + 1):
            chat = self._follow(chat)
            await lane.limiter.acquire(chat, priority=priority)
            if self._follow(chat) != chat:
                continue  # moved while we waited: take the new chat's tokens instead
            # From here until the outcome is recorded, stop() waits rather than cancels:
            # the platform may already have the message.
            with lane.sending():
                try:
                    message_id = await lane.sender.send(chat, reply)
                except ChatMigrated as error:
                    chat = await self._migrate(lane, chat, error.new_id)
                    continue
                except Exception as error:
                    await self._record_failure(lane, delivery, chat, error)
                    return
                await self.store.mark_sent(delivery.id, message_id, self.clock.now())
                lane.stats.sent += 1
                return
        await self.store.mark_failed(delivery.id, "chat migrated too many times")
        lane.stats.failed += 1

    async def _record_failure(
        self, lane: Lane, delivery: Delivery, chat: Chat, error: Exception
    ) -> None:
        what = describe(error)
        if isinstance(error, RetryAfter):
            lane.rate_limited(error.seconds)
            await self._retry(lane, delivery, what, error.seconds)
        elif isinstance(error, ChatBlocked):
            await self._deactivate(lane, chat.ref, what)
            await self.store.mark_skipped(delivery.id, what)
            lane.stats.skipped += 1
        elif isinstance(error, PermanentError):
            log.warning("delivery %d to %s failed for good: %s", delivery.id, chat.ref, what)
            await self.store.mark_failed(delivery.id, what)
            lane.stats.failed += 1
        else:
            if not isinstance(error, TransientError):
                log.warning("%s sender failed unexpectedly: %s", lane.platform, what)
            if delivery.attempts >= self.max_attempts:
                log.warning(
                    "delivery %d to %s gave up after %d attempts: %s",
                    delivery.id, chat.ref, delivery.attempts, what,
                )  # fmt: skip
                await self.store.mark_failed(
                    delivery.id, f"{what} (gave up after {delivery.attempts} attempts)"
                )
                lane.stats.failed += 1
            else:
                await self._retry(lane, delivery, what, self.backoff(delivery.attempts))

    async def _retry(self, lane: Lane, delivery: Delivery, what: str, seconds: float) -> None:
        await self.store.mark_retry(
            delivery.id, what, self.clock.now() + timedelta(seconds=seconds)
        )
        lane.stats.retried += 1
        lane.nudge()  # the feeder may be sleeping past this retry's due time

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after `attempts` failed ones: doubling from
        `backoff_base`, capped at `backoff_max`, then scaled by a random 50-100 % so that
        deliveries failing together do not all come back together."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0 ** max(0, attempts - 1))
        return ceiling * self._rng.uniform(0.5, 1.0)

    # --- chat changes ----------------------------------------------------------------------------

    async def _migrate(self, lane: Lane, chat: Chat, new_id: str) -> Chat:
        new_ref = ChatRef(chat.ref.platform, new_id)
        log.info("chat %s moved to %s", chat.ref, new_ref)
        # Known before the store is rewritten, so other workers about to send there follow.
        self._moved[chat.ref] = new_ref
        with contextlib.suppress(StoreError):  # a chat that was never stored (a reply)
            await self.store.rewrite_chat(chat.ref, new_ref)
        lane.stats.migrated += 1
        return replace(chat, ref=new_ref)

    def _current(self, ref: ChatRef) -> ChatRef:
        for _ in range(MAX_MIGRATION_HOPS):  # bounded: a cycle of moves must not hang us
            moved = self._moved.get(ref)
            if moved is None:
                break
            ref = moved
        return ref

    def _follow(self, chat: Chat) -> Chat:
        ref = self._current(chat.ref)
        return chat if ref == chat.ref else replace(chat, ref=ref)

    async def _deactivate(self, lane: Lane, ref: ChatRef, reason: str) -> None:
        log.info("chat %s deactivated: %s", ref, reason)
        with contextlib.suppress(StoreError):  # a chat that was never stored (a reply)
            await self.store.set_active(ref, False, reason)
        lane.stats.blocked += 1

    def _lane(self, platform: str) -> Lane:
        try:
            return self._lanes[platform]
        except KeyError:
            raise ValueError(f"no sender for platform {platform!r}") from None
