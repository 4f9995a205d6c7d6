"""/chart on Discord, and the chart with a race's results post: the real discord.py client
against the fake Discord, which checks the multipart body (`files[n]` and `payload_json`)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from PIL import Image

from bot.core.audience import ChatKind, ChatRef
from bot.core.clock import FixedClock, ScaledClock
from tests.discord.test_end_to_end import running_bot

MONDAY_AFTER_RACE_2 = datetime.fromisoformat("2022-04-25T12:00+02:00")
JUST_BEFORE_SUNDAYS_RESULTS = datetime.fromisoformat("2022-04-24T23:59:59.5+02:00")
FILE = "standings-tcr-germany-2022.png"
DRAWING = 60.0  # the first chart of a process imports matplotlib: seconds on a busy machine


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


async def test_chart_answers_with_the_image_in_the_embed(tmp_path: Path) -> None:
    async with running_bot(tmp_path, FixedClock(MONDAY_AFTER_RACE_2)) as world:
        fake = world.fake
        asked = await fake.dispatch_interaction(
            "chart", {"series": "tcr-germany-2022"}, channel_id=world.channel_id
        )
        answer = await fake.wait_for_response(asked.id, timeout=DRAWING)
        assert answer.files == [FILE]
        embed = answer.embed
        assert embed is not None and embed["image"]["url"] == f"attachment://{FILE}"
        assert "After round 1 of 7" in answer.text
        assert png_size(fake.uploaded(FILE)) == (1200, 800)


async def test_a_spoiler_safe_channel_gets_a_spoiler_file_not_an_embedded_image(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, FixedClock(MONDAY_AFTER_RACE_2)) as world:
        ref = ChatRef("discord", world.channel_id)
        chat = await world.runtime.router.settings.chat(ref, ChatKind.CHANNEL)
        await world.runtime.store.upsert_chat(replace(chat, spoiler_safe=True))
        asked = await world.fake.dispatch_interaction(
            "chart", {"series": "tcr-germany-2022"}, channel_id=world.channel_id
        )
        answer = await world.fake.wait_for_response(asked.id, timeout=DRAWING)
        assert answer.files == [f"SPOILER_{FILE}"]
        # An embed's image is never blurred: the spoiler stays a file under the embed.
        assert answer.embed is not None and "image" not in answer.embed
        assert png_size(world.fake.uploaded(f"SPOILER_{FILE}")) == (1200, 800)


async def test_with_the_setting_on_a_races_results_post_carries_the_chart(tmp_path: Path) -> None:
    clock = ScaledClock(JUST_BEFORE_SUNDAYS_RESULTS, speed=1.0, started=False)
    async with running_bot(tmp_path, clock, start_clock=False) as world:
        fake = world.fake
        for command, options, answer in (
            ("subscribe", {"what": "tcr-germany-2022"}, "Following"),
            ("settings", {"setting": "chart", "value": "on"}, "standings chart"),
        ):
            asked = await fake.dispatch_interaction(
                command, options, channel_id=world.channel_id, user_id=world.owner_id
            )
            assert answer in (await fake.wait_for_response(asked.id)).text
        world.runtime.start_clock()
        post = await fake.wait_for_message(
            world.channel_id, lambda m: "Results: Race 2" in m.text, timeout=DRAWING
        )
        assert post.via == "channel" and post.files == [FILE]
        assert post.embeds[-1]["image"]["url"] == f"attachment://{FILE}"
        assert png_size(fake.uploaded(FILE)) == (1200, 800)
