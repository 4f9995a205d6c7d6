"""The text cleaning both chat front-ends share (bot.frontends.sendable)."""

from __future__ import annotations

from bot.frontends.sendable import sendable_text


def test_printable_text_is_returned_as_it_is() -> None:
    for text in ("Jessica Bäckman", "Race 1 — 10:30", "Emil Sällberg 🏁", ""):
        assert sendable_text(text, single_line=True) == text


def test_control_characters_become_spaces_and_line_breaks_stay_where_allowed() -> None:
    assert sendable_text("a\x1bb\x00c\rd", single_line=False) == "a b c d"
    assert sendable_text("one\ntwo", single_line=False) == "one\ntwo"
    assert sendable_text("one\ntwo", single_line=True) == "one two"


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    cleaned = sendable_text("bad\ud800name", single_line=True)
    assert cleaned == "bad\ufffdname"
    cleaned.encode("utf-8")  # what the platforms need: it must not raise


def test_other_unprintable_characters_that_platforms_take_are_kept() -> None:
    # A no-break space and a zero-width joiner are not printable, and not control characters.
    assert sendable_text("24H\u00a0Series\u200d", single_line=True) == "24H\u00a0Series\u200d"
