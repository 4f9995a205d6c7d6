"""The terminal as a delivery platform: announcements appear between the prompt's answers.

`pitboard run` subscribes one console chat to everything, so a replay shows every preview,
reminder and start in order, each headed with the moment it went out in the chat's own zone.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.core.audience import Chat, ChatRef
from bot.core.clock import Clock
from bot.core.reply import Reply
from bot.frontends.console.repl import ConsolePoster

CONSOLE_CHAT = ChatRef("console", "terminal")


class ConsoleSender:
    platform = "console"

    def __init__(self, poster: ConsolePoster, clock: Clock) -> None:
        self._poster = poster
        self._clock = clock
        self._sent = 0

    async def send(self, chat: Chat, reply: Reply) -> str | None:
        local = self._clock.now().astimezone(ZoneInfo(chat.zone))
        header = f"{local:%a %d %b %H:%M} {local.tzname()}"
        if chat.spoiler_safe and reply.contains_results:
            reply = self._poster.writer.spoilers.cover(reply)
        await self._poster.post(reply, header=header)
        self._sent += 1
        return str(self._sent)
