"""FakeTelegram's documents: a user's document arrives as an update the real
python-telegram-bot reads, getFile hands out its path, and the download returns the bytes; a
wrong file id or token is refused as Telegram refuses it."""

from __future__ import annotations

import aiohttp
import pytest
from telegram import Bot, Update
from telegram.error import BadRequest

from tests.fakes.telegram_api import FakeTelegram

ADMIN = 7
CSV = "pos,number,driver\n1,7,Jessica Bäckman\n".encode()


async def _bot(server: FakeTelegram) -> Bot:
    bot = Bot(server.token, base_url=server.base_url, base_file_url=server.base_file_url)
    await bot.initialize()
    return bot


async def test_a_document_update_is_read_and_downloaded_byte_for_byte() -> None:
    async with FakeTelegram() as fake:
        fake.push_document(ADMIN, "race-1.csv", CSV, caption="/import tcr/race-1")
        bot = await _bot(fake)
        (update,) = await bot.get_updates()
        message = Update.de_json(update.to_dict(), bot).message
        assert message is not None and message.document is not None
        assert message.document.file_name == "race-1.csv"
        assert message.caption == "/import tcr/race-1"
        assert [e.type for e in message.caption_entities] == ["bot_command"]
        file = await message.document.get_file()
        data = await file.download_as_bytearray()
        await bot.shutdown()
    assert bytes(data) == CSV
    assert fake.downloads() == [file.file_path.rpartition("/file/bot")[2].partition("/")[2]]


async def test_an_unknown_file_id_is_refused() -> None:
    async with FakeTelegram() as fake:
        bot = await _bot(fake)
        with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
            await bot.get_file("nope")
        await bot.shutdown()


async def test_the_download_needs_the_bots_own_token_and_a_path_it_handed_out() -> None:
    async with FakeTelegram() as fake:
        fake.push_document(ADMIN, "race-1.csv", CSV)
        bot = await _bot(fake)
        (update,) = await bot.get_updates()
        assert update.message is not None and update.message.document is not None
        file = await update.message.document.get_file()
        await bot.shutdown()
        assert file.file_path is not None
        other_token = file.file_path.replace(fake.token, "999:OtherBotsToken")
        unknown_path = file.file_path.rpartition("/")[0] + "/file_99.csv"
        async with aiohttp.ClientSession() as session:
            for url in (other_token, unknown_path):
                async with session.get(url) as response:
                    assert response.status == 404
            async with session.get(file.file_path) as response:
                assert response.status == 200 and await response.read() == CSV
    statuses = [r.status for r in fake.requests if r.method == "file download"]
    assert statuses == [404, 404, 200]
