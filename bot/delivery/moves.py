"""Chats that changed under the engine: moved to a new id, or gone (blocked, kicked).

Deliveries claimed before a Telegram group became a supergroup still name the old chat;
`ChatMoves` remembers each move (rare: a group is upgraded once), so workers about to send
there follow it, and records moves and deactivations in the store. It also remembers the
chats it deactivated, so that a worker holding a chat row read before knows to read it again.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace

from bot.core.audience import Chat, ChatRef
from bot.delivery.lane import LaneStats
from bot.store.protocol import Store, StoreError

__all__ = ["MAX_MIGRATION_HOPS", "ChatMoves"]

log = logging.getLogger("pitboard.delivery")

MAX_MIGRATION_HOPS = 3


class ChatMoves:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._moved: dict[ChatRef, ChatRef] = {}
        # Chats this process deactivated: a chat row read before (with a claim) is stale.
        self._deactivated: set[ChatRef] = set()

    async def migrate(self, chat: Chat, new_id: str, stats: LaneStats) -> Chat:
        new_ref = ChatRef(chat.ref.platform, new_id)
        log.info("chat %s moved to %s", chat.ref, new_ref)
        # Known before the store is rewritten, so other workers about to send there follow.
        self._moved[chat.ref] = new_ref
        with contextlib.suppress(StoreError):  # a chat that was never stored (a reply)
            await self._store.rewrite_chat(chat.ref, new_ref)
        stats.migrated += 1
        return replace(chat, ref=new_ref)

    def current(self, ref: ChatRef) -> ChatRef:
        for _ in range(MAX_MIGRATION_HOPS):  # bounded: a cycle of moves must not hang us
            moved = self._moved.get(ref)
            if moved is None:
                break
            ref = moved
        return ref

    def follow(self, chat: Chat) -> Chat:
        ref = self.current(chat.ref)
        return chat if ref == chat.ref else replace(chat, ref=ref)

    def deactivated(self, ref: ChatRef) -> bool:
        """Whether this process deactivated `ref` (it may have been reactivated since)."""
        return ref in self._deactivated

    async def deactivate(self, ref: ChatRef, reason: str, stats: LaneStats) -> None:
        log.info("chat %s deactivated: %s", ref, reason)
        self._deactivated.add(ref)
        with contextlib.suppress(StoreError):  # a chat that was never stored (a reply)
            await self._store.set_active(ref, False, reason)
        stats.blocked += 1
