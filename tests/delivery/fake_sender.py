"""A fake platform for delivery tests: it enforces limits the way a real one does.

`FakeSender` answers RetryAfter when its global or per-chat rate is exceeded (and counts every
such refusal), and can be scripted per chat: blocked, migrated, failing transiently for N
attempts, failing permanently. It records every message the "platform" accepted, in order,
with the time it arrived.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.core.audience import Chat
from bot.core.reply import Paragraph, Reply, plain_text
from bot.delivery.errors import (
    ChatBlocked,
    ChatMigrated,
    PermanentError,
    RetryAfter,
    TransientError,
)


@dataclass(frozen=True)
class Delivered:
    chat_id: str
    title: str | None
    text: str
    at: float  # the sender's monotonic clock
    message_id: str


def reply_text(reply: Reply) -> str:
    lines = [
        plain_text(line)
        for block in reply.blocks
        if isinstance(block, Paragraph)
        for line in block.lines
    ]
    return "\n".join(lines)


class _Window:
    """A token bucket that refuses instead of waiting (what the platform does)."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = now

    def wait(self, now: float) -> float:
        """0 if a token is free now, else how long until one is."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1.0 - 1e-9 else (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1.0


@dataclass
class FakeSender:
    platform: str = "telegram"
    rate_per_second: float | None = None  # global limit; None: unlimited
    burst: float = 1.0
    per_chat_per_second: float | None = None
    chat_burst: float = 1.0
    monotonic: Callable[[], float] = time.monotonic
    latency: float = 0.0  # seconds before the platform has the message
    ack_latency: float = 0.0  # seconds after that before send() returns (the response's way back)
    # Told of each message the platform accepted, before send() returns (may be async).
    on_delivered: Callable[[Delivered], Awaitable[None] | None] | None = None

    delivered: list[Delivered] = field(default_factory=list)
    attempts: list[tuple[str, float]] = field(default_factory=list)
    retry_afters: int = 0  # 429s answered because a limit was exceeded (or a pause ignored)
    pause_violations: int = 0  # sends attempted while a forced pause was in effect
    blocked: set[str] = field(default_factory=set)
    migrations: dict[str, str] = field(default_factory=dict)
    migrated_answers: int = 0
    transient: dict[str, int] = field(default_factory=dict)  # chat id -> failures left
    permanent: set[str] = field(default_factory=set)
    crash: dict[str, int] = field(default_factory=dict)  # chat id -> RuntimeErrors left

    def __post_init__(self) -> None:
        now = self.monotonic()
        self._global = (
            _Window(self.rate_per_second, self.burst, now) if self.rate_per_second else None
        )
        self._chats: dict[str, _Window] = {}
        self._ids = itertools.count(1)
        self._forced: list[float] = []  # pauses still to hand out on the next sends
        self._paused_until = -math.inf
        self.pauses: list[tuple[float, float]] = []  # (from, until) of each forced pause

    def throttle_next(self, seconds: float) -> None:
        """The next send is answered RetryAfter(seconds); any send before that time passes is
        a violation and is refused again."""
        self._forced.append(seconds)

    def texts_for(self, chat_id: str) -> list[str | None]:
        return [d.title for d in self.delivered if d.chat_id == chat_id]

    async def send(self, chat: Chat, reply: Reply) -> str | None:
        now = self.monotonic()
        chat_id = chat.ref.id
        self.attempts.append((chat_id, now))
        self._refuse_if_limited(chat_id, now)
        self._raise_scripted(chat_id)
        if self.latency:
            await asyncio.sleep(self.latency)
        message_id = str(next(self._ids))
        record = Delivered(chat_id, reply.title, reply_text(reply), self.monotonic(), message_id)
        if self.on_delivered is not None:
            outcome = self.on_delivered(record)
            if inspect.isawaitable(outcome):
                await outcome
        if self.ack_latency:
            await asyncio.sleep(self.ack_latency)
        self.delivered.append(record)
        return message_id

    def _refuse_if_limited(self, chat_id: str, now: float) -> None:
        if now < self._paused_until:
            self.pause_violations += 1
            self.retry_afters += 1
            raise RetryAfter(self._paused_until - now)
        if self._forced:
            seconds = self._forced.pop(0)
            self._paused_until = now + seconds
            self.pauses.append((now, self._paused_until))
            raise RetryAfter(seconds)
        windows = []
        if self.per_chat_per_second is not None:
            window = self._chats.get(chat_id)
            if window is None:
                window = _Window(self.per_chat_per_second, self.chat_burst, now)
                self._chats[chat_id] = window
            windows.append(window)
        if self._global is not None:
            windows.append(self._global)
        wait = max((w.wait(now) for w in windows), default=0.0)
        if wait:
            self.retry_afters += 1
            raise RetryAfter(wait)
        for window in windows:
            window.take()

    def _raise_scripted(self, chat_id: str) -> None:
        if chat_id in self.blocked:
            raise ChatBlocked("Forbidden: bot was blocked by the user")
        if chat_id in self.migrations:
            self.migrated_answers += 1
            raise ChatMigrated(self.migrations[chat_id])
        if self.transient.get(chat_id, 0) > 0:
            self.transient[chat_id] -= 1
            raise TransientError("502 Bad Gateway")
        if self.crash.get(chat_id, 0) > 0:
            self.crash[chat_id] -= 1
            raise RuntimeError("a bug in the sender")
        if chat_id in self.permanent:
            raise PermanentError("Bad Request: message is too long")
