"""Answers built on a fact no source states say so where a fan would care: standings computed with
an inferred points scale, a driver's inferred entry, inferred results and published rows, and the
chart's caption. The wording comes from core, so every front-end shows it."""

from __future__ import annotations

from pathlib import Path

from bot.core.inferred import scale_note
from bot.core.progression import chart_caption, progression
from bot.core.schedules import load_catalog
from bot.frontends.console.render import render
from tests.test_schedules_helpers import SERIES, replace_once, write_schedules
from tests.test_service import CATALOG
from tests.test_service_true_at_now import ask, service

AFTER_ROUND_1 = "2022-05-01T12:00+02:00"
SCALE_NOTE = (
    "Points computed with an unpublished scale (inferred: not published in the seeds; chosen to "
    "match Jessica Bäckman's points in the release's standings after round 1)."
)


async def test_a_table_computed_with_the_inferred_scales_says_so() -> None:
    text = await ask(CATALOG, "/standings tcr-germany-2022 teams", AFTER_ROUND_1)
    assert text == "\n".join(
        [
            "ADAC TCR Germany 2022 — teams",
            "─────────────────────────────",
            "",
            "After round 1 of 7 (Oschersleben)",
            "",
            "Incomplete: points from the results we have only, not the championship order.",
            "",
            "Team             Pts",
            "───────────────  ───",
            "ROJA Motorsport   44",
            "",
            SCALE_NOTE,
        ]
    )


async def test_a_published_table_needs_no_scale_note() -> None:
    # The drivers' table after round 1 is the organiser's: its points are stated, not computed.
    text = await ask(CATALOG, "/standings tcr-germany-2022", AFTER_ROUND_1)
    assert "Published standings" in text and "unpublished scale" not in text


async def test_mid_weekend_the_computed_drivers_table_says_so_too() -> None:
    text = await ask(CATALOG, "/standings tcr-germany-2022", "2022-04-24T00:01+02:00")
    assert text.endswith("Jessica Bäckman  SE    33\n\n" + SCALE_NOTE)


async def test_a_weekend_on_an_inferred_entry_says_the_entry_is_inferred() -> None:
    text = await ask(CATALOG, "/driver jessica red bull ring", AFTER_ROUND_1)
    assert text.split("\n")[3:11] == [
        "Country: SE",
        "Home: Northern Svartbyn, Boden",
        "TCR Germany 2022: Oschersleben: ROJA Motorsport · Hyundai Veloster N TCR",
        "TCR Germany 2022: Red Bull Ring: ROJA Motorsport · Hyundai Veloster N TCR "
        "(entry inferred)",
        "",
        "Red Bull Ring (TCR Germany 2022, round 2 of 7):",
        "no results yet — 3rd in the championship, 44 pts",
        "Entry inferred: the release says Jessica races at Red Bull Ring next, not with which "
        "team and car.",
    ]
    # The Oschersleben weekend stands on a stated entry: no note there.
    oschersleben = await ask(CATALOG, "/driver jessica oschersleben", AFTER_ROUND_1)
    assert "Entry inferred" not in oschersleben


async def test_inferred_results_and_published_rows_are_said(tmp_path: Path) -> None:
    sources = '[sources.sheet]\nkind = "document"\ntitle = "Timing sheet"\n'
    series = replace_once(
        SERIES,
        'position = 2\ncar = "7"\n',
        'position = 2\ncar = "7"\ninferred = "read off the TV graphics"\n',
    )
    series = (
        'source = "sheet"\n\n'
        + series
        + (
            '\n[[standings]]\nafter = "ring"\n\n[[standings.rows]]\nposition = 1\ndriver = "cleo"\n'
            'points = 25\ninferred = "the release rounds it"\n'
        )
    )
    catalog = load_catalog(write_schedules(tmp_path, series, sources_dot_toml=sources))
    later = "2022-06-01T12:00+02:00"
    results = await ask(catalog, "/results demo-2022/ring/race", later)
    assert results.endswith(
        "Partial results: not the whole classification.\n\n"
        "Some of these results are inferred: read off the TV graphics."
    )
    table = render(await service(catalog, later).standings("demo-2022"), colour=False)
    assert table.endswith("\n\nParts of this table are inferred: the release rounds it.")
    stated = await ask(catalog, "/results demo-2022/ring/qualifying", later)
    assert "inferred" not in stated


def test_the_chart_caption_says_its_points_come_from_an_inferred_scale() -> None:
    # Its steps are computed session by session with the inferred scales, even though its last
    # point is the published table.
    found = progression(CATALOG, "tcr-germany-2022")
    assert render(chart_caption(found), colour=False).split("\n") == [
        "TCR Germany 2022 — drivers’ championship",
        "After round 1 of 7 (Oschersleben)",
        "The last points are the organiser’s published table.",
        SCALE_NOTE,
    ]


def test_the_scale_note_lists_each_reason_once() -> None:
    assert scale_note(("a", "b")) == "Points computed with an unpublished scale (inferred: a; b)."


async def test_a_track_with_an_inferred_name_says_so() -> None:
    text = await ask(CATALOG, "/track oschersleben", AFTER_ROUND_1)
    assert text.split("\n")[-1] == (
        'Inferred:                       the full name: the release calls it only "the '
        'Oschersleben track"'
    )
    assert "Inferred" not in await ask(CATALOG, "/track hockenheim", AFTER_ROUND_1)
