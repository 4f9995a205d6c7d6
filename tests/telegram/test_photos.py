"""A reply's image on Telegram: the post as the photo's caption when it fits, else after it."""

from __future__ import annotations

from bot.core.reply import Attachment, Reply, paragraph
from bot.frontends.telegram.photos import MAX_CAPTION_LENGTH, caption_length, with_photo
from bot.frontends.telegram.render import TelegramMessage, render

IMAGE = Attachment(b"\x89PNG...", "chart.png")


def test_a_short_post_becomes_the_photos_caption() -> None:
    messages = with_photo(render(Reply("Results", (paragraph("Race 1: 1. Bäckman"),))), IMAGE)
    assert len(messages) == 1 and messages[0].photo is IMAGE
    assert "Race 1: 1. Bäckman" in messages[0].text


def test_a_post_too_long_for_a_caption_keeps_its_text_and_the_photo_follows() -> None:
    long = Reply("Results", (paragraph(*(f"Line {n} of a long results post" for n in range(60))),))
    messages = with_photo(render(long), IMAGE)
    assert [m.photo for m in messages] == [None, IMAGE]
    assert caption_length(messages[0].text) > MAX_CAPTION_LENGTH
    assert messages[1].text == ""


def test_the_caption_is_measured_as_telegram_reads_it_without_tags() -> None:
    # 1000 characters of text in bold with escapes: over 1024 as HTML, within it as read.
    text = "<b>" + "&amp;" * 1000 + "</b>"
    assert caption_length(text) == 1000
    (message,) = with_photo([TelegramMessage(text)], IMAGE)
    assert message.photo is IMAGE
