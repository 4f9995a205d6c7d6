"""The language machinery: words, ordinals, dates and numbers per language, the language kept
per task, the catalogs complete and compiled, and the lint check that keeps English out of
the code."""

from __future__ import annotations

import asyncio
import gettext
import re
import sys
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from babel.lists import format_list
from babel.messages.pofile import read_po

from bot.core import i18n
from bot.core.formatting import format_countdown, format_moment, format_points
from bot.core.i18n import (
    _,
    and_list,
    current_language,
    format_date_span,
    language_from_tag,
    ordinal,
    translate_for,
    use_language,
)
from bot.core.reply import Moment, MomentStyle, Reply
from bot.web.language import accepted_language

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "bot" / "locale"
sys.path.insert(0, str(ROOT / "tools"))

import check_i18n  # noqa: E402  (a script in tools/, not a package)
import i18n_catalogs  # noqa: E402

FRIDAY = datetime.fromisoformat("2022-05-13T14:20+00:00")  # 16:20 CEST


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]),
        ("sv", ["1:a", "2:a", "3:e", "4:e", "11:e", "12:e", "13:e", "21:a", "22:a", "101:a"]),
        ("de", ["1.", "2.", "3.", "4.", "11.", "12.", "13.", "21.", "22.", "101."]),
    ],
)
def test_ordinals(language: str, expected: list[str]) -> None:
    with use_language(language):
        assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == expected


@pytest.mark.parametrize(
    ("language", "clock_24h", "expected"),
    [
        ("en", None, "Fri 13 May 16:20 CEST"),
        ("sv", None, "fre 13 maj 16:20 CEST"),
        ("de", None, "Fr., 13. Mai 16:20 CEST"),
        ("en", False, "Fri 13 May 4:20 pm CEST"),
        ("de", True, "Fr., 13. Mai 16:20 CEST"),
    ],
)
def test_moments_per_language_and_clock(
    language: str, clock_24h: bool | None, expected: str
) -> None:
    with use_language(language, clock_24h):
        assert format_moment(Moment(FRIDAY, "Europe/Berlin")) == expected
        assert (
            format_moment(Moment(FRIDAY, "Europe/Berlin", MomentStyle.DATE))
            == expected.rsplit(" ", 2 if clock_24h is not False else 3)[0]
        )


def test_countdowns_points_and_lists() -> None:
    with use_language("sv"):
        assert format_countdown(timedelta(hours=26)) == "om 1 d 2 h"
        assert format_countdown(-timedelta(minutes=5)) == "för 5 min sedan"
        assert format_points(Fraction(35, 2)) == "17,5"
        assert and_list(["TCR", "STCC", "24H"]) == "TCR, STCC och 24H"
    with use_language("de"):
        assert format_countdown(timedelta(minutes=90)) == "in 1 Std. 30 Min."
        assert format_points(Fraction(35, 2)) == "17,5"
    assert format_countdown(timedelta(hours=26)) == "in 1 d 2 h"
    assert format_points(Fraction(35, 2)) == "17.5"


def test_date_spans() -> None:
    start, end = datetime(2022, 4, 30).date(), datetime(2022, 5, 1).date()
    assert format_date_span(start, end) == "30 Apr – 1 May 2022"
    with use_language("de"):
        assert format_date_span(start, start) == "30. Apr. 2022"


def test_platform_tags_and_browser_headers() -> None:
    assert [language_from_tag(t) for t in ("sv", "sv-SE", "de-AT", "en-GB", "pt-BR", None)] == [
        "sv",
        "sv",
        "de",
        "en",
        "en",
        "en",
    ]
    assert accepted_language("fr-CH, fr;q=0.9, de;q=0.8, en;q=0.5") == "de"
    assert accepted_language("sv;q=0, de") == "de"
    assert accepted_language("") == "en"
    assert accepted_language("en, sv") == "en"


async def test_each_task_keeps_its_own_language() -> None:
    """Two chats answered at once: neither's language leaks into the other's reply."""
    both_inside = asyncio.Barrier(2)

    async def answer(language: str) -> tuple[str, str]:
        with use_language(language):
            await both_inside.wait()  # both languages are set before either reads
            return current_language(), Reply(_("Next up")).title or ""

    swedish, german = await asyncio.gather(answer("sv"), answer("de"))
    assert swedish == ("sv", "Härnäst") and german == ("de", "Als Nächstes")
    assert current_language() == "en"


def test_a_reply_remembers_its_language_for_the_renderers() -> None:
    with use_language("de", clock_24h=False):
        reply = Reply("x")
    assert (reply.locale.language, reply.locale.clock_24h) == ("de", False)
    # Equal texts in two languages are two replies: caches keyed on a reply keep them apart.
    assert reply != Reply("x")


# -- the catalogs ------------------------------------------------------------------------------


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w*)\}", text))


@pytest.mark.parametrize("language", ["sv", "de"])
def test_every_message_has_a_translation(language: str) -> None:
    with (LOCALE / "pitboard.pot").open("rb") as handle:
        template = read_po(handle)
    with (LOCALE / language / "LC_MESSAGES" / "pitboard.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    missing, fuzzy, wrong = [], [], []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        if found is None or not found.string or not all(found.string):
            missing.append(message.id)
        elif found.fuzzy:
            fuzzy.append(message.id)
        else:
            strings = found.string if isinstance(found.string, tuple) else (found.string,)
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            if any(_placeholders(s) != _placeholders(ids[-1]) for s in strings):
                wrong.append(message.id)
    assert missing == [], f"{language}: no translation (run make i18n, then translate)"
    assert fuzzy == [], f"{language}: fuzzy translations to review"
    assert wrong == [], f"{language}: placeholders differ from the English"


def test_the_compiled_catalogs_match_the_po_files() -> None:
    assert i18n_catalogs.stale_mo_files() == []
    assert translate_for("sv", "Next up") == "Härnäst"  # read from the committed .mo


def test_discord_descriptions_fit_in_every_language() -> None:
    """Discord allows 100 characters for a command's or an option's description: a text that
    fits in English must fit in every language (a longer English one is cut, untranslated)."""
    from bot.core.commands import COMMANDS

    for language in ("sv", "de"):
        for command in COMMANDS:
            texts = [command.summary, *(a.help for a in command.arguments)]
            fitting = [t for t in texts if len(t) <= 100]
            too_long = [t for t in fitting if len(translate_for(language, t)) > 100]
            assert too_long == [], (language, command.name)


# -- the lint check --------------------------------------------------------------------------


def test_the_code_passes_the_check() -> None:
    assert check_i18n.problems() == []


def test_the_check_flags_english_outside_the_catalogs(tmp_path: Path) -> None:
    module = tmp_path / "views.py"
    module.write_text(
        "from bot.core.i18n import _\n"
        "log = None\n"
        "def reply(name: str) -> list[str]:\n"
        '    """A docstring is not flagged."""\n'
        '    log.info("a log line is not flagged either")\n'
        '    if name == "on":\n'
        '        return ["drivers", "/settings zone", "Europe/Berlin", " · "]\n'
        '    shown = [_("Next up"), "Standings after the race", f"Driver {name}", "TBA"]\n'
        '    shown.append("Looks like words")  # i18n: not user text\n'
        "    return shown\n",
        encoding="utf-8",
    )
    found = [text for _, text in check_i18n.unwrapped(module)]
    assert found == ["Standings after the race", "Driver ", "TBA"]


def test_english_texts_are_their_msgids_without_a_catalog_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """English is the source language: `_`, `ngettext` and `pgettext` answer what English's
    NullTranslations would, without looking a catalog up (a dozen lookups per /standings were
    a tenth of its CPU, issue 11); other languages still go to their catalogs."""
    english = i18n._translations("en")
    lookups: list[str] = []
    real = i18n._translations

    def counted(language: str) -> gettext.NullTranslations:
        lookups.append(language)
        return real(language)

    monkeypatch.setattr(i18n, "_translations", counted)
    with use_language("en"):
        assert _("Next up") == english.gettext("Next up") == "Next up"
        for n in (0, 1, 2):
            assert i18n.ngettext("{n} chat", "{n} chats", n) == english.ngettext(
                "{n} chat", "{n} chats", n
            )
        assert i18n.pgettext("column: points", "Pts") == "Pts"
    assert _("Next up") == "Next up"  # no language set: English
    assert lookups == []
    with use_language("sv"):
        assert _("Next up") != "Next up"
        assert i18n.pgettext("column: points", "Pts") == "P."
    assert lookups == ["sv", "sv"]


def test_an_english_list_is_babels_british_list_without_asking_babel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    words = ["Qualifying 1", "Race 1", "Race 2", "Race 3", "Race 4"]
    expected = [format_list(words[:n], locale="en_GB") for n in range(6)]

    def refused(*args: object, **kwargs: object) -> str:
        raise AssertionError("Babel asked for an English list")

    monkeypatch.setattr(i18n, "format_list", refused)
    with use_language("en"):
        assert [and_list(words[:n]) for n in range(6)] == expected
    assert expected[2:4] == ["Qualifying 1 and Race 1", "Qualifying 1, Race 1 and Race 2"]
