"""The soak's multi-part post: one admin announcement longer than a Telegram message (4,096
characters) and a Discord one (2,000), so each platform gets it in several messages.

It goes into the outbox the way the bot's /announce puts it there (a "free" post to every
active chat), before the bot's first start. Every line of it is numbered, so the ledger can
check, chat by chat, that every line arrived (every part) and none twice, however the bot
cut it into messages: a repeated line is a repeated part.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bench._soak_support import KEEP_WHOLE, Arrival
from bot.store.protocol import Store
from bot.store.records import OutboxItem

MARK = KEEP_WHOLE  # the fakes keep a message holding it whole
LINES = 60
FREE_POST = "free"  # the outbox kind of an admin's post (bot.scheduling.announcer)


def text() -> str:
    filler = "the season goes on, every part of this post must arrive exactly once"
    return "\n".join(f"{MARK}{n:03d} of {LINES}: {filler}." for n in range(1, LINES + 1))


async def enqueue(store: Store, at: datetime) -> tuple[str, int]:
    """The long post to every active chat, due at `at`; (its key, its recipients)."""
    refs = [chat.ref for chat, _ in await store.audience() if chat.active]
    key = f"free|{at.isoformat()}|soak-long"
    item = OutboxItem(key, FREE_POST, "free", at, {"text": text()})
    await store.enqueue(item, refs)
    return key, len(refs)


def is_part(arrival: Arrival) -> bool:
    return MARK in arrival.text


_LINE = re.compile(re.escape(MARK) + r"(\d{3}) of")


def lines_of(arrival: Arrival) -> list[int]:
    """The numbered lines a message holds (a platform may join the lines of a paragraph)."""
    return [int(number) for number in _LINE.findall(arrival.text)]


@dataclass
class LongLedger:
    recipients: int
    parts: Counter[str]  # platform -> messages received
    complete: Counter[str]  # platform -> chats that got every line
    repeated: int  # chats that got some line twice
    repeated_unexplained: int  # ... with no copy the bot could not know it had sent

    def figures(self) -> dict[str, object]:
        return {
            "recipients": self.recipients,
            "chats_complete": sum(self.complete.values()),
            "complete_telegram": self.complete["telegram"],
            "complete_discord": self.complete["discord"],
            "messages_telegram": self.parts["telegram"],
            "messages_discord": self.parts["discord"],
            "chats_with_a_part_twice": self.repeated,
            "parts_twice_unexplained": self.repeated_unexplained,
        }


def ledger(
    arrivals: list[Arrival],
    recipients: int,
    unrecorded: Callable[[Arrival], bool],
    chat_of: Callable[[Arrival], tuple[str, str]],
) -> LongLedger:
    """Per chat: every line once. A line twice is a part sent twice, allowed only where one
    of the chat's copies was never recorded by the bot (a lost answer, in flight at a kill)."""
    by_chat: dict[tuple[str, str], list[Arrival]] = {}
    for arrival in arrivals:
        by_chat.setdefault(chat_of(arrival), []).append(arrival)
    parts: Counter[str] = Counter()
    complete: Counter[str] = Counter()
    repeated = unexplained = 0
    for (platform, _), got in by_chat.items():
        parts[platform] += len(got)
        seen = Counter(n for arrival in got for n in lines_of(arrival))
        if set(seen) == set(range(1, LINES + 1)):
            complete[platform] += 1
        if any(count > 1 for count in seen.values()):
            repeated += 1
            unexplained += not any(unrecorded(arrival) for arrival in got)
    return LongLedger(recipients, parts, complete, repeated, unexplained)
