"""A composed post as the messages it goes out in, and the posts part-way out.

`split_post` asks the sender what messages a reply becomes for a chat (one, for a sender that
does not split); `send_part` sends one of them. `Drafts` keeps, per delivery, the messages of
a post whose first messages went out and whose rest waits (for the chat's next token, or for a
retry): the rest then goes out exactly as first composed. Composing it again could end a
message one word earlier or later (a countdown in the text got shorter) and repeat or drop
that word between two messages.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, cast

from bot.core.audience import Chat
from bot.core.reply import Reply
from bot.delivery.sender import PartSender, Sender

__all__ = ["Drafts", "send_part", "split_post", "splits"]

Parts = tuple[Any, ...]

# Posts part-way out are few (a long announcement, a big table, to chats limited to one
# message a second); past this many the oldest is composed again when it comes back.
MAX_DRAFTS = 10_000


# isinstance() against a runtime-checkable Protocol inspects every attribute of the protocol
# each time (it was a tenth of the engine's own CPU per message): asked once per sender class.
_SPLITS: dict[type[Any], bool] = {}


def splits(sender: Sender) -> bool:
    """Whether `sender` is a `PartSender` (whose posts can run to several messages)."""
    kind = type(sender)
    found = _SPLITS.get(kind)
    if found is None:
        found = _SPLITS[kind] = isinstance(sender, PartSender)
    return found


def split_post(sender: Sender, chat: Chat, reply: Reply) -> Parts:
    if splits(sender):
        return tuple(cast(PartSender, sender).split(chat, reply))
    return (reply,)


async def send_part(sender: Sender, chat: Chat, part: Any) -> str | None:
    if splits(sender):
        return await cast(PartSender, sender).send_part(chat, part)
    return await sender.send(chat, part)


class Drafts:
    def __init__(self, limit: int = MAX_DRAFTS) -> None:
        self._limit = max(1, limit)
        self._parts: OrderedDict[int, Parts] = OrderedDict()

    def __len__(self) -> int:
        return len(self._parts)

    def keep(self, delivery_id: int, parts: Parts) -> None:
        self._parts[delivery_id] = parts
        self._parts.move_to_end(delivery_id)
        while len(self._parts) > self._limit:
            self._parts.popitem(last=False)

    def pop(self, delivery_id: int) -> Parts | None:
        return self._parts.pop(delivery_id, None)
