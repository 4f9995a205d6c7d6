"""The text and link checks both chat front-ends share (bot.frontends.sendable)."""

from __future__ import annotations

from bot.frontends.sendable import is_web_url, sendable_text


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


def test_only_an_http_or_https_url_with_a_host_is_a_web_url() -> None:
    assert is_web_url("https://www.24hseries.com/live")
    assert is_web_url("HTTP://example.org")
    for shown_only in (
        "javascript:alert(1)",
        "tg://resolve?domain=x",
        "discord://channels/1",
        "https://",
        "https://exa mple.org",
        "https://example.org/\x1b",
        "http://[::1",  # urlsplit refuses it
    ):
        assert not is_web_url(shown_only), shown_only
