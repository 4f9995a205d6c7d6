"""The Telegram sender posts a message exactly as `Bot.send_message` would, and reads only the
new message's id from the answer: building a whole `telegram.Message` for every post of a
fan-out was the largest part of its CPU per message (issue 11). Real PTB against the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot, Message
from telegram.constants import ParseMode

from bot.frontends.telegram.render import Button, TelegramMessage
from bot.frontends.telegram.sender import NO_LINK_PREVIEW, TelegramSender, keyboard_markup
from tests.fakes.telegram_api import FakeTelegram

FAN = 1001
PLAIN = TelegramMessage("<b>From Pitboard</b>\n\nRace 2 is delayed by 30 minutes.")
WITH_BUTTONS = TelegramMessage(
    "<b>Standings</b>",
    ((Button("Next", callback_data="/next"), Button("Site", url="https://example.org/")),),
)


@pytest.fixture
async def fake_and_bot() -> AsyncIterator[tuple[FakeTelegram, Bot]]:
    async with FakeTelegram() as fake:
        bot = Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
        await bot.initialize()
        try:
            yield fake, bot
        finally:
            await bot.shutdown()


@pytest.mark.parametrize("message", [PLAIN, WITH_BUTTONS], ids=["plain", "buttons"])
async def test_a_send_is_the_request_send_message_makes(
    fake_and_bot: tuple[FakeTelegram, Bot], message: TelegramMessage
) -> None:
    fake, bot = fake_and_bot
    sender = TelegramSender(bot, {})
    message_id = await sender.send_one(str(FAN), message)
    by_ptb = await bot.send_message(
        chat_id=FAN,
        text=message.text,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard_markup(message),
        link_preview_options=NO_LINK_PREVIEW,
    )
    ours, theirs = [r for r in fake.requests if r.method == "sendMessage"]
    assert ours.params == theirs.params
    assert message_id == str(by_ptb.message_id - 1)  # the fake numbers a chat's messages
    assert len(fake.sent(FAN)) == 2


async def test_a_send_builds_no_message_object(
    fake_and_bot: tuple[FakeTelegram, Bot], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, bot = fake_and_bot
    built: list[Any] = []
    original = Message.de_json.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Message], data: Any, bot: Bot | None = None) -> Message:
        built.append(data)
        return original(cls, data, bot)  # type: ignore[no-any-return]

    monkeypatch.setattr(Message, "de_json", classmethod(counting))
    sender = TelegramSender(bot, {})
    ids = [await sender.send_one(str(FAN + n), PLAIN) for n in range(3)]
    assert built == []
    assert ids == [str(fake.sent(FAN + n)[0].message_id) for n in range(3)]
