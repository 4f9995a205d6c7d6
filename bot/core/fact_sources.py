"""Every fact of a catalog with where it came from: what `pitboard check --sources` lists.

A fact is one table of the schedule files (see bot.core.provenance). Each is listed under every
source that states it, under "inferred" with its reason when its table says so, and under
"without a source" when neither its table nor any table above it says anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.core.catalog import Catalog
from bot.core.formatting import count, format_points
from bot.core.model import Event, ResultRow, Series
from bot.core.provenance import FactKey, FactKind


@dataclass(frozen=True)
class Fact:
    key: FactKey
    label: str  # "result tcr-germany-2022/oschersleben/race-1: 1 jessica-backman"


@dataclass(frozen=True)
class SourcesReport:
    by_source: dict[str, list[Fact]]  # every defined source id, in file order, with its facts
    inferred: list[tuple[Fact, str]] = field(default_factory=list)  # with the reason
    unsourced: list[Fact] = field(default_factory=list)
    total: int = 0


def sources_report(catalog: Catalog) -> SourcesReport:
    provenance = catalog.provenance
    by_source: dict[str, list[Fact]] = {source_id: [] for source_id in provenance.sources}
    inferred: list[tuple[Fact, str]] = []
    unsourced: list[Fact] = []
    total = 0
    for fact in all_facts(catalog):
        total += 1
        found = provenance.of(fact.key)
        if found is None or not found.sourced:
            unsourced.append(fact)
            continue
        for source_id in found.sources:
            by_source.setdefault(source_id, []).append(fact)
        if found.inferred is not None:
            inferred.append((fact, found.inferred))
    return SourcesReport(by_source, inferred, unsourced, total)


def report_lines(catalog: Catalog, report: SourcesReport) -> list[str]:
    """The report as text, one fact per line, grouped by source."""
    lines: list[str] = []
    for source_id, facts in report.by_source.items():
        source = catalog.provenance.sources.get(source_id)
        # i18n: not user text (pitboard sources: the operator's terminal report, English)
        about = source.label() if source is not None else "(not defined)"
        lines.append(f"{source_id}: {about} — {count(len(facts), 'fact')}")
        # i18n: not user text (pitboard sources: the operator's terminal report, English)
        lines += [f"  {fact.label}" for fact in facts] or ["  (no fact names it)"]
        lines.append("")
    # i18n: not user text (pitboard sources: the operator's terminal report, English)
    lines.append(f"Inferred — {count(len(report.inferred), 'fact')}")
    lines += [f"  {fact.label}: {reason}" for fact, reason in report.inferred]
    lines.append("")
    # i18n: not user text (pitboard sources: the operator's terminal report, English)
    lines.append(f"Without a source — {count(len(report.unsourced), 'fact')}")
    lines += [f"  {fact.label}" for fact in report.unsourced]
    return lines


def all_facts(catalog: Catalog) -> Iterator[Fact]:
    """Every fact in the order of the files: each series with its events, entries, sessions,
    results and published tables, then the scales, tracks (with lap records) and drivers."""
    for series in catalog.series.values():
        yield from _series_facts(series)
    for scale in catalog.scales.values():
        yield Fact((FactKind.SCALE, scale.id, -1), f"scale {scale.id}")
    for track in catalog.tracks.values():
        yield Fact((FactKind.TRACK, track.id, -1), f"track {track.id}")
        for index, record in enumerate(track.lap_records):
            # i18n: not user text (pitboard sources: the operator's terminal report, English)
            label = f"lap record {track.id} {record.class_name} {record.time}"
            yield Fact((FactKind.LAP_RECORD, track.id, index), label)
    for driver in catalog.drivers.values():
        yield Fact((FactKind.DRIVER, driver.id, -1), f"driver {driver.id}")


def _series_facts(series: Series) -> Iterator[Fact]:
    yield Fact((FactKind.SERIES, series.id, -1), f"series {series.id}")
    for event in series.events:
        yield from _event_facts(event)
    for table in series.published_standings:
        owner = table.after_event
        after = owner.rsplit("/", 1)[-1]
        # i18n: not user text (pitboard sources: the operator's terminal report, English)
        yield Fact((FactKind.STANDINGS, owner, -1), f"standings {series.id} after {after}")
        for index, row in enumerate(table.rows):
            label = (
                # i18n: not user text (pitboard sources: the operator's terminal report, English)
                f"standings row {series.id} after {after}: {row.position} {row.driver} "
                f"{format_points(row.points)} pts"
            )
            yield Fact((FactKind.STANDINGS_ROW, owner, index), label)


def _event_facts(event: Event) -> Iterator[Fact]:
    yield Fact((FactKind.EVENT, event.id, -1), f"event {event.id}")
    for index, entry in enumerate(event.entries):
        car = f"#{entry.number} " if entry.number else ""
        # i18n: not user text (pitboard sources: the operator's terminal report, English)
        label = f"entry {event.id}: {car}{', '.join(entry.drivers)}"
        yield Fact((FactKind.ENTRY, event.id, index), label)
    for session in event.sessions:
        yield Fact((FactKind.SESSION, session.id, -1), f"session {session.id}")
        for index, row in enumerate(session.results):
            # i18n: not user text (pitboard sources: the operator's terminal report, English)
            label = f"result {session.id}: {_row_text(row)}"
            yield Fact((FactKind.RESULT, session.id, index), label)


def _row_text(row: ResultRow) -> str:
    place = str(row.position) if row.position is not None else row.status.value.upper()
    who = f"#{row.car_number}" if row.car_number else ", ".join(row.drivers)
    note = f" ({row.note})" if row.note else ""
    return f"{place} {who}{note}"
