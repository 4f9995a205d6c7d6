"""The public page says what the core answers say about inferred facts: under a table computed
with the bundled (inferred) TCR Germany points scales, the same note /standings carries."""

from __future__ import annotations

import html

from tests.test_inferred_notes import SCALE_NOTE
from tests.web.test_page import main_text


async def test_the_series_page_notes_the_inferred_scale_under_the_computed_table(web_bot):
    text = html.unescape(main_text((await web_bot.get("/s/tcr-germany-2022")).text))
    teams = text.index("ADAC TCR Germany 2022 — teams")
    assert "ROJA Motorsport 44" in text[teams:]
    assert SCALE_NOTE in text[teams:]
    # The drivers' table is the published one: the note is under the teams' table only.
    assert SCALE_NOTE not in text[:teams]
