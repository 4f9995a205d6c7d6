"""/recap on Telegram: in the bot's menu, answered through the real Application, a "which
driver?" button that keeps the event, and ready to paste: the press release's lines as sent."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.core.clock import FixedClock
from tests.telegram.harness import FAN, running_bot

AFTER_THE_WEEKEND = FixedClock(datetime.fromisoformat("2022-04-25T12:00+02:00"))


async def test_a_fan_asks_for_a_recap_and_a_button_picks_the_driver(tmp_path: Path) -> None:
    async with running_bot(tmp_path, AFTER_THE_WEEKEND) as (fake, _):
        assert "recap" in {c["command"] for c in fake.commands()}
        fake.push_message(FAN, "/recap backman oschersleben")
        question = await fake.wait_for_message(FAN)
        assert "Which driver" in question.text
        fake.press(FAN, question.message_id, "Jessica Bäckman")
        recap = await fake.wait_for_message(FAN)
        assert recap.text.startswith("Recap: Jessica Bäckman at Oschersleben\n")
        assert (
            "Jessica Bäckman's results:\n"
            "Free Practice 1: 2nd place\n"
            "Free Practice 2: 2nd place\n"
            "Qualifying 1: 2nd place\n"
            "Race 1: 1st place\n"
            "Qualifying 2: DNS. Due to technical problems (fuel pump).\n"
            "Race 2: 5th place\n"
        ) in recap.text
        assert "3: Jessica Bäckman (SE), 44 p." in recap.text
