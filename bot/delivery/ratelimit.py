"""Token buckets: send as fast as a platform allows and no faster.

Time is injected (a monotonic counter and an async sleep) so the tests run on virtual time,
fast and deterministic. Each bucket serves its waiters in order, priority waiters first: a
fan's command reply overtakes a broadcast that is queueing for the same tokens. Priority is
not absolute: after `priority_run` priority grants in a row with bulk callers waiting, one bulk
caller goes, so a flood of commands slows a broadcast down but cannot stop it.

A platform has one `PlatformLimiter`: a global bucket (Telegram: about 30 messages a second),
a bucket per chat (about one a second) and a bucket per group or channel (about 20 a minute).
A send takes a token from each that applies; the chat's first, so a send waiting for a slow
chat does not sit on a global token others could use.

A "retry after" answer (429) pauses only the chat it was for (`refused`): one chat's flood
control must not stop a fan-out to everyone else. Only a refusal the platform itself calls
global (Discord says so; Telegram never does) pauses every send. Guessing "global" from
several chats refused at once paused everything for a second whenever timing jitter let a few
sends of a fan-out into one over-full window.

Jitter is also why every bucket keeps a margin under the platform's count: a send leaves when
its token is taken but is counted when it arrives, and two arrivals can be closer together
than their tokens were. A chat's sends are spaced 10 % more than its limit, and the global
bucket refills 1 % below the limit.

A margin only covers so much jitter, though: a 1 % margin at 400/s is 10 ms, and an event loop
busy for longer let a bunch of delayed sends arrive together with prompt ones (a fan-out
measured 5–29 global 429s, each costing its chat a second). So the global bucket's count of
the last second is kept on the safe side of every arrival: a send counts from its token until
its answer (`PlatformLimiter.finished`), and from then on for a second. A request arrives after
it is sent and before it is answered, so however late an arrival is (if it is answered within
a second of its token), it falls in a second the bucket has counted it in. That costs the
sends' round trip (a 5 ms answer at 200/s keeps 0.5 % of the limit unused), which is less
than the margin that would otherwise be needed. This holds within one process; processes
sharing a limit (bot.delivery.shared_pace) pace each other by their tokens only.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.audience import Chat, ChatKind, ChatRef

if TYPE_CHECKING:
    from bot.delivery.shared_pace import SharedPacer

__all__ = [
    "DISCORD_LIMITS",
    "PRIORITY_RUN",
    "TELEGRAM_LIMITS",
    "Grant",
    "PlatformLimiter",
    "RateLimits",
    "TokenBucket",
]

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Refilling in floating point can leave 0.9999999 of a token after sleeping exactly the
# computed time; without this slack the waiter would sleep again for a nanosecond.
_EPSILON = 1e-9
_PRUNE_LOOKS = 8
# Unfinished grants a window-capped bucket remembers before it forgets those over a second old.
_STAMPS_BEFORE_PRUNING = 1024
# Every token taken gets its own number, unique across buckets (a forgotten chat's bucket may
# be made anew while a send that took its token waits for its answer).
_GRANTS = itertools.count(1)
# Sends to one chat (or group) are spaced this much more than its limit: a 1/s chat gets one
# every 1.1 s, so 100 ms of jitter between two requests' arrivals cannot make a 429.
CHAT_MARGIN = 0.10
# The global bucket refills this much below the limit: its pace, rather than its count of the
# last second (which includes each send's round trip), is what mostly binds a long fan-out.
GLOBAL_MARGIN = 0.01
# A share of a second's sends the global bucket holds when at rest: a crowd of fans asking at
# once is answered at once (fifty at 200/s), not spaced out at the fan-out's pace. The count
# of the last second still caps what goes out.
GLOBAL_BURST_SHARE = 0.25
# The share of it a broadcast may use at once (`bulk_burst`); the rest stays for replies. Were
# a broadcast to pile up the whole burst while the count of the last second held it back, it
# would send it all at once when the count let go, then stall again: a quarter second in
# every second, with a fan's reply waiting through each stall.
GLOBAL_BULK_BURST_SHARE = 0.04
# Priority grants in a row before a waiting bulk caller gets one: replies take at most 80 % of
# a saturated bucket, broadcasts keep at least 20 %.
PRIORITY_RUN = 4


class TokenBucket:
    """`rate_per_second` tokens a second, holding at most `burst`; one token per send.

    `window_cap`: besides, at most this many sends in any one second, each counted from its
    token until it is `finished` and a second beyond. A burst lets a waiter that woke late (a
    busy event loop) catch up instead of losing the token it overslept, and the cap keeps that
    catching up within the platform's count. `bulk_burst`: the most of the burst a bulk
    caller may use at once; tokens above it are left for priority callers."""

    def __init__(
        self,
        rate_per_second: float,
        burst: float = 1.0,
        *,
        bulk_burst: float | None = None,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        priority_run: int = PRIORITY_RUN,
        window_cap: int | None = None,
    ) -> None:
        if rate_per_second <= 0 or not math.isfinite(rate_per_second):
            raise ValueError(f"rate must be a positive number, not {rate_per_second!r}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, not {burst!r}")
        self.rate = float(rate_per_second)
        self.burst = float(burst)
        # Bulk callers leave this many tokens in the bucket, for priority callers.
        self._reserve = self.burst - min(self.burst, max(1.0, bulk_burst or self.burst))
        self._monotonic = monotonic
        self._sleep = sleep
        self._tokens = self.burst
        self._updated = monotonic()
        self._window_cap = window_cap
        # The sends counted in the last second, in time order: (when its token was taken, its
        # grant number), or, once it was answered, (when it was answered, 0) (`finished`).
        self._granted: deque[tuple[float, int]] = deque()
        # Grants whose token-time entry above no longer counts: the send was answered, and
        # counts from then on. Dropping the entry itself would mean a search through up to a
        # second of sends for every answer (at a no-op sender's 3,000+/s, most of its time).
        self._superseded: set[int] = set()
        # When each token of the last second was taken, by grant number, until `finished`
        # (in grant order: a dict keeps its insertion order).
        self._stamps: dict[int, float] = {}
        self._paused_until = -math.inf
        # Waiters in arrival order; each is woken (its event set) when it reaches the front.
        self._priority: deque[asyncio.Event] = deque()
        self._bulk: deque[asyncio.Event] = deque()
        self._priority_run = max(1, priority_run)
        self._streak = 0  # priority grants in a row while bulk callers waited
        self._last_grant = 0  # the number of the last token taken

    @property
    def waiting(self) -> int:
        return len(self._priority) + len(self._bulk)

    def pause(self, seconds: float) -> None:
        """Hand out nothing for `seconds` (the platform said "retry after"), then resume with
        a single token rather than a full burst, so the first thing after a pause is one send."""
        now = self._monotonic()
        until = now + max(0.0, seconds)
        if until <= self._paused_until:
            return
        self._refill(now)
        self._paused_until = until
        self._tokens = 1.0
        self._updated = until  # no refill accrues during the pause

    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._monotonic())

    def wait_estimate(self) -> float:
        """Roughly how long a new bulk request would wait, counting those already queued."""
        now = self._monotonic()
        self._refill(now)
        needed = self.waiting + 1 - self._tokens
        pause = max(0.0, self._paused_until - now)
        return pause + max(0.0, needed) / self.rate

    def answered(self, grant: int, min_interval: float) -> None:
        """The send that took token `grant` has been answered, so it arrived by now. If no
        token was taken since, the next is due `min_interval` from now: sooner than the
        refill when the answer came quickly, later when it came slowly. The platform counts
        arrivals, and a request arrives before it is answered, so sends spaced this way
        arrive more than `min_interval` apart whatever the network's or the event loop's
        delays (the refill's margin only covers delays up to a tenth of the interval). A
        pause (a "retry after") is never shortened."""
        if grant != self._last_grant:
            return  # another send took a token since: its own answer will say
        now = self._monotonic()
        if now < self._paused_until:
            return
        self._refill(now)
        self._tokens = min(self.burst, 1.0 - min_interval * self.rate)

    def at_rest(self) -> bool:
        """Full and unused: indistinguishable from a new bucket, so safe to forget."""
        now = self._monotonic()
        self._refill(now)
        return self.waiting == 0 and now >= self._paused_until and self._tokens >= self.burst

    async def acquire(self, priority: bool = False) -> int:
        """Wait for a token and take it; returns the grant's number (for `answered` and
        `finished`).
        Priority callers go before every bulk caller."""
        me = asyncio.Event()
        queue = self._priority if priority else self._bulk
        queue.append(me)
        try:
            while True:
                if self._front() is not me:
                    me.clear()
                    await me.wait()
                    continue
                # A bulk caller leaves the reserve to priority callers, except on the turn
                # it gets among them (`priority_run`): it would otherwise hold them up.
                delay = self._delay(reserve=not priority and not self._priority)
                if delay <= 0:
                    self._tokens -= 1.0
                    self._streak = self._streak + 1 if priority and self._bulk else 0
                    self._last_grant = next(_GRANTS)
                    if self._window_cap is not None:
                        self._count_in_window(self._last_grant)
                    return self._last_grant
                # A priority caller arriving during this sleep becomes the front and takes the
                # token this caller was waiting for; on waking it finds it is no longer first.
                await self._sleep(delay)
        finally:
            if queue and queue[0] is me:
                queue.popleft()
            else:
                queue.remove(me)  # cancelled while queued behind others
            front = self._front()
            if front is not None:
                front.set()

    def finished(self, grant: int) -> None:
        """The send that took token `grant` is over (answered, refused or failed): it is
        counted in the last second from now on, rather than from when its token was taken.
        It arrived (if it did) by now, so a second counted from now holds its arrival
        whatever delayed it. A `grant` not of this bucket, finished already, or forgotten
        (`_count_in_window` forgets unfinished ones over a second old once it holds many) is
        ignored."""
        stamp = self._stamps.pop(grant, None)
        if stamp is None:
            return
        now = self._monotonic()
        if stamp > now - 1.0:  # its entry is still in `_granted` (or it would not count)
            self._superseded.add(grant)
        self._granted.append((now, 0))  # the latest time counted: the order is kept

    def _count_in_window(self, grant: int) -> None:
        now = self._monotonic()
        self._granted.append((now, grant))
        stamps = self._stamps
        stamps[grant] = now
        # Sends over a second old are no longer moved by their answer (`finished`): an
        # unanswered one must not be kept for ever. Looked at only now and then: every send
        # is finished at once in practice, and `finished` checks a stamp's age anyway.
        if len(stamps) > _STAMPS_BEFORE_PRUNING:
            for old in [g for g, at in stamps.items() if at <= now - 1.0]:
                del stamps[old]

    def _front(self) -> asyncio.Event | None:
        if self._priority and (not self._bulk or self._streak < self._priority_run):
            return self._priority[0]
        if self._bulk:
            return self._bulk[0]
        return None

    def _delay(self, reserve: bool) -> float:
        now = self._monotonic()
        if now < self._paused_until:
            return self._paused_until - now
        self._refill(now)
        window_wait = self._window_wait(now)
        missing = 1.0 + (self._reserve if reserve else 0.0) - self._tokens
        if missing <= _EPSILON:
            return window_wait
        return max(window_wait, missing / self.rate)

    def _window_wait(self, now: float) -> float:
        if self._window_cap is None:
            return 0.0
        granted, superseded = self._granted, self._superseded
        while granted and (granted[0][0] <= now - 1.0 or granted[0][1] in superseded):
            superseded.discard(granted.popleft()[1])
        counted = len(granted) - len(superseded)
        if counted < self._window_cap:
            return 0.0
        # A place comes free when the (counted - cap + 1)-th counted entry leaves the second.
        leaving = counted - self._window_cap + 1
        for at, grant in granted:
            if grant not in superseded:
                leaving -= 1
                if leaving == 0:
                    return at + 1.0 - now
        raise AssertionError("unreachable: counted entries are in `_granted`")

    def _refill(self, now: float) -> None:
        if now > self._updated:
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now


@dataclass(frozen=True)
class RateLimits:
    """A platform's limits. The defaults are Telegram's published ones.

    Bursts default to one token (the global one to a quarter of the rate). A token bucket
    refilling at r with burst b lets r + b messages into a one-second window, and platforms
    count strictly enough to answer 429 to the extra ones; so the global bucket is capped at
    the limit in any one second (`global_window_cap`, each send counted until its answer and
    a second beyond) and refills at the limit less `global_margin`. The burst is what answers
    a crowd at once; a broadcast may use only `effective_global_bulk_burst` of it, which lets
    a worker that woke late catch up: with a burst of one, every late wake-up of a busy event
    loop lost the rest of its token, and a fan-out at 400/s ran at 75/s. Chats and groups
    refill `chat_margin` slower than their limits (arrival jitter).
    """

    global_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: float = 20.0
    global_burst: float | None = None
    chat_burst: float = 1.0
    group_burst: float = 1.0
    chat_margin: float = CHAT_MARGIN
    global_margin: float = GLOBAL_MARGIN

    def effective_global_burst(self) -> float:
        if self.global_burst is not None:
            return self.global_burst
        # Room for a crowd of replies (GLOBAL_BURST_SHARE); a broadcast's share of it
        # (`effective_global_bulk_burst`) absorbs the event loop waking late: with a burst of
        # exactly one, every late wake-up lost its share of a token (bench/discord measured
        # 0.92 of the limit).
        return max(1.0, self.global_per_second * GLOBAL_BURST_SHARE)

    def effective_global_bulk_burst(self) -> float:
        """What a broadcast may send at once (GLOBAL_BULK_BURST_SHARE of a second's sends)."""
        share = max(1.0, self.global_per_second * GLOBAL_BULK_BURST_SHARE)
        return min(share, self.effective_global_burst())

    def global_refill_per_second(self) -> float:
        return max(self.global_per_second * (1 - self.global_margin), 0.5)

    def global_window_cap(self) -> int:
        """The most sends the global bucket lets into any one second: the whole limit, since
        each send is counted until its answer and a second beyond (`TokenBucket.finished`),
        which holds its arrival however late it came."""
        return max(1, math.floor(self.global_per_second + _EPSILON))

    def chat_refill_per_second(self) -> float:
        """A chat's rate with the margin kept under its limit (see CHAT_MARGIN)."""
        return self.per_chat_per_second / (1 + self.chat_margin)

    def group_refill_per_second(self) -> float:
        return self.per_group_per_minute / 60.0 / (1 + self.chat_margin)


TELEGRAM_LIMITS = RateLimits()
# Discord: 50 requests a second per bot; about 5 messages per 5 seconds per channel.
DISCORD_LIMITS = RateLimits(
    global_per_second=50.0,
    per_chat_per_second=1.0,
    per_group_per_minute=60.0,
    chat_burst=5.0,
    group_burst=5.0,
)


@dataclass(frozen=True, slots=True)
class Grant:
    """The tokens one send took: its chat's (for `PlatformLimiter.answered`) and the
    platform's global one (for `PlatformLimiter.finished`)."""

    chat: int
    platform: int


class PlatformLimiter:
    """The buckets of one platform: global, per chat and per group or channel.

    Per-chat buckets are created on first use and forgotten once they have refilled and no one
    waits on them (a full bucket behaves exactly like a new one), so a fan-out to 100,000 chats
    keeps only the buckets of chats sent to in the last few seconds.

    `shared` (several processes on one PostgreSQL store): every send also takes a slot of the
    platform's limit shared with the other processes (bot.delivery.shared_pace), and a
    refusal is shared with them. Without it (SQLite, one process) the buckets here are all.
    """

    def __init__(
        self,
        limits: RateLimits,
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        keep_idle_buckets: int = 256,
    ) -> None:
        self.limits = limits
        self._monotonic = monotonic
        self._sleep = sleep
        self._keep_idle = keep_idle_buckets
        self.global_bucket = TokenBucket(
            limits.global_refill_per_second(),
            limits.effective_global_burst(),
            bulk_burst=limits.effective_global_bulk_burst(),
            monotonic=monotonic,
            sleep=sleep,
            window_cap=limits.global_window_cap(),
        )
        self._chats: OrderedDict[ChatRef, TokenBucket] = OrderedDict()
        self._groups: OrderedDict[ChatRef, TokenBucket] = OrderedDict()
        self.shared: SharedPacer | None = None

    def share(self, pacer: SharedPacer) -> None:
        """Take a slot of `pacer` for every send, besides this process's own tokens."""
        self.shared = pacer

    @property
    def tracked_buckets(self) -> int:
        return len(self._chats) + len(self._groups)

    async def acquire(self, chat: Chat, *, priority: bool = False) -> Grant:
        """Wait until `chat` may be sent one message, and claim that send. Returns the
        tokens taken, for `answered` and `finished`."""
        while True:
            chat_bucket = self._chat_bucket(chat.ref)
            chat_grant = await chat_bucket.acquire(priority)
            group = self._group_bucket(chat)
            if group is not None:
                await group.acquire(priority)
            grant = Grant(chat_grant, await self.global_bucket.acquire(priority))
            if self.shared is None:
                return grant
            await self.shared.take(self.global_bucket.waiting)
            # Another process's refusal, learnt with the slot: the chat waits after all.
            if chat_bucket.paused_for() <= 0 and self.global_bucket.paused_for() <= 0:
                return grant

    def finished(self, grant: Grant) -> None:
        """The send that took `grant` is over, whatever its outcome: the global count of the
        last second holds it from now (`TokenBucket.finished`). Call it for every send made,
        as soon as its request is done."""
        self.global_bucket.finished(grant.platform)

    def answered(self, chat: Chat, grant: Grant) -> None:
        """The send that took `grant` got the platform's answer: the chat's next
        send is due a whole interval of its limit after now (`TokenBucket.answered`), which
        keeps replies to a fan who asks again a second later from waiting the margin's extra
        tenth, and a send after a slow one from arriving too soon. Only for a chat limit that
        is a plain spacing (a burst of one, as Telegram's); a limit with a burst (Discord's
        five in five seconds) and groups' twenty a minute are counts per window, and keep
        their margin."""
        bucket = self._chats.get(chat.ref)
        if bucket is not None and bucket.burst <= 1.0:
            bucket.answered(grant.chat, 1.0 / self.limits.per_chat_per_second)

    def pause_chat(self, ref: ChatRef, seconds: float) -> None:
        """Another process was told this chat must wait `seconds`: this process waits too."""
        self._chat_bucket(ref).pause(seconds)
        group = self._groups.get(ref)
        if group is not None:
            group.pause(seconds)

    def chat_wait_estimate(self, chat: Chat) -> float:
        """How long a bulk send to `chat` would wait on that chat's own limits alone."""
        wait = 0.0
        bucket = self._chats.get(chat.ref)
        if bucket is not None:
            wait = bucket.wait_estimate()
        if chat.kind in (ChatKind.GROUP, ChatKind.CHANNEL):
            group = self._groups.get(chat.ref)
            if group is not None:
                wait = max(wait, group.wait_estimate())
        return wait

    def chat_interval(self, chat: Chat) -> float:
        """The spacing the chat's own limits (and their margin) impose between two sends."""
        interval = 1.0 / self.limits.chat_refill_per_second()
        if chat.kind in (ChatKind.GROUP, ChatKind.CHANNEL):
            interval = max(interval, 1.0 / self.limits.group_refill_per_second())
        return interval

    def pause(self, seconds: float) -> None:
        """Every send on this platform waits `seconds`."""
        self.global_bucket.pause(seconds)

    def refused(self, chat: Chat, seconds: float, *, platform_wide: bool = False) -> bool:
        """The platform answered "retry after `seconds`" to a send to `chat`: that chat waits.
        Every send waits too only when the platform said the limit hit was its global one
        (`platform_wide`). Returns whether the whole platform was paused."""
        self._chat_bucket(chat.ref).pause(seconds)
        group = self._group_bucket(chat)
        if group is not None:
            group.pause(seconds)
        if platform_wide:
            self.pause(seconds)
        if self.shared is not None:
            self.shared.note_pause(None if platform_wide else chat.ref.id, seconds)
        return platform_wide

    def paused_for(self) -> float:
        return self.global_bucket.paused_for()

    def _chat_bucket(self, ref: ChatRef) -> TokenBucket:
        return self._bucket(
            self._chats, ref, self.limits.chat_refill_per_second(), self.limits.chat_burst
        )

    def _group_bucket(self, chat: Chat) -> TokenBucket | None:
        if chat.kind not in (ChatKind.GROUP, ChatKind.CHANNEL):
            return None
        rate = self.limits.group_refill_per_second()
        return self._bucket(self._groups, chat.ref, rate, self.limits.group_burst)

    def _bucket(
        self, table: OrderedDict[ChatRef, TokenBucket], ref: ChatRef, rate: float, burst: float
    ) -> TokenBucket:
        bucket = table.get(ref)
        if bucket is None:
            bucket = TokenBucket(rate, burst, monotonic=self._monotonic, sleep=self._sleep)
            table[ref] = bucket
            self._forget_rested(table)
        else:
            table.move_to_end(ref)
        return bucket

    def _forget_rested(self, table: OrderedDict[ChatRef, TokenBucket]) -> None:
        # Least recently used first. A bucket still in use goes to the back, and only a few
        # are looked at per call, so this stays cheap while the table stays near the number
        # of chats actually being sent to (plus `keep_idle_buckets`).
        for _ in range(_PRUNE_LOOKS):
            if len(table) <= self._keep_idle:
                return
            ref, oldest = next(iter(table.items()))
            if oldest.at_rest():
                del table[ref]
            else:
                table.move_to_end(ref)
