"""The chat rows the feeder read with its claim, until a worker takes each delivery.

`Store.claim_with_chats` hands out each delivery with its chat's row, so a worker needs no
query of its own (that query was a quarter of the engine's database round trips per message).
A row read at the claim can be stale by the time of the send, so the store is asked again
when the chat moved since (`ChatMoves`), when this process deactivated it since (a blocked
bot: it may be active again, or not), and for a delivery back from parking (it waited for its
chat's limits, and may have waited a while). Anything else about a chat that changes between
claim and send (settings, a time zone) is as it was read at the claim, about a second before
at a slow platform's pace (see `QUEUE_SECONDS` in bot.delivery.engine).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bot.core.audience import Chat
from bot.delivery.moves import ChatMoves
from bot.store.protocol import Store
from bot.store.records import Delivery

__all__ = ["ClaimedChats"]


class ClaimedChats:
    def __init__(self, store: Store, moves: ChatMoves) -> None:
        self._store = store
        self._moves = moves
        self._chats: dict[int, Chat | None] = {}  # delivery id -> its chat as claimed

    def keep(self, batch: Iterable[tuple[Delivery, Chat | None]]) -> Iterator[Delivery]:
        """Remember each delivery's chat; yields the deliveries, in order, for the queue."""
        for delivery, chat in batch:
            self._chats[delivery.id] = chat
            yield delivery

    async def take(self, delivery: Delivery) -> Chat | None:
        """The delivery's chat (None: not stored): the row read with the claim when it is
        still good, else the store's row now."""
        read = delivery.id in self._chats
        claimed = self._chats.pop(delivery.id, None)
        ref = self._moves.current(delivery.chat)
        if read and ref == delivery.chat and not self._moves.deactivated(ref):
            return claimed
        return await self._store.get_chat(ref)

    async def recheck(self, chat: Chat) -> Chat | None:
        """`chat` as stored now if this process deactivated it since it was read; else as is."""
        if not self._moves.deactivated(chat.ref):
            return chat
        return await self._store.get_chat(chat.ref)

    def forget(self) -> None:
        """The engine stopped: deliveries claimed and never taken are given back to the store
        (`Store.release_leases`), and claimed again, by any process, with fresh rows."""
        self._chats.clear()
