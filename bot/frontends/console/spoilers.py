"""Spoiler-safe results in the terminal: the terminal's stand-in for a tap-to-reveal spoiler.

Telegram and Discord hide results behind a spoiler the reader taps. A terminal cannot, so in a
spoiler-safe chat a reply or post with results shows its title and a numbered line instead
("type show 2 to see them"); `show 2` (or `show` for the latest) prints it in full.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot.core.i18n import DEFAULT_LANGUAGE, ChatLocale, _, use_language
from bot.core.reply import Reply, ReplyStatus, paragraph, problem

__all__ = ["KEPT", "SpoilerShelf", "spoiler_safe_dispatch"]

KEPT = 50  # hidden replies remembered; older ones are forgotten
_SHOW = re.compile(r"/?show(?:\s+#?(\d+))?", re.IGNORECASE)


class SpoilerShelf:
    """Replies with results kept back until the reader asks for them."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._hidden: dict[int, Reply] = {}
        self._last = 0
        # The language of the latest covered reply: `show` answers in it.
        self._locale = ChatLocale(DEFAULT_LANGUAGE, None)

    def cover(self, reply: Reply) -> Reply:
        """`reply` with its results kept back: the title and how to see them."""
        self._last += 1
        self._hidden[self._last] = reply
        for old in [n for n in self._hidden if n <= self._last - self._kept]:
            del self._hidden[old]
        self._locale = reply.locale
        with use_language(reply.locale.language, reply.locale.clock_24h):
            message = _(
                "Results hidden: spoiler-safe results are on. Type show {number} to see them."
            ).format(number=self._last)
        return Reply(title=reply.title, blocks=(paragraph(message),), status=reply.status)

    def reveal(self, number: int | None = None) -> Reply:
        """The hidden reply `number` (the latest when None), or why there is none."""
        chosen = self._last if number is None else number
        found = self._hidden.get(chosen)
        if found is not None:
            return found
        with use_language(self._locale.language, self._locale.clock_24h):
            return self._missing(chosen)

    def _missing(self, chosen: int) -> Reply:
        if not self._hidden:
            return problem(ReplyStatus.NOT_FOUND, _("No hidden results to show."))
        known = ", ".join(str(n) for n in sorted(self._hidden))
        return problem(
            ReplyStatus.NOT_FOUND,
            _("No hidden results numbered {number}: {known}.").format(number=chosen, known=known),
        )


def show_request(command: str) -> tuple[bool, int | None]:
    """('/show 2') -> (True, 2); ('/show') -> (True, None); anything else -> (False, None)."""
    found = _SHOW.fullmatch(command.strip())
    if found is None:
        return False, None
    return True, int(found.group(1)) if found.group(1) else None


def spoiler_safe_dispatch(
    dispatch: Callable[[str], Awaitable[Reply]],
    shelf: SpoilerShelf,
    spoiler_safe: Callable[[], Awaitable[bool]],
) -> Callable[[str], Awaitable[Reply]]:
    """`dispatch` with results kept back while `spoiler_safe()` says so, and `show N`."""

    async def answer(command: str) -> Reply:
        is_show, number = show_request(command)
        if is_show:
            return shelf.reveal(number)
        reply = await dispatch(command)
        if reply.contains_results and await spoiler_safe():
            return shelf.cover(reply)
        return reply

    return answer
