"""The whole bot on Telegram: the real Runtime and python-telegram-bot Application, talking HTTP
to a fake Bot API on 127.0.0.1 that checks every request against the published API description.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from bot.core.audience import ChatRef
from bot.core.clock import FixedClock, ScaledClock
from tests.telegram.harness import (
    ADMIN,
    BEFORE_REMINDER,
    CHANNEL,
    FAN,
    GROUP,
    OTHER_FAN,
    QUIET_DAY,
    containing,
    running_bot,
    tg_chat,
)


async def test_menu_is_set_and_a_fan_gets_the_standings(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as (fake, _):
        menu = {c["command"] for c in fake.commands()}
        assert {"start", "help", "next", "standings", "driver", "subscribe", "settings"} <= menu
        assert "announce" not in menu
        fake.push_message(FAN, "/standings tcr-germany-2022")
        reply = await fake.wait_for_message(FAN)
        assert reply.parse_mode == "HTML"
        assert "ADAC TCR Germany 2022" in reply.text
        assert reply.text.index("Martin Andersen") < reply.text.index("Jessica Bäckman")
        assert "Published standings" in reply.text


async def test_driver_backman_asks_which_and_a_button_answers(tmp_path: Path) -> None:
    async with running_bot(
        tmp_path, FixedClock(datetime.fromisoformat("2022-04-25T12:00+02:00"))
    ) as (fake, _):
        fake.push_message(FAN, "/driver backman")
        question = await fake.wait_for_message(FAN)
        assert "Which driver" in question.text
        labels = [b["text"] for row in question.buttons for b in row]
        assert labels == ["Jessica Bäckman", "Andreas Bäckman"]
        fake.press(FAN, question.message_id, "Jessica Bäckman")
        answer = await fake.wait_for_message(FAN)
        assert "Race 1 WIN" in answer.text and "Q2 DNS (fuel pump)" in answer.text


async def test_subscribe_keyboard_works_through_callback_queries(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as (fake, runtime):
        fake.push_message(FAN, "/subscribe")
        offer = await fake.wait_for_message(FAN)
        fake.press(FAN, offer.message_id, "24H Series 2022")
        done = await fake.wait_for_message(FAN, containing("Following 24H Series 2022"))
        assert "This chat follows: 24H Series 2022" in done.text
        sub = await runtime.store.get_subscription(ChatRef("telegram", str(FAN)))
        assert sub is not None and sub.series == {"24h-series-2022"}
        assert fake.calls("answerCallbackQuery"), "the button press was acknowledged"


async def test_a_reminder_reaches_subscribers_and_the_channel_with_links(tmp_path: Path) -> None:
    # The replay clock starts when the bot is ready: the reminder half a second later is never
    # passed during start-up, however slow the machine.
    clock = ScaledClock(BEFORE_REMINDER, speed=1.0, started=False)
    async with running_bot(tmp_path, clock, followers=(tg_chat(FAN),)) as (fake, _):
        reminder = containing("Free Practice starts in 1 h", "24H Series on YouTube")
        for chat in (FAN, CHANNEL):
            post = await fake.wait_for_message(chat, reminder, timeout=10)
            links = [e.get("url") for e in post.entities if e.get("type") == "text_link"]
            assert "https://youtube.com/24HSeries" in links
            assert "https://livetiming.getraceresults.com/24hseries" in links


async def test_a_blocked_chat_is_deactivated_and_not_retried(tmp_path: Path) -> None:
    async with running_bot(
        tmp_path,
        ScaledClock(BEFORE_REMINDER, speed=1.0, started=False),
        followers=(tg_chat(FAN),),
        before_start=lambda fake: fake.block(FAN),
    ) as (fake, runtime):
        ref = ChatRef("telegram", str(FAN))

        async def deactivated() -> bool:
            chat = await runtime.store.get_chat(ref)
            return chat is not None and not chat.active

        for _ in range(100):
            if await deactivated():
                break
            await asyncio.sleep(0.1)
        assert await deactivated()
        attempts = [c for c in fake.calls("sendMessage") if str(c.get("chat_id")) == str(FAN)]
        await asyncio.sleep(0.5)
        again = [c for c in fake.calls("sendMessage") if str(c.get("chat_id")) == str(FAN)]
        assert len(again) == len(attempts), "no retries to a blocked chat"
        # The channel is still served.
        await fake.wait_for_message(CHANNEL, containing("Free Practice starts in"), timeout=10)


async def test_a_migrated_group_keeps_getting_posts(tmp_path: Path) -> None:
    new_group = -100_555
    clock = ScaledClock(BEFORE_REMINDER, speed=1.0, started=False)
    async with running_bot(tmp_path, clock, start_clock=False) as (fake, runtime):
        fake.add_chat(GROUP, "group", title="Fans")
        fake.set_member_status(GROUP, 4242, "administrator")
        fake.push_message(GROUP, "/subscribe 24h-series-2022", user_id=4242)
        await fake.wait_for_message(GROUP, containing("Following"))
        fake.migrate(GROUP, new_group, notify=False)  # the bot learns it only when it posts
        runtime.start_clock()
        await fake.wait_for_message(new_group, containing("Free Practice starts in"), timeout=10)
        moved = await runtime.store.get_subscription(ChatRef("telegram", str(new_group)))
        assert moved is not None and "24h-series-2022" in moved.series


async def test_group_members_who_are_not_admins_cannot_subscribe_the_group(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as (fake, runtime):
        fake.add_chat(GROUP, "group", title="Fans")
        fake.set_member_status(GROUP, 4243, "member")
        fake.push_message(GROUP, "/subscribe tcr-germany-2022", user_id=4243)
        refusal = await fake.wait_for_message(GROUP)
        assert "needs a chat admin" in refusal.text
        assert await runtime.store.get_subscription(ChatRef("telegram", str(GROUP))) is None


async def test_announce_is_refused_to_fans_and_sent_for_admins(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as (fake, _):
        fake.push_message(OTHER_FAN, "/subscribe tcr-germany-2022")
        await fake.wait_for_message(OTHER_FAN, containing("Following"))
        fake.push_message(FAN, "/announce Free beer at the paddock")
        refusal = await fake.wait_for_message(FAN)
        assert "only for Pitboard's admins" in refusal.text
        fake.push_message(ADMIN, "/announce Race 2 is delayed by 30 minutes")
        confirmation = await fake.wait_for_message(ADMIN, containing("queued"))
        assert "chats" in confirmation.text
        post = await fake.wait_for_message(OTHER_FAN, containing("Race 2 is delayed"), timeout=10)
        assert "Free beer" not in post.text
        channel_post = await fake.wait_for_message(CHANNEL, containing("Race 2 is delayed"))
        assert channel_post.text


async def test_a_channel_the_bot_cannot_post_in_is_reported_and_others_still_served(
    tmp_path: Path,
) -> None:
    async with running_bot(
        tmp_path, FixedClock(QUIET_DAY), channels=("@tcrnews", "@closedchannel")
    ) as (fake, runtime):
        assert "@closedchannel" in runtime.health.problems()
        fake.push_message(ADMIN, "/status")
        status = await fake.wait_for_message(ADMIN)
        assert "@closedchannel" in status.text and "cannot reach" in status.text
        fake.push_message(FAN, "/next 24h")
        assert "Free Practice" in (await fake.wait_for_message(FAN)).text


async def test_html_values_are_escaped_end_to_end(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as (fake, _):
        fake.push_message(FAN, "/driver <b>R&D</b>")
        reply = await fake.wait_for_message(FAN)
        assert "<b>R&D</b>" in reply.text  # shown as typed, not parsed as markup


async def test_start_welcomes_with_a_subscribe_button(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(QUIET_DAY)) as (fake, _):
        fake.push_message(FAN, "/start")
        welcome = await fake.wait_for_message(FAN)
        assert "Welcome to Pitboard" in welcome.text
        fake.press(FAN, welcome.message_id, "Subscribe")
        offer = await fake.wait_for_message(FAN)
        assert "What would you like to follow" in offer.text


async def test_a_chats_own_reminder_offset_is_planned_as_soon_as_it_is_set(tmp_path: Path) -> None:
    # 16:20 Free Practice; the chat asks for 30 minutes, which no chat had asked for before.
    start = datetime.fromisoformat("2022-05-13T15:49:58+02:00")
    clock = ScaledClock(start, speed=1.0, started=False)
    async with running_bot(tmp_path, clock, channels=(), start_clock=False) as (fake, runtime):
        fake.push_message(FAN, "/subscribe 24h-series-2022")
        await fake.wait_for_message(FAN, containing("Following"))
        fake.push_message(FAN, "/settings reminders 30")
        await fake.wait_for_message(FAN, containing("Reminders: 30 min"))
        # Starting the clock only times the jobs already planned: the 30-minute one must have
        # been planned when the offset was set.
        runtime.start_clock()
        post = await fake.wait_for_message(FAN, containing("Free Practice starts in 30 min"))
        assert "24H Series on YouTube" in post.text
