"""What the engine needs from a front-end: a `Sender` per platform, and a `Composer`.

A sender knows one platform's API and nothing about queues, limits or retries: it renders a
`Reply` for a chat, sends it once and either returns the platform's message id or raises one of
the `bot.delivery.errors` classes. The engine owns everything else.

A composer turns an outbox item (an announcement, with its subject and payload) into the post
for one chat, in that chat's time zone and language. It returns None when the chat should not
get the item after all (it unsubscribed since the item was enqueued, the session was
cancelled): the delivery is then marked skipped, not failed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.core.audience import Chat
from bot.core.reply import Reply
from bot.store.records import OutboxItem

__all__ = ["Composer", "Sender"]


class Sender(Protocol):
    """Sends to one platform. Implemented by each front-end (and by test fakes)."""

    @property
    def platform(self) -> str:
        """The `ChatRef.platform` this sender serves, e.g. "telegram"."""
        ...

    async def send(self, chat: Chat, reply: Reply) -> str | None:
        """Send `reply` to `chat` once. Returns the platform's message id (None if the
        platform has none) or raises a `SendError` subclass saying what went wrong."""
        ...


Composer = Callable[[OutboxItem, Chat], Reply | None]
