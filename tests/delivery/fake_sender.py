"""A fake platform for delivery tests: it enforces limits the way a real one does.

`FakeSender` answers RetryAfter when its global or per-chat rate is exceeded (and counts every
such refusal), and can be scripted per chat: blocked, migrated, failing transiently for N
attempts, failing permanently, rate-limited. It records every message the "platform" accepted,
in order, with the time it arrived. With `max_length` a post longer than that is split into
several messages, as Telegram's 4096 characters split a long one (it is a `PartSender`).
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
    part: int = 0  # which message of the post


@dataclass(frozen=True)
class Part:
    """One message of a post, as `FakeSender.split` makes it."""

    title: str | None
    text: str
    index: int


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
    slow: dict[str, float] = field(default_factory=dict)  # chat id -> its latency instead
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
    # (chat id, message index) -> transient failures left for that message of a post
    transient_parts: dict[tuple[str, int], int] = field(default_factory=dict)
    max_length: int | None = None  # a longer post goes out as several messages
    chat_pause_violations: int = 0  # sends to a chat while its own "retry after" lasted

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
        self._chat_forced: dict[str, tuple[float, float]] = {}  # id -> (seconds, times left)
        self._chat_paused_until: dict[str, float] = {}

    def throttle_next(self, seconds: float) -> None:
        """The next send is answered RetryAfter(seconds) for the whole platform (its global
        limit, as Discord says); any send before that time passes is a violation and is
        refused again."""
        self._forced.append(seconds)

    def throttle_chat(self, chat_id: str, seconds: float, times: float = 1) -> None:
        """The next `times` sends to this chat (math.inf: all) are answered RetryAfter(seconds),
        as the platform's flood control for one chat does; a send to it before that time
        passes is a violation and is refused again. Other chats are not affected."""
        self._chat_forced[chat_id] = (seconds, times)

    def texts_for(self, chat_id: str) -> list[str | None]:
        return [d.title for d in self.delivered if d.chat_id == chat_id]

    def split(self, chat: Chat, reply: Reply) -> list[Part]:
        text = reply_text(reply)
        size = self.max_length or max(1, len(text))
        chunks = [text[i : i + size] for i in range(0, len(text), size)] or [""]
        return [Part(reply.title, chunk, index) for index, chunk in enumerate(chunks)]

    async def send(self, chat: Chat, reply: Reply) -> str | None:
        """The whole post at once, as a sender that knows nothing of limits would send it."""
        message_id: str | None = None
        for part in self.split(chat, reply):
            message_id = await self.send_part(chat, part)
        return message_id

    async def send_part(self, chat: Chat, part: Part) -> str | None:
        now = self.monotonic()
        chat_id = chat.ref.id
        self.attempts.append((chat_id, now))
        self._refuse_if_limited(chat_id, now)
        self._raise_scripted(chat_id)
        if self.transient_parts.get((chat_id, part.index), 0) > 0:
            self.transient_parts[(chat_id, part.index)] -= 1
            raise TransientError("502 Bad Gateway")
        latency = self.slow.get(chat_id, self.latency)
        if latency:
            await asyncio.sleep(latency)
        message_id = str(next(self._ids))
        record = Delivered(chat_id, part.title, part.text, self.monotonic(), message_id, part.index)
        if self.on_delivered is not None:
            outcome = self.on_delivered(record)
            if inspect.isawaitable(outcome):
                await outcome
        if self.ack_latency:
            await asyncio.sleep(self.ack_latency)
        self.delivered.append(record)
        return message_id

    def _refuse_if_limited(self, chat_id: str, now: float) -> None:
        if now < self._chat_paused_until.get(chat_id, -math.inf):
            self.chat_pause_violations += 1
            self.retry_afters += 1
            raise RetryAfter(self._chat_paused_until[chat_id] - now)
        if chat_id in self._chat_forced:
            seconds, times = self._chat_forced[chat_id]
            if times <= 1:
                del self._chat_forced[chat_id]
            else:
                self._chat_forced[chat_id] = (seconds, times - 1)
            self._chat_paused_until[chat_id] = now + seconds
            self.retry_afters += 1
            raise RetryAfter(seconds)
        if now < self._paused_until:
            self.pause_violations += 1
            self.retry_afters += 1
            raise RetryAfter(self._paused_until - now, platform_wide=True)
        if self._forced:
            seconds = self._forced.pop(0)
            self._paused_until = now + seconds
            self.pauses.append((now, self._paused_until))
            raise RetryAfter(seconds, platform_wide=True)
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
