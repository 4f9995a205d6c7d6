"""Webhook workers: each receives some of the bot's updates, each answers its own chats.

With `telegram.webhook_workers = N` (N > 1, PostgreSQL), N processes run the webhook server,
each on its own port behind one reverse proxy that spreads Telegram's pushes over them. A
worker that receives an update keeps it in the store under its chat's partition (chat id
modulo N) and answers Telegram once it is kept (bot.store.relay); worker
`telegram.webhook_worker` takes its own partition's updates, in update order, and hands them
to its python-telegram-bot Application, as if it had received them itself: at once when
another worker kept them (the store tells it: LISTEN/NOTIFY), and by a slow poll besides, for
a notification lost while the database connection was down. A chat's updates
are thus answered by one worker, in order, each once, and the per-fan throttle that worker
keeps in memory holds for the whole deployment. Updates of no chat (none the bot asks for
today) go to partition 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.store.relay import UpdateRelay

__all__ = ["RelayWorker", "partition_of"]

log = logging.getLogger("pitboard.telegram")

# A worker looks for its updates this often when nothing woke it: a safety net, since the
# store wakes it when another worker keeps one; and this often while it cannot listen (the
# database is away). It takes at most this many at a time.
POLL_SECONDS = 5.0
DEAF_POLL_SECONDS = 0.5
TAKE_AT_ONCE = 100
_CHAT_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
)


def partition_of(update: dict[str, Any], workers: int) -> int:
    """The worker whose chats this update is about: chat id modulo `workers`."""
    chat_id: Any = None
    for kind in _CHAT_KINDS:
        if isinstance(update.get(kind), dict):
            chat_id = update[kind].get("chat", {}).get("id")
            break
    else:
        query = update.get("callback_query")
        if isinstance(query, dict):
            message = query.get("message") or {}
            chat_id = message.get("chat", {}).get("id") or query.get("from", {}).get("id")
    try:
        return int(chat_id) % workers
    except (TypeError, ValueError):
        return 0


class RelayWorker:
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        relay: UpdateRelay,
        *,
        worker: int,
        workers: int,
    ) -> None:
        if not 0 <= worker < workers:
            raise ValueError(f"webhook worker {worker} is not one of 0..{workers - 1}")
        self._application = application
        self._relay = relay
        self.worker = worker
        self.workers = workers
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.handed = 0  # updates handed to this worker's Application

    async def receive(self, update: dict[str, Any]) -> None:
        """An update this worker's server received: kept for the worker of its chat."""
        part = partition_of(update, self.workers)
        kept = await self._relay.relay_update(int(update["update_id"]), part, json.dumps(update))
        if kept and part == self.worker:
            self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="telegram-relay")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _listen(self) -> bool:
        try:
            return await self._relay.watch_relayed_updates(self.worker, self._wake.set)
        except Exception as error:
            log.warning("telegram relay: cannot listen for updates: %s", type(error).__name__)
            return False

    async def _run(self) -> None:
        while True:
            # Before taking: an update kept from now on wakes the wait below.
            listening = await self._listen()
            try:
                taken = await self._relay.take_relayed_updates(self.worker, TAKE_AT_ONCE)
            except Exception as error:  # the database is away: try again, lose nothing
                log.warning("telegram relay: could not take updates: %s", type(error).__name__)
                taken = []
            for _, body in taken:
                update = Update.de_json(json.loads(body), self._application.bot)
                if update is not None:
                    await self._application.update_queue.put(update)
                    self.handed += 1
            if len(taken) < TAKE_AT_ONCE:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(POLL_SECONDS if listening else DEAF_POLL_SECONDS):
                        await self._wake.wait()
                self._wake.clear()
