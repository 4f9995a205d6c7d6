"""The public page and the calendar feeds in the visitor's language: `?lang=` first, then the
browser's Accept-Language; each language kept as a page of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.web import page
from tests.web.conftest import running_web_bot
from tests.web.test_page import times_in

HOCKENHEIM = "/s/24h-series-2022/hockenheim"


async def test_the_page_speaks_the_asked_language_and_keeps_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders: list[str] = []
    original = page._rendered

    def counting(status: int, template: str, **values: object) -> page.Rendered:
        renders.append(template)
        return original(status, template, **values)

    monkeypatch.setattr(page, "_rendered", counting)
    async with running_web_bot(tmp_path) as bot:
        english = await bot.get(HOCKENHEIM)
        swedish = await bot.get(HOCKENHEIM + "?lang=sv")
        german = await bot.get(HOCKENHEIM, headers={"Accept-Language": "de-CH, de;q=0.9"})
        assert times_in(english.text)["2022-05-13T14:20:00Z"] == "Fri 13 May 16:20 CEST"
        assert times_in(swedish.text)["2022-05-13T14:20:00Z"] == "fre 13 maj 16:20 CEST"
        assert times_in(german.text)["2022-05-13T14:20:00Z"] == "Fr., 13. Mai 16:20 CEST"
        assert [a.headers["Content-Language"] for a in (english, swedish, german)] == [
            "en",
            "sv",
            "de",
        ]
        assert "Accept-Language" in english.headers["Vary"]
        # Asked again: each language's page is kept, none is rendered twice.
        again = await bot.get(HOCKENHEIM + "?lang=sv")
        assert again.body == swedish.body
        assert renders == ["series.html"] * 3
