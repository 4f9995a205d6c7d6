"""A press recap, a lookup's question and the chart's words in English, Swedish and German,
exactly as the terminal shows them; and /recap with any argument fits every platform in every
language. English is exactly what it was before there were languages (tests/test_recap.py)."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings

from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.i18n import use_language
from bot.core.progression import alt_text, chart_caption, progression
from bot.core.reply import Reply
from bot.core.service import Service
from bot.frontends.console.render import render
from bot.frontends.discord.render import render as render_discord
from bot.frontends.telegram.render import render as render_telegram
from tests.discord.test_render import check_messages
from tests.test_fuzz_commands import ARGUMENTS, check_telegram
from tests.test_progression import MONDAY_AFTER_RACE_2, SERIES
from tests.test_recap import AFTER_THE_WEEKEND, CATALOG, JESSICA_AT_OSCHERSLEBEN

LANGUAGES = ["en", "sv", "de"]


async def ask(line: str, at: str, language: str) -> Reply:
    service = Service(CatalogHolder(CATALOG), FixedClock(datetime.fromisoformat(at)))
    with use_language(language):
        return await service.handle(line)


def shown(reply: Reply) -> str:
    with use_language(reply.locale.language):
        return render(reply, colour=False)


JESSICA = {
    "en": JESSICA_AT_OSCHERSLEBEN,
    "sv": """\
Sammanfattning: Jessica Bäckman på Oschersleben
───────────────────────────────────────────────

ADAC TCR Germany 2022, deltävling 1 av 7: Oschersleben, 22–24 apr. 2022.
Jessica Bäckman: ROJA Motorsport, Hyundai Veloster N TCR.

Resultat för Jessica Bäckman:
Free Practice 1: 2:a plats
Free Practice 2: 2:a plats
Qualifying 1: 2:a plats
Race 1: 1:a plats
Qualifying 2: DNS. På grund av tekniska problem (fuel pump).
Race 2: 5:e plats

Mästerskapsställning:
ADAC TCR Germany 2022, efter deltävling 1 av 7 (Oschersleben), topp tre:
1: Martin Andersen (DK), 65 p.
2: Jonas Karklys (LT), 55 p.
3: Jessica Bäckman (SE), 44 p.
Enligt arrangörens publicerade ställning (top three as published after round 1 of 7).
Jessica Bäckman är 3:e i mästerskapet, 21 poäng efter ledaren.""",
    "de": """\
Rückblick: Jessica Bäckman in Oschersleben
──────────────────────────────────────────

ADAC TCR Germany 2022, Lauf 1 von 7: Oschersleben, 22.–24. Apr. 2022.
Jessica Bäckman: ROJA Motorsport, Hyundai Veloster N TCR.

Ergebnisse von Jessica Bäckman:
Free Practice 1: 2. Platz
Free Practice 2: 2. Platz
Qualifying 1: 2. Platz
Race 1: 1. Platz
Qualifying 2: DNS. Aufgrund technischer Probleme (fuel pump).
Race 2: 5. Platz

Meisterschaftsstand:
ADAC TCR Germany 2022 – Nach Lauf 1 von 7 (Oschersleben), die ersten drei:
1: Martin Andersen (DK), 65 Pkt.
2: Jonas Karklys (LT), 55 Pkt.
3: Jessica Bäckman (SE), 44 Pkt.
Wie vom Veranstalter veröffentlicht (top three as published after round 1 of 7).
Jessica Bäckman ist 3. der Meisterschaft, 21 Punkte hinter dem Führenden.""",
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_drivers_recap_in_each_language(language: str) -> None:
    """The data's own words (session names, the note "fuel pump", the table's note) stay as
    the data has them; everything around them is the language's."""
    reply = await ask("/recap jessica oschersleben", AFTER_THE_WEEKEND, language)
    assert shown(reply) == JESSICA[language]


@pytest.mark.parametrize(
    ("language", "partial", "winner"),
    [
        ("en", "Free Practice 1: partial results only: Jessica Bäckman 2nd.", "won by"),
        ("sv", "Free Practice 1: endast delresultat: Jessica Bäckman 2:a.", "seger för"),
        # A German ordinal's dot ends the sentence too: "2." not "2..".
        ("de", "Free Practice 1: nur Teilergebnisse: Jessica Bäckman 2.", "Sieg für"),
    ],
)
async def test_an_event_recap_in_each_language(language: str, partial: str, winner: str) -> None:
    reply = await ask("/recap tcr oschersleben", AFTER_THE_WEEKEND, language)
    lines = shown(reply).splitlines()
    assert partial in lines
    assert f"Race 1: {winner} Jessica Bäckman (ROJA Motorsport)." in lines


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("en", "Which driver do you mean by “bäckman”?"),
        ("sv", "Vilken förare menar du med ”bäckman”?"),
        ("de", "Welchen Fahrer meinst du mit „bäckman“?"),
    ],
)
async def test_which_one_is_asked_in_each_language(language: str, question: str) -> None:
    reply = await ask("/recap bäckman", AFTER_THE_WEEKEND, language)
    assert shown(reply).splitlines()[0] == question
    # The choices still send the command with ids: keywords stay as typed.
    assert [c.command for c in reply.choices] == [
        "/recap jessica-backman",
        "/recap andreas-backman",
    ]


CAPTION = {
    "en": (
        "TCR Germany 2022 — drivers’ championship",
        "After round 1 of 7 (Oschersleben)",
        "The last points are the organiser’s published table.",
        "TCR Germany 2022: championship points after round 1 of 7 (Oschersleben)",
    ),
    "sv": (
        "TCR Germany 2022 – förarmästerskapet",
        "Efter deltävling 1 av 7 (Oschersleben)",
        "De sista poängen är arrangörens publicerade tabell.",
        "TCR Germany 2022: mästerskapspoäng efter deltävling 1 av 7 (Oschersleben)",
    ),
    "de": (
        "TCR Germany 2022 – Fahrermeisterschaft",
        "Nach Lauf 1 von 7 (Oschersleben)",
        "Die letzten Punkte sind die vom Veranstalter veröffentlichte Tabelle.",
        "TCR Germany 2022: Meisterschaftspunkte – Nach Lauf 1 von 7 (Oschersleben)",
    ),
}


def test_the_charts_words_in_each_language() -> None:
    """Caption and alt text per language, from one catalog: the progression (kept per catalog)
    is kept per language too, so a Swedish chart never gets the English heading."""
    for language in ["en", "sv", "de", "en"]:
        with use_language(language):
            found = progression(CATALOG, SERIES, until=MONDAY_AFTER_RACE_2)
            caption = render(chart_caption(found), colour=False).splitlines()
            title, heading, note, alt = CAPTION[language]
            assert caption[:3] == [title, heading, note]
            assert alt_text(found) == alt


@pytest.mark.parametrize("language", LANGUAGES)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argument=ARGUMENTS)
def test_any_recap_fits_every_platform_in_every_language(language: str, argument: str) -> None:
    reply = asyncio.run(ask(f"/recap {argument}", AFTER_THE_WEEKEND, language))
    assert reply.locale.language == language
    with use_language(language):
        check_telegram([m.text for m in render_telegram(reply, spoiler_safe=True)])
        check_messages(render_discord(reply, spoiler_safe=True))
