"""The guided /edit in Swedish and German, on the real PTB Application and the fake Bot API:
the conversation speaks the admin's chat's language (its stored setting, else the admin's
Telegram language); button callback data and typed keywords stay as they are."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.frontends.telegram.edit_steps import read_button
from tests.telegram.edit_helpers import (
    TIMEOUT,
    copy_schedules,
    fingerprint,
    labels,
    next_message,
    transcript,
    walk,
)
from tests.telegram.harness import ADMIN, containing, running_bot

# Labels keep the schedule's names; the flow's own words and the dates are the reader's.
TO_QUALIFYING = {
    "sv": (
        "24H Series 2022",
        "R4 Hankook 12h Hockenheimring (fre 13 maj)",
        "Qualifying · fre 13 maj 2022 19:05",
    ),
    "de": (
        "24H Series 2022",
        "R4 Hankook 12h Hockenheimring (Fr., 13. Mai)",
        "Qualifying · Fr., 13. Mai 2022 19:05",
    ),
}
WORDS = {
    "sv": {
        "first": "Ändra schemat: vilken serie?",
        "events": "Vilken tävlingshelg i 24H Series 2022?",
        "tba": "Tid meddelas senare",
        "preview": "Förhandsvisning: ",
        "buttons": ["Bekräfta", "Ändra igen", "Avbryt"],
        "cancelled": "Ändringen avbröts: inget ändrades.",
    },
    "de": {
        "first": "Zeitplan bearbeiten: welche Serie?",
        "events": "Welches Rennwochenende von 24H Series 2022?",
        "tba": "Zeit folgt",
        "preview": "Vorschau: ",
        "buttons": ["Bestätigen", "Erneut bearbeiten", "Abbrechen"],
        "cancelled": "Bearbeitung abgebrochen: nichts geändert.",
    },
}


@pytest.mark.parametrize(
    ("language", "stored"),
    [("sv", False), ("de", True)],
    ids=["sv from the admin's Telegram language", "de from the chat's setting"],
)
async def test_the_guided_edit_speaks_the_chats_language(
    tmp_path: Path, language: str, stored: bool
) -> None:
    words = WORDS[language]
    schedules = copy_schedules(tmp_path)
    before = fingerprint(schedules)
    clock = FixedClock(datetime.fromisoformat("2022-05-13T10:00+02:00"))
    async with running_bot(tmp_path, clock, channels=(), schedules=schedules) as (fake, _bot):
        if stored:  # an English-speaking admin whose chat is set to the language
            fake.push_message(ADMIN, f"/settings language {language}", language_code="en")
            await next_message(fake, ADMIN)
            code = "en"
        else:  # a chat never seen: the admin's own Telegram language
            code = language
        start = len(fake.sent(ADMIN))
        fake.push_message(ADMIN, "/edit", language_code=code)
        menu = await next_message(fake, ADMIN)
        assert menu.text == words["first"]
        assert labels(menu)[-1] == words["buttons"][2]
        to_qualifying = TO_QUALIFYING[language]
        events = await walk(fake, ADMIN, to_qualifying[0])
        assert events.text == words["events"]
        actions = await walk(fake, ADMIN, *to_qualifying[1:])
        assert words["tba"] in labels(actions)
        preview = await walk(fake, ADMIN, words["tba"])
        assert preview.text.startswith(words["preview"])
        assert labels(preview) == words["buttons"]
        # The labels are translated, the callback data is not.
        choices = [read_button(str(b.get("callback_data"))) for row in preview.buttons for b in row]
        assert [choice[1] for choice in choices if choice] == ["ok", "again", "stop"]
        print(transcript(fake.sent(ADMIN), start=start))  # the README's excerpt (pytest -s)
        fake.press(ADMIN, preview.message_id, words["buttons"][2])
        await fake.wait_for_message(ADMIN, containing(words["cancelled"]), TIMEOUT)
    assert fingerprint(schedules) == before
