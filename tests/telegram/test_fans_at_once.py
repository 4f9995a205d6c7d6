"""Every fan served at once, and a bot that survives what Telegram throws at it: end to end,
the real Runtime and PTB Application against the fake Bot API."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.core.audience import ChatKind, ChatRef
from bot.core.clock import FixedClock
from bot.core.reply import Choice, Reply, paragraph
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram.harness import (
    BEFORE_REMINDER,
    CHANNEL,
    FAN,
    GROUP,
    OTHER_FAN,
    QUIET_DAY,
    bot_on,
    containing,
    running_bot,
)

# One reply a minute per chat: a chat's second reply is held back by its own bucket for far
# longer than any test waits, so "B was answered while A's reply was held" needs no stopwatch.
SLOW_CHAT_RATE = 1 / 60


async def test_a_fan_is_answered_while_another_chats_reply_is_held_by_its_bucket(
    tmp_path: Path,
) -> None:
    async with running_bot(
        tmp_path, FixedClock(QUIET_DAY), channels=(), per_chat_per_second=SLOW_CHAT_RATE
    ) as (fake, runtime):
        assert runtime.telegram is not None
        runtime.telegram.stop_grace = 0.1  # A's held reply is cut short at the end
        fake.push_message(FAN, "/next")
        await fake.wait_for_message(FAN, containing("Free Practice"))
        fake.push_message(FAN, "/next")  # held: FAN's bucket has no token for a minute
        fake.push_message(OTHER_FAN, "/next")
        reply = await fake.wait_for_message(OTHER_FAN, timeout=20)
        assert "Free Practice" in reply.text
        assert len(fake.sent(FAN)) == 1, "FAN's second reply is still held by its own bucket"


async def test_a_chats_replies_keep_the_order_of_its_commands(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY), channels=()) as (fake, _):
        for command in ("/help", "/next", "/standings tcr-germany-2022"):
            fake.push_message(FAN, command)
        texts = [(await fake.wait_for_message(FAN, timeout=20)).text for _ in range(3)]
        assert "/standings" in texts[0]  # the command list
        assert "Free Practice" in texts[1]
        assert "ADAC TCR Germany 2022" in texts[2]


async def test_in_a_group_only_commands_for_this_bot_are_answered(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY), channels=()) as (fake, _):
        fake.add_chat(GROUP, "group", title="Fans")
        fake.push_message(GROUP, "/help@SomeOtherBot", user_id=4242)
        fake.push_message(GROUP, "/next@Pitboard_Test_Bot", user_id=4242)  # any case
        # A group's updates are handled in order: once /next is answered, /help was handled.
        await fake.wait_for_message(GROUP, containing("Free Practice"), timeout=20)
        assert len(fake.sent(GROUP)) == 1, [m.text[:40] for m in fake.sent(GROUP)]


async def test_a_hashed_button_still_works_after_a_restart(tmp_path: Path) -> None:
    # Longer than Telegram's 64 bytes of callback data: the button carries a hash.
    command = "/driver jessica       bäckman       tcr-germany-2022/oschersleben"
    assert len(command.encode()) > 64
    reply = Reply(title=None, blocks=(paragraph("Which one?"),), choices=(Choice("Her", command),))
    async with FakeTelegram() as fake:
        clock = FixedClock(QUIET_DAY)
        async with bot_on(fake, tmp_path, clock, channels=()) as runtime:
            assert runtime.telegram is not None
            chat = await runtime.router.settings.chat(
                ChatRef("telegram", str(FAN)), ChatKind.PRIVATE
            )
            await runtime.telegram.sender.send(chat, reply)
            question = await fake.wait_for_message(FAN)
            assert question.buttons[0][0]["callback_data"].startswith("#")
        async with bot_on(fake, tmp_path, clock, channels=()):  # a restart, same database
            fake.press(FAN, question.message_id, "Her")
            answer = await fake.wait_for_message(FAN, timeout=20)
            assert "Jessica Bäckman" in answer.text
            assert "expired" not in str(fake.callback_answers)


async def test_a_configured_channel_gets_the_post_that_is_overdue_at_the_first_start(
    tmp_path: Path,
) -> None:
    # A fresh database, started after the Hockenheim preview was due: the first plan sends it
    # late, and the channel from the config must be among its recipients.
    async with running_bot(tmp_path, FixedClock(BEFORE_REMINDER)) as (fake, _):
        post = await fake.wait_for_message(CHANNEL, containing("Hockenheim"), timeout=20)
        assert "24H Series" in post.text


async def test_a_channel_lookup_answered_with_nonsense_is_logged_and_survived(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="pitboard.telegram")
    async with running_bot(
        tmp_path,
        FixedClock(QUIET_DAY),
        before_start=lambda fake: fake.answer_next("getChat", True),
    ) as (fake, runtime):
        assert "@tcrnews" in runtime.health.problems()
        assert any("@tcrnews" in r.getMessage() for r in caplog.records)
        fake.push_message(FAN, "/next")
        assert "Free Practice" in (await fake.wait_for_message(FAN)).text


async def test_a_nonsense_get_me_at_start_up_is_logged_and_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="pitboard.telegram")
    async with running_bot(
        tmp_path,
        FixedClock(QUIET_DAY),
        channels=(),
        before_start=lambda fake: fake.answer_next("getMe", ["not", "a", "user"], times=2),
    ) as (fake, _):
        fake.push_message(FAN, "/next")
        assert "Free Practice" in (await fake.wait_for_message(FAN, timeout=20)).text
        assert any("could not start" in r.getMessage() for r in caplog.records)
