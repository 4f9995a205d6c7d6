"""The delivery engine: pushes the outbox out through each platform's limits, losing nothing.

Per platform there is one *lane*: a feeder task claims due deliveries from the store in
batches, and `workers_per_platform` worker tasks send them, each send taking its tokens from
the platform's `PlatformLimiter`. Command replies (`reply`) go through the same limiter with
priority, so a fan's answer overtakes a broadcast without breaking the platform's limits.

The feeder claims each delivery together with its chat's row (`Store.claim_with_chats`), and
workers hand every outcome to the `Recorder`, which writes them in batches, one commit for
many sends (`Store.record_marks`): no query per message for its chat, no commit per message.

A post can run to several messages (`PartSender`): each takes its own tokens and is recorded
as it goes out (`MarkPartSent`), so a retry or a restart sends only the rest; when the
chat's next token is far off, the rest waits in memory (parked) instead of holding a worker.

What happens after a send is decided by the error class alone (see `bot.delivery.errors`):
sent → SENT; RetryAfter → pause that chat (every send, if the platform says the limit is its
global one) and retry after the wait; TransientError or an unexpected exception → retry with
exponential backoff and jitter. Either retry counts toward `max_attempts`, then FAILED.
ChatBlocked → deactivate the chat (the store skips its pending deliveries) and skip;
ChatMigrated → rewrite the chat id and resend at once; PermanentError → FAILED.

Several processes on one PostgreSQL store (`shared_pace`): each send also takes a slot of the
platform's limit shared by every process (bot.delivery.shared_pace), so together they keep
to the limit one of them keeps alone; a chat refused in one process waits in all. The limit
is the bot's (`pace_buckets`: each platform's bucket named after its bot, `pace_bucket`): two
bots of one platform on one database do not share one budget.

Crash safety comes from the store: a claimed delivery is SENDING until its outcome is written,
and `start()` puts deliveries left SENDING by a dead process back in the queue. So a crash can
repeat a send that was in flight or whose outcome was still waiting in the recorder (at most
`record_linger` seconds plus one write: see `bot.delivery.recorder`), at most once each, and
never lose one; `stop()` lets sends in flight finish, writes every outcome, and gives back
the claimed, unsent deliveries (`Store.release_leases`), which another process then sends at
once. A process killed (SIGKILL) gives back nothing: its leases run out.

Logs ("pitboard.delivery") name deliveries, keys and chats, never message bodies or tokens.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.audience import Chat
from bot.core.clock import Clock
from bot.core.reply import Reply
from bot.delivery.claimed import ClaimedChats
from bot.delivery.errors import (
    ChatBlocked,
    ChatMigrated,
    PermanentError,
    RetryAfter,
    TransientError,
    describe,
)
from bot.delivery.feeder import Feeder
from bot.delivery.lane import Lane, LaneStats
from bot.delivery.moves import MAX_MIGRATION_HOPS, ChatMoves
from bot.delivery.posts import Drafts, Parts, split_post
from bot.delivery.ratelimit import PlatformLimiter, RateLimits
from bot.delivery.recorder import RECORD_LINGER_SECONDS, Recorder
from bot.delivery.replies import send_reply_part
from bot.delivery.sender import Composer, Sender
from bot.delivery.shared_pace import shared_pacer
from bot.store.marks import (
    DeliveryMark,
    MarkFailed,
    MarkPartSent,
    MarkRetry,
    MarkSent,
    MarkSkipped,
)
from bot.store.pace import SharedPace
from bot.store.protocol import Store
from bot.store.records import Delivery

__all__ = ["DeliveryEngine"]

log = logging.getLogger("pitboard.delivery")

# A send to a chat that would wait longer than this for the chat's own bucket (a group that is
# getting several posts at once) is set aside in memory instead of holding a worker, so one
# busy group cannot stall a fan-out to everyone else.
PARK_AFTER_SECONDS = 0.5
MAX_PARKED = 10_000
STOP_GRACE_SECONDS = 10.0
# A lane's queue holds about this many seconds of sends at the platform's rate (at least two per
# worker, at most `claim_batch`): a slow platform (Telegram, 30 a second) keeps chat rows read
# with the claim fresh and lets a priority post enqueued later go soon; a fast one claims
# hundreds at a time, so the claim's cost per message nearly vanishes.
QUEUE_SECONDS = 1.0


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
        claim_batch: int = 256,
        rng: random.Random | None = None,
        record_linger: float = RECORD_LINGER_SECONDS,
        shared_pace: SharedPace | None = None,
        pace_buckets: Mapping[str, str] | None = None,
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
            rate = limits[platform].global_per_second
            limiter = PlatformLimiter(limits[platform])
            if shared_pace is not None:
                bucket = (pace_buckets or {}).get(platform, platform)
                limiter.share(shared_pacer(shared_pace, platform, limiter, bucket))
            self._lanes[platform] = Lane(
                platform,
                sender,
                limiter,
                capacity=max(
                    2 * workers_per_platform, min(claim_batch, round(rate * QUEUE_SECONDS))
                ),
            )
        self._moves = ChatMoves(store)
        self._drafts = Drafts()
        self._recorder = Recorder(store, linger=record_linger, on_retry=self.wake)
        self._claimed = ClaimedChats(store, self._moves)
        self._feeder = Feeder(store, clock, self._claimed)
        self._started = False

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Put back in the queue what an earlier run of this process left in flight, and the
        deliveries whose lease expired (another process died), then start sending. Other
        processes' leases not expired are their sends under way: left alone."""
        if self._started:
            return
        # A new run: what an earlier run of this process left SENDING is taken back now.
        owner = self.store.begin_run()
        reclaimed = await self.store.reclaim_expired_leases(self.clock.now())
        if reclaimed:
            log.warning("took back %d deliveries whose lease expired in flight", reclaimed)
        self._started = True
        self._recorder.start()
        for lane in self._lanes.values():
            lane.start(self._feeder.run, self._deliver, self._workers_per_platform)
        log.info(
            "delivery started: %s (claims as %s)",
            ", ".join(sorted(self._lanes)) or "no platforms",
            owner,
        )

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop claiming; let sends already under way finish (up to `grace` seconds); give
        back the deliveries claimed and not sent."""
        if not self._started:
            return
        self._started = False
        await asyncio.gather(*(lane.stop(grace) for lane in self._lanes.values()))
        # Every send that went out is recorded before stop() returns.
        await self._recorder.stop()
        self._claimed.forget()
        await self._release_claims()
        log.info("delivery stopped")

    async def _release_claims(self) -> None:
        """Give back what this run claimed and did not send (queued, parked, the rest of a
        post), now that every outcome is written: another process sends it at once, instead
        of once the lease runs out. A failing database leaves them to the lease."""
        try:
            released = await self.store.release_leases()
        except Exception as error:
            log.error("giving back unsent claims failed: %s", describe(error))
            return
        if released:
            log.info("gave back %d claimed deliveries not sent", released)

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

    @property
    def recorder(self) -> Recorder:
        return self._recorder

    async def write_outcomes(self) -> None:
        """Write the outcomes of sends still waiting to be recorded (at most a batch's linger
        behind), for a caller about to read them from the store; stop() does it too."""
        await self._recorder.flush()

    # --- command replies -----------------------------------------------------------------------

    async def reply(self, chat: Chat, reply: Reply) -> str | None:
        """Send a command reply now, ahead of any broadcast, within the platform's limits.

        Returns the platform's message id (the last message's, for a reply of several).
        Each message takes its own tokens. Waits out short rate limits, retries a transient
        failure twice, follows a chat migration. Raises the last `SendError` when the reply
        could not be delivered (after deactivating a blocked chat); the caller decides
        whether the fan should hear about it some other way.
        """
        lane = self._lane(chat.ref.platform)
        chat = self._moves.follow(chat)
        try:
            parts = split_post(lane.sender, chat, reply)
        except Exception as error:  # a rendering bug: it would fail the same way again
            log.warning("%s could not render a reply: %s", lane.platform, describe(error))
            raise PermanentError(describe(error)) from error
        message_id: str | None = None
        for part in parts:
            chat, message_id = await send_reply_part(lane, self._moves, chat, part)
        return message_id

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
        chat = await self._claimed.take(delivery)
        drafted = self._drafts.pop(delivery.id)  # the rest of a post part-way out
        if self._skipped_for(lane, delivery, chat):
            return
        assert chat is not None
        if not unparked and self._parked(lane, delivery, chat):
            if drafted is not None:
                self._drafts.keep(delivery.id, drafted)
            return
        parts = drafted or self._compose(lane, delivery, chat)
        if parts:
            async with lane.chat_turn(delivery.chat):
                # An earlier post to the chat, sent while this one waited its turn, may
                # have found it blocked.
                now_stored = await self._claimed.recheck(chat)
                if self._skipped_for(lane, delivery, now_stored):
                    return
                assert now_stored is not None
                await self._send(lane, delivery, now_stored, parts)

    def _skipped_for(self, lane: Lane, delivery: Delivery, chat: Chat | None) -> bool:
        if chat is not None and chat.active:
            return False
        # i18n: not user text (a delivery's recorded reason, for the operator's log)
        why = "chat not stored" if chat is None else "chat inactive"
        self._record(MarkSkipped(delivery.id, why))
        lane.stats.skipped += 1
        return True

    def _record(self, mark: DeliveryMark) -> None:
        self._recorder.add(mark)

    def _compose(self, lane: Lane, delivery: Delivery, chat: Chat) -> Parts:
        """The post's messages for `chat`; none (the delivery marked) when there is nothing
        to send or composing it failed: that would fail the same way on every retry."""
        try:
            reply = self.composer(delivery.item, chat)
            parts = () if reply is None else split_post(lane.sender, chat, reply)
        except Exception as error:
            what = describe(error)
            log.error("composing %s for %s failed: %s", delivery.item.key, chat.ref, what)
            self._record(MarkFailed(delivery.id, f"compose: {what}"))
            lane.stats.failed += 1
            return ()
        if not parts:
            # i18n: not user text (a delivery's recorded reason, for the operator's log)
            self._record(MarkSkipped(delivery.id, "nothing to send to this chat"))
            lane.stats.skipped += 1
        return parts

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

    async def _send(self, lane: Lane, delivery: Delivery, chat: Chat, parts: Parts) -> None:
        """Send the post's messages not sent yet, each with its own tokens, recording each."""
        priority = delivery.priority > 0
        done, message_id, hops = delivery.parts_sent, delivery.message_id, 0
        while done < len(parts):
            if hops > MAX_MIGRATION_HOPS:
                # i18n: not user text (a delivery's recorded reason, for the operator's log)
                self._record(MarkFailed(delivery.id, "chat migrated too many times"))
                lane.stats.failed += 1
                return
            chat = self._moves.follow(chat)
            grant = await lane.limiter.acquire(chat, priority=priority)
            if self._moves.follow(chat) != chat:
                hops += 1
                continue  # moved while we waited: take the new chat's tokens instead
            # From here until the outcome is recorded, stop() waits rather than cancels:
            # the platform may already have the message.
            with lane.sending():
                try:
                    message_id = await lane.send(chat, parts[done], grant)
                except ChatMigrated as error:
                    chat = await self._moves.migrate(chat, error.new_id, lane.stats)
                    hops += 1
                    continue
                except Exception as error:
                    if await self._record_failure(lane, delivery, chat, error) and done:
                        self._drafts.keep(delivery.id, parts)
                    return
                lane.limiter.answered(chat, grant)
                done += 1
                if done < len(parts):
                    self._record(MarkPartSent(delivery.id, done, message_id))
                else:
                    self._record(MarkSent(delivery.id, message_id, self.clock.now()))
                    lane.stats.sent += 1
                    return
            rest = replace(delivery, parts_sent=done, message_id=message_id)
            if self._park_rest(lane, rest, chat):
                self._drafts.keep(delivery.id, parts)
                return
        # Composed again after a restart, the post came out shorter than what went out.
        self._record(MarkSent(delivery.id, message_id, self.clock.now()))
        lane.stats.sent += 1

    def _park_rest(self, lane: Lane, delivery: Delivery, chat: Chat) -> bool:
        """Set the rest of a post aside while the chat's next token is far off, so that a
        worker does not sit waiting for it (parked posts to a chat keep their order)."""
        wait = lane.limiter.chat_wait_estimate(chat)
        if wait <= PARK_AFTER_SECONDS or lane.parked_count() >= MAX_PARKED:
            return False
        lane.park(delivery, wait, lane.limiter.chat_interval(chat))
        return True

    async def _record_failure(
        self, lane: Lane, delivery: Delivery, chat: Chat, error: Exception
    ) -> bool:
        """Record what the failed send means; True when the delivery will be retried."""
        what = describe(error)
        if isinstance(error, ChatBlocked):
            await self._moves.deactivate(chat.ref, what, lane.stats)
            self._record(MarkSkipped(delivery.id, what))
            lane.stats.skipped += 1
            return False
        if isinstance(error, PermanentError):
            log.warning("delivery %d to %s failed for good: %s", delivery.id, chat.ref, what)
            self._record(MarkFailed(delivery.id, what))
            lane.stats.failed += 1
            return False
        if isinstance(error, RetryAfter):
            lane.rate_limited(chat, error)
            wait = error.seconds
        else:
            if not isinstance(error, TransientError):
                log.warning("%s sender failed unexpectedly: %s", lane.platform, what)
            wait = self.backoff(delivery.attempts)
        # A platform answering "retry after" forever must not keep a delivery forever either.
        if delivery.attempts >= self.max_attempts:
            log.warning(
                "delivery %d to %s gave up after %d attempts: %s",
                delivery.id, chat.ref, delivery.attempts, what,
            )  # fmt: skip
            self._record(
                # i18n: not user text (a delivery's recorded reason, for the operator's log)
                MarkFailed(delivery.id, f"{what} (gave up after {delivery.attempts} attempts)")
            )
            lane.stats.failed += 1
            return False
        self._record(MarkRetry(delivery.id, what, self.clock.now() + timedelta(seconds=wait)))
        # The recorder wakes the feeders once the retry is written: one sleeping past this
        # retry's due time must not miss it, and before that it is not claimable yet.
        lane.stats.retried += 1
        return True

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try after `attempts` failed ones: doubling from
        `backoff_base`, capped at `backoff_max`, then scaled by a random 50-100 % so that
        deliveries failing together do not all come back together."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0 ** max(0, attempts - 1))
        return ceiling * self._rng.uniform(0.5, 1.0)

    def _lane(self, platform: str) -> Lane:
        try:
            return self._lanes[platform]
        except KeyError:
            raise ValueError(f"no sender for platform {platform!r}") from None
