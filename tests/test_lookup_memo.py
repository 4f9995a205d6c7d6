"""The list of series a name is matched against is built once per catalog, and a reload, which
brings a new catalog, brings a new list: a renamed series is found by its new name at once."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import pytest

from bot.core import lookup
from bot.core.catalog import Catalog, CatalogHolder
from bot.core.clock import FixedClock
from bot.core.names import Candidate
from bot.core.reply import ReplyStatus
from bot.core.schedules import load_catalog
from bot.core.service import Service

CATALOG = load_catalog(Path(__file__).resolve().parent.parent / "schedules")
NOW = datetime.fromisoformat("2022-06-01T12:00+02:00")
TCR = "tcr-germany-2022"


def renamed(catalog: Catalog, series_id: str, name: str, short_name: str) -> Catalog:
    """The catalog a reload would build after the series was renamed in its file."""
    series = [
        dataclasses.replace(s, name=name, short_name=short_name) if s.id == series_id else s
        for s in catalog.series.values()
    ]
    return Catalog.build(
        series, catalog.drivers.values(), catalog.tracks.values(), catalog.scales.values()
    )


def test_series_candidates_are_built_once_per_catalog() -> None:
    catalog = renamed(CATALOG, TCR, "ADAC TCR Germany", "TCR Germany")  # nothing derived yet
    first = lookup.series_candidates(catalog)
    again = lookup.series_candidates(catalog)
    assert [c.id for c in first] == list(catalog.series)
    # The same candidates, not new ones built again.
    assert all(a is b for a, b in zip(first, again, strict=True))
    # Each caller gets its own list: extending one (Discord's autocomplete adds the drivers)
    # leaves what the next caller gets alone.
    first.append(Candidate("extra", "Extra", ()))
    assert [c.id for c in lookup.series_candidates(catalog)] == list(catalog.series)


async def test_a_reload_brings_new_candidates() -> None:
    holder = CatalogHolder(CATALOG)
    service = Service(holder, FixedClock(NOW))
    assert (await service.standings("tcr germany")).status is ReplyStatus.OK  # memo filled
    assert (await service.standings("atc")).status is not ReplyStatus.OK

    holder.swap(renamed(CATALOG, TCR, "ADAC Tourenwagen Cup", "ATC"))

    reply = await service.standings("atc")
    assert reply.status is ReplyStatus.OK
    assert reply.title.startswith("ADAC Tourenwagen Cup 2022")
    labels = {c.id: c.label for c in lookup.series_candidates(holder.current)}
    assert labels[TCR] == "ATC 2022"
    # The old catalog keeps its own list.
    assert {c.id: c.label for c in lookup.series_candidates(CATALOG)}[TCR] == "TCR Germany 2022"


async def test_an_exact_id_is_answered_without_building_the_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[Catalog] = []
    real = lookup.series_candidates

    def counted(catalog: Catalog) -> list[Candidate]:
        built.append(catalog)
        return real(catalog)

    monkeypatch.setattr(lookup, "series_candidates", counted)
    service = Service(CatalogHolder(CATALOG), FixedClock(NOW))
    by_id = await service.standings(f" {TCR} ")
    assert by_id.status is ReplyStatus.OK and by_id.title.startswith("ADAC TCR Germany 2022")
    assert built == []
    # A name still goes through the candidates, and finds the same table.
    by_name = await service.standings("tcr germany")
    assert by_name == by_id
    assert built == [CATALOG]
