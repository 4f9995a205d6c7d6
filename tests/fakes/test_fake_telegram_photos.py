"""FakeTelegram's sendPhoto: the real python-telegram-bot's multipart upload passes and is kept
byte for byte; what Telegram refuses (a caption over 1024 characters, a file that is no image,
a photo part that was never uploaded) is refused."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest

from tests.fakes.telegram_api import FakeTelegram

CHAT = 1001


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def lax() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(allow_violations=True) as server:
        yield server


async def _bot(server: FakeTelegram) -> Bot:
    bot = Bot(server.token, base_url=server.base_url, base_file_url=server.base_file_url)
    await bot.initialize()
    return bot


async def test_a_photo_upload_is_kept_with_its_caption_and_spoiler() -> None:
    async with FakeTelegram() as fake:
        bot = await _bot(fake)
        png = tiny_png()
        sent = await bot.send_photo(
            CHAT,
            photo=png,
            filename="chart.png",
            caption="<b>Standings</b> after round 1",
            parse_mode=ParseMode.HTML,
            has_spoiler=True,
        )
        await bot.shutdown()
    assert sent.has_media_spoiler and sent.caption == "Standings after round 1"
    assert (sent.photo[-1].width, sent.photo[-1].height) == (3, 2)
    (kept,) = fake.sent(CHAT)
    assert kept.photo is not None
    assert (kept.photo.data, kept.photo.filename) == (png, "chart.png")
    assert kept.has_spoiler and kept.text == "Standings after round 1"


async def test_a_caption_over_1024_characters_is_refused(lax: FakeTelegram) -> None:
    bot = await _bot(lax)
    with pytest.raises(BadRequest):
        await bot.send_photo(CHAT, photo=tiny_png(), caption="x" * 1025)
    await bot.shutdown()
    assert "caption is too long: 1025 characters" in lax.violations[0].problems[0]
    assert lax.sent(CHAT) == []


async def test_a_file_that_is_no_image_is_refused(lax: FakeTelegram) -> None:
    bot = await _bot(lax)
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(CHAT, photo=b"not a picture", filename="chart.png")
    await bot.shutdown()
    assert lax.sent(CHAT) == []
