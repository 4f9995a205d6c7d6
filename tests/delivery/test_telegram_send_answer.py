"""The Telegram sender posts a message exactly as `Bot.send_message` would, and reads only the
new message's id from the answer: building a whole `telegram.Message` for every post of a
fan-out was the largest part of its CPU per message (issue 11). Real PTB against the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.payload import BytesPayload
from telegram import Bot, Message
from telegram.constants import ParseMode

from bot.frontends.telegram import transport
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


def test_a_plain_send_is_form_encoded_as_aiohttp_encodes_a_dict() -> None:
    fields = {
        "chat_id": "-1001234",
        "text": "<b>Ré 2</b> & co: 30 min delay? ✓\nyes = 100%",
        "link_preview_options": '{"is_disabled": true}',
    }
    ours = transport._form_urlencoded(fields)
    theirs = aiohttp.FormData(fields)()
    assert isinstance(theirs, BytesPayload)
    assert ours.content_type == theirs.content_type
    assert ours.decode() == theirs.decode()


async def test_a_plain_send_builds_no_form_data(
    fake_and_bot: tuple[FakeTelegram, Bot], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a dict, aiohttp built a FormData (and a multipart writer with a random boundary)
    # for every message of a fan-out; the sends use the AiohttpRequest transport, as the bot.
    fake, _ = fake_and_bot
    forms: list[object] = []
    original = aiohttp.FormData.__init__

    def counting(self: aiohttp.FormData, *args: Any, **kwargs: Any) -> None:
        forms.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(aiohttp.FormData, "__init__", counting)
    bot = Bot(
        fake.token,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        request=transport.AiohttpRequest(),
    )
    await bot.initialize()
    try:
        message_id = await TelegramSender(bot, {}).send_one(str(FAN), WITH_BUTTONS)
    finally:
        await bot.shutdown()
    assert forms == []
    assert message_id == str(fake.sent(FAN)[0].message_id)
    assert fake.sent(FAN)[0].text == "Standings"
