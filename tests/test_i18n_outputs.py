"""Exact output in English, Swedish and German: /next, /standings and a reminder post, as the
terminal shows them. English is exactly what it was before there were languages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.core.announce import compose
from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.i18n import use_language
from bot.core.plan import AnnouncementKind, PlanSettings, plan
from bot.core.schedules import load_catalog
from bot.core.service import Service
from bot.frontends.console.render import render

CATALOG = load_catalog(Path(__file__).resolve().parent.parent / "schedules")
QUIET_DAY = datetime.fromisoformat("2022-05-12T09:00+02:00")
YOUTUBE = "24H Series on YouTube <https://youtube.com/24HSeries>"
TIMING = "Live timing <https://livetiming.getraceresults.com/24hseries>"
LINKS = f"{YOUTUBE} · {TIMING}"
FAN = ChatRef("console", "fan")


def sessions_ahead(heading: str, rows: list[tuple[str, str, str]], note: str) -> str:
    lines = [heading, "─" * len(heading), ""]
    for name, when, countdown in rows:
        lines += [
            f"{name} — Hankook 12h Hockenheimring, 24H Series 2022",
            f"  {when} CEST · {countdown}",
            f"  {LINKS}",
        ]
    return "\n".join([*lines, "", note])


NEXT = {
    "en": sessions_ahead(
        "Next for 24H Series 2022",
        [
            ("Free Practice", "Fri 13 May 16:20", "in 1 d 7 h"),
            ("Qualifying", "Fri 13 May 19:05", "in 1 d 10 h"),
            ("Race – Part 1 (6 h)", "Sat 14 May 13:55", "in 2 d 4 h"),
            ("Race – Part 2 (6 h)", "Sun 15 May 14:05", "in 3 d 5 h"),
        ],
        "Times in Europe/Stockholm (CEST).",
    ),
    "sv": sessions_ahead(
        "Härnäst för 24H Series 2022",
        [
            ("Free Practice", "fre 13 maj 16:20", "om 1 d 7 h"),
            ("Qualifying", "fre 13 maj 19:05", "om 1 d 10 h"),
            ("Race – Part 1 (6 h)", "lör 14 maj 13:55", "om 2 d 4 h"),
            ("Race – Part 2 (6 h)", "sön 15 maj 14:05", "om 3 d 5 h"),
        ],
        "Tider i Europe/Stockholm (CEST).",
    ),
    "de": sessions_ahead(
        "Als Nächstes für 24H Series 2022",
        [
            ("Free Practice", "Fr., 13. Mai 16:20", "in 1 T. 7 Std."),
            ("Qualifying", "Fr., 13. Mai 19:05", "in 1 T. 10 Std."),
            ("Race – Part 1 (6 Std.)", "Sa., 14. Mai 13:55", "in 2 T. 4 Std."),
            ("Race – Part 2 (6 Std.)", "So., 15. Mai 14:05", "in 3 T. 5 Std."),
        ],
        "Zeiten in Europe/Stockholm (CEST).",
    ),
}

STANDINGS = {
    "en": """\
ADAC TCR Germany 2022 — drivers
───────────────────────────────

After round 1 of 7 (Oschersleben)

Pos  Driver           Nat  Pts
───  ───────────────  ───  ───
  1  Martin Andersen  DK    65
  2  Jonas Karklys    LT    55
  3  Jessica Bäckman  SE    44

Published standings: our results for this series are incomplete (top three as published after \
round 1 of 7).""",
    "sv": """\
ADAC TCR Germany 2022 — förare
──────────────────────────────

Efter deltävling 1 av 7 (Oschersleben)

Plac.  Förare           Nat.  P.
─────  ───────────────  ────  ──
    1  Martin Andersen  DK    65
    2  Jonas Karklys    LT    55
    3  Jessica Bäckman  SE    44

Publicerad ställning: våra resultat för serien är ofullständiga (top three as published after \
round 1 of 7).""",
    "de": """\
ADAC TCR Germany 2022 — Fahrer
──────────────────────────────

Nach Lauf 1 von 7 (Oschersleben)

Pos.  Fahrer           Nat.  Pkt.
────  ───────────────  ────  ────
   1  Martin Andersen  DK      65
   2  Jonas Karklys    LT      55
   3  Jessica Bäckman  SE      44

Veröffentlichter Stand: unsere Ergebnisse für diese Serie sind unvollständig (top three as \
published after round 1 of 7).""",
}

REMINDER = {
    ("en", None): f"""\
Race – Part 1 starts in 15 min
──────────────────────────────

Hankook 12h Hockenheimring · 24H Series 2022, round 4 of 7
Start: Sat 14 May 07:55 EDT · 6 h
At the track: 13:55 CEST
Following: Andreas Bäckman · #120 Lestrup Racing Team, Audi RS 3 LMS TCR
Watch: {LINKS}""",
    ("sv", None): f"""\
Race – Part 1 startar om 15 min
───────────────────────────────

Hankook 12h Hockenheimring · 24H Series 2022, deltävling 4 av 7
Start: lör 14 maj 07:55 EDT · 6 h
På banan: 13:55 CEST
Följer: Andreas Bäckman · #120 Lestrup Racing Team, Audi RS 3 LMS TCR
Titta: {LINKS}""",
    ("de", None): f"""\
Race – Part 1 startet in 15 Min.
────────────────────────────────

Hankook 12h Hockenheimring · 24H Series 2022, Lauf 4 von 7
Start: Sa., 14. Mai 07:55 EDT · 6 Std.
An der Strecke: 13:55 CEST
Du folgst: Andreas Bäckman · #120 Lestrup Racing Team, Audi RS 3 LMS TCR
Übertragung: {LINKS}""",
    # A chat that chose the 12-hour clock.
    ("en", False): f"""\
Race – Part 1 starts in 15 min
──────────────────────────────

Hankook 12h Hockenheimring · 24H Series 2022, round 4 of 7
Start: Sat 14 May 7:55 am EDT · 6 h
At the track: 1:55 pm CEST
Following: Andreas Bäckman · #120 Lestrup Racing Team, Audi RS 3 LMS TCR
Watch: {LINKS}""",
}


@pytest.fixture
def service() -> Service:
    return Service(CatalogHolder(CATALOG), FixedClock(QUIET_DAY))


@pytest.mark.parametrize("language", ["en", "sv", "de"])
async def test_next(service: Service, language: str) -> None:
    with use_language(language):
        reply = await service.handle("/next 24h-series-2022")
    assert render(reply, colour=False) == NEXT[language]


@pytest.mark.parametrize("language", ["en", "sv", "de"])
async def test_standings(service: Service, language: str) -> None:
    with use_language(language):
        reply = await service.handle("/standings tcr-germany-2022")
    assert render(reply, colour=False) == STANDINGS[language]


@pytest.mark.parametrize(("language", "clock_24h"), list(REMINDER))
def test_reminder_post(language: str, clock_24h: bool | None) -> None:
    reminder = next(
        a
        for a in plan(CATALOG, PlanSettings())
        if a.subject == "24h-series-2022/hockenheim/race-part-1"
        and a.kind is AnnouncementKind.REMINDER
        and a.offset_minutes == 15
    )
    chat = Chat(FAN, zone="America/New_York", language=language, clock_24h=clock_24h)
    follows = Subscription(FAN, drivers=frozenset({"andreas-backman"}))
    # Composed outside any language context: the chat's own settings choose the language.
    post = compose(reminder, CATALOG, chat, follows, reminder.due)
    assert post is not None
    assert render(post, colour=False) == REMINDER[(language, clock_24h)]


DRIVER_WEEKEND = {
    "en": "FP1 2nd · FP2 2nd · Q1 2nd · Race 1 WIN · Q2 DNS (fuel pump) · Race 2 5th"
    " — 3rd in the championship, 44 pts",
    "sv": "FP1 2:a · FP2 2:a · Q1 2:a · Race 1 SEGER · Q2 DNS (fuel pump) · Race 2 5:e"
    " — 3:e i mästerskapet, 44 p.",
    "de": "FP1 2. · FP2 2. · Q1 2. · Race 1 SIEG · Q2 DNS (fuel pump) · Race 2 5."
    " — 3. in der Meisterschaft, 44 Pkt.",
}


@pytest.mark.parametrize("language", ["en", "sv", "de"])
async def test_a_drivers_weekend_line(service: Service, language: str) -> None:
    with use_language(language):
        reply = await service.handle("/driver jessica oschersleben")
    assert DRIVER_WEEKEND[language] in render(reply, colour=False).split("\n")


def driver_page(labels: tuple[str, str, str, str, str], weekend: str) -> str:
    """`/driver jessica oschersleben`: the words are the chat's, the data (highlights, the
    team, the note "fuel pump") the organiser's."""
    country, home, inferred, heading, highlights = labels
    return "\n".join(
        [
            "Jessica Bäckman",
            "───────────────",
            "",
            f"{country}: SE",
            f"{home}: Northern Svartbyn, Boden",
            "TCR Germany 2022: Oschersleben: ROJA Motorsport · Hyundai Veloster N TCR",
            "TCR Germany 2022: Red Bull Ring: ROJA Motorsport · Hyundai Veloster N TCR"
            f" ({inferred})",
            "",
            heading,
            weekend,
            "",
            highlights,
            "• First woman on the podium in TCR Europe: 3rd in the European series",
            "• The only Swede in the TCR class at the FIA motorsport Olympics",
            "• Bodensare of the Year (Boden Business Gala)",
            "• First international race win: ADAC TCR Germany, Oschersleben 2022, Race 1",
            "• Many national and international wins in karting, racing karts from the age of eight",
        ]
    )


DRIVER_PAGE = {
    "en": driver_page(
        (
            "Country",
            "Home",
            "entry inferred",
            "Oschersleben (TCR Germany 2022, round 1 of 7):",
            "Highlights",
        ),
        DRIVER_WEEKEND["en"],
    ),
    "sv": driver_page(
        (
            "Land",
            "Hemort",
            "anmälan härledd",
            "Oschersleben (TCR Germany 2022, deltävling 1 av 7):",
            "Höjdpunkter",
        ),
        DRIVER_WEEKEND["sv"],
    ),
    "de": driver_page(
        (
            "Land",
            "Heimatort",
            "Nennung abgeleitet",
            "Oschersleben (TCR Germany 2022, Lauf 1 von 7):",
            "Höhepunkte",
        ),
        DRIVER_WEEKEND["de"],
    ),
}


@pytest.mark.parametrize("language", ["en", "sv", "de"])
async def test_the_whole_driver_page(service: Service, language: str) -> None:
    with use_language(language):
        reply = await service.handle("/driver jessica oschersleben")
    assert render(reply, colour=False) == DRIVER_PAGE[language]
