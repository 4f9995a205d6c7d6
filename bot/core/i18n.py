"""The language a text is written in, and the words, dates and numbers in that language.

Whoever builds a reply or a post for a chat sets the chat's language (and its 12/24-hour
choice) around that work with `use_language`; everything below reads it from a context
variable, so core functions need no extra parameter and concurrent tasks never mix languages
(each asyncio task has its own context).

    with use_language("sv"):
        _("Next up")                      # "Nästa"
        ngettext("{n} chat", "{n} chats", 3).format(n=3)
        ordinal(3)                        # "3:e"

Messages live in gettext catalogs under bot/locale (`make i18n` extracts, updates and compiles
them). English is the source language: an English text is the msgid itself. Dates and numbers
come from Babel's CLDR data; English keeps the product's British shape ("Fri 13 May 16:20").
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_interval, format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "NP_",
    "N_",
    "ChatLocale",
    "_",
    "and_list",
    "current_language",
    "current_locale",
    "format_date_span",
    "format_day",
    "format_decimal_places",
    "format_number",
    "format_time_of_day",
    "language_from_tag",
    "language_name",
    "ngettext",
    "ordinal",
    "pgettext",
    "supported",
    "translate_for",
    "use_language",
    "uses_24_hour_clock",
]

DOMAIN = "pitboard"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT_LANGUAGE = "en"
# Each language under its own name, as a menu offers it.
LANGUAGES: dict[str, str] = {"en": "English", "sv": "Svenska", "de": "Deutsch"}
# The CLDR locale behind each language's dates and numbers. English is British English: the
# day-month order and 24-hour clock the product has always shown.
_CLDR = {"en": "en_GB", "sv": "sv_SE", "de": "de_DE"}


@dataclass(frozen=True)
class ChatLocale:
    """How a chat reads: its language, and its clock (None: the language's own default)."""

    language: str = DEFAULT_LANGUAGE
    clock_24h: bool | None = None


# ChatLocale is frozen: one shared default is safe.
_current: ContextVar[ChatLocale] = ContextVar("pitboard_locale", default=ChatLocale())  # noqa: B039


def supported(language: str | None) -> str:
    """`language` if Pitboard speaks it, else English."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@contextmanager
def use_language(language: str | None, clock_24h: bool | None = None) -> Iterator[ChatLocale]:
    """Texts built inside are in `language` (unknown or None: English)."""
    chosen = ChatLocale(supported(language), clock_24h)
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def current_locale() -> ChatLocale:
    return _current.get()


def current_language() -> str:
    return _current.get().language


def language_from_tag(tag: str | None) -> str:
    """A platform's language tag ('sv', 'de-AT', 'en-GB', Discord's 'sv-SE') as one of ours."""
    base = (tag or "").replace("_", "-").split("-", 1)[0].casefold()
    return supported(base)


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


# -- messages ---------------------------------------------------------------------------------


@cache
def _translations(language: str) -> gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


# English is the source language: its text is the msgid itself, which is what English's
# NullTranslations would answer. Saying so here spares every English text three calls (a
# /standings asks for a dozen; issue 11).


def _(message: str) -> str:
    """`message` in the current language (its English msgid when no translation exists)."""
    language = _current.get().language
    if language == DEFAULT_LANGUAGE:
        return message
    return _translations(language).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count `n`; format the count in yourself: `{n}`."""
    language = _current.get().language
    if language == DEFAULT_LANGUAGE:
        return singular if n == 1 else plural
    return _translations(language).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it stands (a button "Off" vs a state)."""
    language = _current.get().language
    if language == DEFAULT_LANGUAGE:
        return message
    return _translations(language).pgettext(context, message)


def N_(message: str) -> str:
    """Marks a constant for extraction without translating it yet: translate where it is used
    (`_(command.summary)`), when the reader's language is known."""
    return message


def translate_for(language: str, message: str, context: str | None = None) -> str:
    """`message` in `language`, outside any chat's context (command menus for each language)."""
    translations = _translations(supported(language))
    if context is not None:
        return translations.pgettext(context, message)
    return translations.gettext(message)


def NP_(context: str, message: str) -> str:
    """`N_` for a message with a context: marked for extraction, translated where used."""
    return message


# -- numbers, ordinals, dates ------------------------------------------------------------------


def format_number(value: int | float | Decimal) -> str:
    """17.5 -> "17.5", "17,5" (sv, de). English keeps Python's own digits (no grouping)."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return str(value)
    return format_decimal(value, locale=_CLDR[language], group_separator=False)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 11th; 1:a, 2:a, 3:e, 11:e; 1., 2., 3."""
    language = current_language()
    if language == "de":
        return f"{n}."
    if language == "sv":
        # Swedish: ":a" after numbers ending in 1 or 2 (except 11 and 12), ":e" otherwise.
        return f"{n}:a" if n % 10 in (1, 2) and n % 100 not in (11, 12) else f"{n}:e"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_decimal_places(value: float, places: int) -> str:
    """4.574 -> "4.574", "4,574" (a track's length: a fixed number of decimals)."""
    shown = f"{value:.{places}f}"
    if current_language() == DEFAULT_LANGUAGE:
        return shown
    return format_decimal(
        Decimal(shown), format="0." + "0" * places, locale=_CLDR[current_language()]
    )


def format_date_span(start: date, end: date) -> str:
    """'13 May 2022', '13–15 May 2022', '30 Apr – 1 May 2022'; '13–15 maj 2022',
    '13.–15. Mai 2022'."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:  # the product's English shape, as it always was
        if start == end:
            return f"{start.day} {start:%b %Y}"
        if start.month == end.month:
            return f"{start.day}–{end.day} {end:%b %Y}"
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    if start == end:
        return format_skeleton("yMMMd", start, locale=_CLDR[language])
    return format_interval(start, end, "yMMMd", locale=_CLDR[language])


def and_list(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C' ("A, B och C", "A, B und C")."""
    if len(items) < 2:
        return "".join(items)
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        # CLDR's British English list, without asking Babel (which parses the locale again
        # at every call: 30 µs, more than the rest of a first /standings under way; issue 11).
        return f"{', '.join(items[:-1])} and {items[-1]}"
    return format_list(items, locale=_CLDR[language])


def uses_24_hour_clock() -> bool:
    """The chat's choice, else the language's default (24-hour in all three, as shown so far)."""
    chosen = current_locale().clock_24h
    return True if chosen is None else chosen


def format_day(local: date) -> str:
    """A weekday and date in the reader's language: "Fri 13 May", "fre 13 maj", "Fr., 13. Mai"."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        # The product's English shape, without asking CLDR (the hottest path of every reply).
        return f"{local:%a} {local.day} {local:%b}"
    return format_skeleton("MMMEd", local, locale=_CLDR[language])


def format_time_of_day(local: datetime) -> str:
    """ "16:20", or "4:20 pm" on a 12-hour clock."""
    if uses_24_hour_clock():
        return f"{local:%H:%M}"
    language = current_language()
    # CLDR puts a narrow no-break space before the day period: a plain space is safer in every
    # platform's fonts and in monospace tables.
    return format_skeleton("hm", local, locale=_CLDR[language]).replace("\u202f", " ")
