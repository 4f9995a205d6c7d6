"""Spoiler-safe results in the terminal: kept back with a number, shown on `show N`."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from bot.core.audience import Chat
from bot.core.clock import FixedClock
from bot.core.reply import Reply, ReplyStatus, paragraph
from bot.frontends.console.repl import ConsolePoster, ConsoleWriter
from bot.frontends.console.sender import CONSOLE_CHAT, ConsoleSender
from bot.frontends.console.spoilers import SpoilerShelf, show_request, spoiler_safe_dispatch

RESULTS = Reply("Race 1 — Oschersleben", (paragraph("1. Jessica Bäckman"),), contains_results=True)
NEXT = Reply("Next up", (paragraph("Free Practice"),))


async def test_results_are_kept_back_until_shown_while_spoiler_safe() -> None:
    safe = True

    async def answer(command: str) -> Reply:
        return RESULTS if command.startswith("/results") else NEXT

    async def spoiler_safe() -> bool:
        return safe

    dispatch = spoiler_safe_dispatch(answer, SpoilerShelf(), spoiler_safe)
    hidden = await dispatch("/results oschersleben race 1")
    assert hidden.title == RESULTS.title and "Jessica" not in str(hidden.blocks)
    assert "show 1" in str(hidden.blocks)
    assert await dispatch("/next") == NEXT  # nothing to hide
    assert await dispatch("show 1") == RESULTS
    assert await dispatch("/show") == RESULTS  # the latest
    missing = await dispatch("show 9")
    assert missing.status is ReplyStatus.NOT_FOUND
    safe = False
    assert await dispatch("/results oschersleben race 1") == RESULTS


async def test_a_results_post_to_a_spoiler_safe_terminal_is_hidden() -> None:
    out = io.StringIO()
    writer = ConsoleWriter(out, colour=False)
    sender = ConsoleSender(ConsolePoster(writer), FixedClock(datetime(2022, 4, 23, 12, tzinfo=UTC)))
    await sender.send(Chat(CONSOLE_CHAT, spoiler_safe=True), RESULTS)
    assert "Race 1 — Oschersleben" in out.getvalue()
    assert "Jessica" not in out.getvalue() and "show 1" in out.getvalue()
    await sender.send(Chat(CONSOLE_CHAT, spoiler_safe=False), RESULTS)
    assert "Jessica" in out.getvalue()
    assert writer.spoilers.reveal(1) == RESULTS


def test_show_requests() -> None:
    assert show_request("show 2") == (True, 2)
    assert show_request("/show #3") == (True, 3)
    assert show_request("/show") == (True, None)
    assert show_request("/showroom") == (False, None)
