"""Where a pressed button's hash is turned back into its command: the store, with an expiry.

Telegram allows 64 bytes of callback data; a longer command goes out as a hash (see
`render.command_callback`). The hash → command pairs are kept in the store rather than in
memory, so a button still works after a restart, and they expire: a keyboard from months ago
need not be answered, and the table stays small.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.frontends.telegram.render import TelegramMessage, hashed_callbacks, resolve_callback
from bot.store.protocol import Store

log = logging.getLogger("pitboard.telegram")

PLATFORM = "telegram"
CALLBACK_LIFETIME = timedelta(days=30)
# A fan-out sends the same keyboard to every chat: a pair written less than this long ago is
# not written again (its expiry moves on at the next write after that).
REFRESH_AFTER = timedelta(days=1)
RECENT_MEMORY = 10_000


class CallbackRegistry:
    def __init__(
        self, store: Store, clock: Clock, *, lifetime: timedelta = CALLBACK_LIFETIME
    ) -> None:
        self._store = store
        self._clock = clock
        self._lifetime = lifetime
        self._written: OrderedDict[str, datetime] = OrderedDict()  # hash -> when written

    async def remember(self, messages: Iterable[TelegramMessage]) -> None:
        """Keep the hashed buttons of `messages` (before they are sent: a fan may press at
        once). Expired pairs are cleared at the same time, which keeps the table bounded."""
        now = self._clock.now()
        fresh = {
            key: command
            for key, command in hashed_callbacks(messages).items()
            if (written := self._written.get(key)) is None or now - written >= REFRESH_AFTER
        }
        if not fresh:
            return
        await self._store.remember_callbacks(PLATFORM, fresh, now + self._lifetime)
        await self._store.forget_expired_callbacks(now)
        for key in fresh:
            self._written[key] = now
            self._written.move_to_end(key)
        while len(self._written) > RECENT_MEMORY:
            self._written.popitem(last=False)

    async def resolve(self, data: str) -> str | None:
        """The command a pressed button stands for; None for an unknown or expired hash."""
        command = resolve_callback(data, {})
        if command is not None:
            return command
        return await self._store.find_callback(PLATFORM, data, self._clock.now())
