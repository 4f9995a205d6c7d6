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

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from bot.core.audience import Chat
from bot.core.reply import Reply
from bot.store.records import OutboxItem

__all__ = ["Composer", "PartSender", "Sender"]


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


@runtime_checkable
class PartSender(Protocol):
    """A `Sender` whose posts can run to several messages (Telegram's 4096 characters).

    The engine then sends them itself, one at a time: each message takes its own tokens from
    the platform's limits (the second message to a chat waits for the chat's next token
    instead of meeting a 429), and each is recorded as it goes out, so a retry or a restart
    sends only the messages that did not. A sender without these methods is sent whole with
    `send()`, as one message.
    """

    def split(self, chat: Chat, reply: Reply) -> Sequence[Any]:
        """The messages `reply` becomes for `chat`, in order: usually one, never sent here."""
        ...

    async def send_part(self, chat: Chat, part: Any) -> str | None:
        """Send one of the messages `split()` made, once; returns or raises like `send()`."""
        ...


Composer = Callable[[OutboxItem, Chat], Reply | None]
