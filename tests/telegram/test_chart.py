"""/chart on Telegram, and the chart with a race's results post: the real PTB Application
against the fake Bot API, which checks sendPhoto's multipart upload against the spec."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from PIL import Image

from bot.core.clock import FixedClock, ScaledClock
from tests.fakes.telegram_api import SentMessage
from tests.telegram.harness import FAN, OTHER_FAN, containing, running_bot, tg_chat

MONDAY_AFTER_RACE_2 = datetime.fromisoformat("2022-04-25T12:00+02:00")
# Oschersleben's Sunday sessions are TBA: their results count, and are posted, at midnight.
JUST_BEFORE_SUNDAYS_RESULTS = datetime.fromisoformat("2022-04-24T23:59:59.5+02:00")
# The first chart of a process imports matplotlib and draws: seconds on a busy machine.
DRAWING = 60.0


def png_size(message: SentMessage) -> tuple[int, int]:
    assert message.photo is not None, "not a photo message"
    with Image.open(io.BytesIO(message.photo.data)) as image:
        assert image.format == "PNG"
        return image.size


def has_photo(message: SentMessage) -> bool:
    return message.photo is not None


async def test_chart_is_a_photo_with_the_standings_wording_as_caption(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(MONDAY_AFTER_RACE_2)) as (fake, _):
        fake.push_message(FAN, "/chart tcr germany")
        photo = await fake.wait_for_message(FAN, timeout=DRAWING)
        assert png_size(photo) == (1200, 800)
        assert photo.text.startswith("TCR Germany 2022 — drivers’ championship")
        assert "After round 1 of 7 (Oschersleben)" in photo.text
        assert photo.parse_mode == "HTML" and not photo.has_spoiler
        assert photo.photo is not None and photo.photo.filename == "standings-tcr-germany-2022.png"
        # One message: the photo, the words as its caption.
        assert [c["chat_id"] for c in fake.calls("sendPhoto")] == [FAN]
        assert [c for c in fake.calls("sendMessage") if c["chat_id"] == FAN] == []


async def test_a_spoiler_safe_chat_gets_the_chart_behind_a_spoiler(tmp_path: Path) -> None:
    careful = replace(tg_chat(OTHER_FAN), spoiler_safe=True)
    async with running_bot(tmp_path, FixedClock(MONDAY_AFTER_RACE_2), followers=(careful,)) as (
        fake,
        _,
    ):
        fake.push_message(OTHER_FAN, "/chart tcr-germany-2022")
        photo = await fake.wait_for_message(OTHER_FAN, timeout=DRAWING)
        assert photo.has_spoiler and png_size(photo) == (1200, 800)
        assert "<tg-spoiler>" in photo.source  # the caption's results are hidden too


async def test_a_series_without_results_gets_words_not_a_picture(tmp_path: Path) -> None:
    before = datetime.fromisoformat("2022-04-22T12:00+02:00")
    async with running_bot(tmp_path, FixedClock(before)) as (fake, _):
        fake.push_message(FAN, "/chart tcr-germany-2022")
        answer = await fake.wait_for_message(FAN)
        assert answer.photo is None and "No results in TCR Germany 2022 yet" in answer.text


async def test_with_the_setting_on_a_races_results_post_carries_the_chart(tmp_path: Path) -> None:
    clock = ScaledClock(JUST_BEFORE_SUNDAYS_RESULTS, speed=1.0, started=False)
    async with running_bot(tmp_path, clock, start_clock=False) as (fake, runtime):
        for command, answer in (
            ("/subscribe tcr-germany-2022", "Following"),
            ("/settings chart on", "will carry the standings chart"),
        ):
            fake.push_message(FAN, command)
            await fake.wait_for_message(FAN, containing(answer))
        runtime.start_clock()
        race = await fake.wait_for_message(FAN, containing("Results: Race 2"), timeout=DRAWING)
        # The post fits a caption: one photo message, the post as its caption.
        assert race.photo is not None and png_size(race) == (1200, 800)
        assert "Standings" in race.text or "round 1 of 7" in race.text
        # Qualifying's post (at the same midnight) has no chart: only races get one.
        qualifying = [m for m in fake.sent(FAN) if "Results: Qualifying 2" in m.text]
        assert qualifying and all(m.photo is None for m in qualifying)


async def test_without_the_setting_the_results_post_is_text_only(tmp_path: Path) -> None:
    clock = ScaledClock(JUST_BEFORE_SUNDAYS_RESULTS, speed=1.0, started=False)
    async with running_bot(tmp_path, clock, start_clock=False) as (fake, runtime):
        fake.push_message(FAN, "/subscribe tcr-germany-2022")
        await fake.wait_for_message(FAN, containing("Following"))
        runtime.start_clock()
        race = await fake.wait_for_message(FAN, containing("Results: Race 2"), timeout=DRAWING)
        assert race.photo is None
        assert [c for c in fake.calls("sendPhoto") if c["chat_id"] == FAN] == []
