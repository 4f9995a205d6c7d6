"""FakeTelegram's webhook side: once the bot calls setWebhook, updates are POSTed to its URL.

Like Telegram: each update goes out as JSON, in order, with the `secret_token` given to
setWebhook in the X-Telegram-Bot-Api-Secret-Token header; an answer other than 2xx means
"try again later". deleteWebhook (or getUpdates being refused) ends the pushing.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import aiohttp

from tests.fakes.telegram_state import TelegramState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_SECONDS = 0.2


class TelegramWebhook(TelegramState):
    """FakeTelegram.__init__ sets the attributes declared here."""

    webhook_url: str
    webhook_secret: str | None
    webhook_answers: list[int]  # the HTTP status of every push, in order
    _webhook_task: asyncio.Task[None] | None
    _closing: bool

    def _start_pushing(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._push_updates(), name="fake-webhook")

    async def _stop_pushing(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _push_updates(self) -> None:
        async with aiohttp.ClientSession() as session:
            while self.webhook_url and not self._closing:
                pending = self._take_updates({})
                if not pending:
                    await self._next_tick(1.0)
                    continue
                update = pending[0]
                status = await self._push(session, update)
                self.webhook_answers.append(status)
                self._notify()
                if 200 <= status < 300:
                    self._updates.remove(update)
                else:
                    await asyncio.sleep(RETRY_SECONDS)

    async def _push(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> int:
        headers = {SECRET_HEADER: self.webhook_secret} if self.webhook_secret else {}
        try:
            async with session.post(self.webhook_url, json=update, headers=headers) as answer:
                return answer.status
        except aiohttp.ClientError:
            return 0  # the bot's server is not listening (yet): like Telegram, try again
