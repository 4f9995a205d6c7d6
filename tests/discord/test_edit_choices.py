"""Autocomplete choices for the edit commands: "name · id", the id never cut, at most 25."""

from __future__ import annotations

from bot.core import lookup
from bot.core.names import Candidate
from bot.core.schedules import load_catalog
from bot.frontends.discord.edit_choices import edit_choices, with_id
from tests.discord.edit_harness import BUNDLED


def test_a_long_name_is_cut_and_its_id_kept_whole() -> None:
    long_id = "series-2022/" + "e" * 30 + "/" + "s" * 30
    labelled = with_id(Candidate(long_id, "N" * 120, ()))
    assert len(labelled.label) == 100
    assert labelled.label.endswith(f"… · {long_id}")


def test_typed_words_filter_sessions_accents_ignored_at_most_25() -> None:
    many = [Candidate(f"s-2022/e/race-{n}", f"Race {n}", ()) for n in range(40)]
    assert len(edit_choices("", many)) == 25
    assert len(edit_choices("rac", many)) == 25
    catalog = load_catalog(BUNDLED)
    pool = lookup.session_candidates(catalog)
    hockenheim = edit_choices("höckenheim qualif", pool)
    assert [c.value for c in hockenheim] == ["24h-series-2022/hockenheim/qualifying"]
    assert hockenheim[0].name == (
        "Qualifying – Hankook 12h Hockenheimring (24H Series 2022) · "
        "24h-series-2022/hockenheim/qualifying"
    )


def test_an_id_typed_in_full_finds_its_session() -> None:
    catalog = load_catalog(BUNDLED)
    pool = lookup.session_candidates(catalog)
    found = edit_choices("tcr-germany-2022/oschersleben/race-2", pool)
    assert found[0].value == "tcr-germany-2022/oschersleben/race-2"
