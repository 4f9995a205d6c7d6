"""Choice lists never hide a match silently: all of them when few, else "and N more"."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.core import lookup
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.names import Candidate, resolve
from bot.core.reply import Reply, ReplyStatus
from bot.core.schedules import load_catalog
from bot.core.service import Service
from bot.frontends.console.render import render as console_render
from bot.frontends.discord.render import render as discord_render
from bot.frontends.telegram.render import render as telegram_render

CATALOG = load_catalog(Path(__file__).resolve().parent.parent / "schedules")
SERVICE = Service(
    CatalogHolder(CATALOG), FixedClock(datetime.fromisoformat("2022-05-12T09:00+02:00"))
)
OSCHERSLEBEN = "tcr-germany-2022/oschersleben"
SIX = {
    f"{OSCHERSLEBEN}/{s}"
    for s in ("fp1", "fp2", "qualifying-1", "race-1", "qualifying-2", "race-2")
}


def message(reply: Reply) -> str:
    return console_render(reply, colour=False)


async def test_results_oschersleben_offers_all_six_sessions_race_2_included() -> None:
    reply = await SERVICE.results("oschersleben")
    assert reply.status is ReplyStatus.AMBIGUOUS
    assert {c.command.split()[-1] for c in reply.choices} == SIX
    assert "more" not in message(reply)
    # Every platform shows every one of them as a button.
    telegram = telegram_render(reply)[-1]
    assert sum(len(row) for row in telegram.keyboard) == 6
    discord = discord_render(reply)[-1]
    assert len(discord.buttons) == 6


def test_resolve_returns_every_ambiguous_match() -> None:
    many = [Candidate(f"race-{n}", f"Race {n}", ()) for n in range(1, 15)]
    assert len(resolve("race", many).ambiguous) == 14


def test_past_the_limit_the_list_says_how_many_more_and_how_to_narrow() -> None:
    many = [Candidate(f"s/e/race-{n}", f"Race {n}", ()) for n in range(1, 15)]
    reply = lookup.lookup("race", many, what="session", command=lambda cid: f"/results {cid}")
    assert isinstance(reply, Reply) and reply.status is ReplyStatus.AMBIGUOUS
    assert len(reply.choices) == lookup.MAX_CHOICES == 10
    text = message(reply)
    assert "10 of 14, and 4 more" in text and "/results race …" in text
    # Within every platform's limits: Discord's 25 buttons in 5 rows, a Telegram keyboard.
    discord = discord_render(reply)[-1]
    assert len(discord.buttons) == 10
    assert "4 more" in (discord.embeds[0].description or "")
    telegram = telegram_render(reply)[-1]
    assert sum(len(row) for row in telegram.keyboard) == 10 and "4 more" in telegram.text


def test_an_unknown_name_says_how_many_names_it_did_not_list() -> None:
    reply = lookup.lookup("xyz", lookup.session_candidates(CATALOG), what="session", command=str)
    assert isinstance(reply, Reply) and reply.status is ReplyStatus.NOT_FOUND
    assert message(reply).endswith(f"and {len(CATALOG.sessions) - 6} more.")


async def test_a_missing_argument_lists_the_choices_within_the_limit() -> None:
    reply = await SERVICE.handle("/results")
    assert reply.status is ReplyStatus.AMBIGUOUS
    shown = len(reply.choices)
    assert shown == min(len(CATALOG.sessions), lookup.MAX_CHOICES)
    hidden = len(CATALOG.sessions) - shown
    assert (f"and {hidden} more" in message(reply)) == (hidden > 0)
