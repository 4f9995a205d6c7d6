"""An edit turned into new schedule-file text: `plan_edit(edit, files, catalog)`.

Pure: it reads the files' texts and the catalog they were loaded into, and returns the new
text of each file it changes (or the problems that keep it from changing any). Validating the
whole directory with the new text overlaid, writing, and reloading are `bot.editing`'s job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import tomlkit
from tomlkit.items import Table
from tomlkit.toml_document import TOMLDocument

from bot.core.catalog import Catalog
from bot.core.edits import document as docs
from bot.core.edits.document import NotFound, SeriesDoc
from bot.core.edits.inputs import ResultRowInput
from bot.core.edits.operations import (
    AddEntries,
    AddEvent,
    AddSession,
    CancelSession,
    Edit,
    EnterResults,
    EnterStandings,
    PostponeSession,
    SetSessionTime,
)
from bot.core.edits.problems import EditProblem
from bot.core.edits.results_edit import check_rows, write_results
from bot.core.model import Entry
from bot.core.provenance import FactKey, FactKind
from bot.core.schedules.problems import format_path

DRIVERS_FILE = "drivers.toml"


@dataclass(frozen=True)
class SourceStamp:
    """Where an edit's facts come from: written as `[sources.<id>]` in the edited series file,
    and as `source = "<id>"` on every table the edit wrote or changed."""

    id: str  # "edit-12", "import-13"
    kind: str  # "operator" | "import"
    by: str  # the actor, e.g. "telegram:12345 (@anna)"
    at: datetime  # when, in UTC
    file: str | None = None  # an import's file name

    def table(self) -> Table:
        values = {"kind": self.kind, "file": self.file, "by": self.by, "at": self.at}
        return docs.new_table(values)


@dataclass(frozen=True)
class EditPlan:
    texts: Mapping[str, str] = field(default_factory=dict)  # relative path -> new text
    problems: tuple[EditProblem, ...] = ()
    # Where a result row went ("events[0].sessions[3].results[2]" in that file) -> the
    # operator's row, so the loader's problem with it can point at the operator's line.
    origins: Mapping[tuple[str, str], ResultRowInput] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, problems: Sequence[EditProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = tuple(problems)


@dataclass
class _Work:
    """The files being edited: each parsed once, dumped once at the end."""

    files: Mapping[str, str]
    catalog: Catalog
    series: dict[str, SeriesDoc] = field(default_factory=dict)  # by series id
    drivers: TOMLDocument | None = None
    origins: dict[tuple[str, str], ResultRowInput] = field(default_factory=dict)
    # What earlier edits of the same batch added (an import adds entries, then results).
    added_events: set[str] = field(default_factory=set)
    added_entries: dict[str, list[Entry]] = field(default_factory=dict)  # by event id
    added_drivers: set[str] = field(default_factory=set)
    stamp: SourceStamp | None = None
    # Existing tables the edit changed, each with the sources that stated it before (its own
    # or inherited), which keep their share of it (see `apply_stamp`).
    stamped: list[tuple[Table, tuple[str, ...]]] = field(default_factory=list)

    @property
    def source(self) -> str | None:
        return None if self.stamp is None else self.stamp.id

    def new_table(self, values: Mapping[str, Any]) -> Table:
        """A table the edit writes, saying its source."""
        return docs.new_table({**values, "source": self.source})

    def changed(self, table: Table, fact: FactKey | None = None) -> None:
        """An existing table whose facts the edit changed: it says the edit's source."""
        before = self.catalog.provenance.of(fact) if fact is not None else None
        self.stamped.append((table, before.sources if before is not None else ()))

    def apply_stamp(self) -> None:
        """Provenance is kept per table, and a table without its own `source` takes its
        parent's. So a changed session names its earlier sources beside the edit (the release
        still states its name and day), and its result rows that stated nothing themselves
        keep the earlier sources explicitly: the edit did not state them."""
        if self.stamp is None or not self.series:
            return
        for table, before in self.stamped:
            for child in table.get("results", ()):
                if isinstance(child, Table) and before and not _states_provenance(child):
                    docs.set_key(child, "source", _source_value(before))
            kept = tuple(source for source in before if source != self.stamp.id)
            docs.set_key(table, "source", _source_value((*kept, self.stamp.id)))
            docs.remove_key(table, "inferred")  # the operator states it now
        first = next(iter(self.series.values()))  # ids are one namespace: define it once
        sources = first.doc.get("sources")
        if sources is None:
            first.doc["sources"] = tomlkit.table(is_super_table=True)
            sources = first.doc["sources"]
        sources[self.stamp.id] = self.stamp.table()

    def series_doc(self, series_id: str) -> SeriesDoc:
        if series_id not in self.series:
            self.series[series_id] = docs.find_series_file(self.files, series_id)
        return self.series[series_id]

    def texts(self) -> dict[str, str]:
        out = {}
        for item in self.series.values():
            out[item.path] = docs.dumps(item.doc, self.files[item.path])
        if self.drivers is not None:
            out[DRIVERS_FILE] = docs.dumps(self.drivers, self.files.get(DRIVERS_FILE, ""))
        return {path: text for path, text in out.items() if text != self.files.get(path)}


def _states_provenance(table: Table) -> bool:
    return "source" in table or "inferred" in table


def _source_value(sources: Sequence[str]) -> str | list[str]:
    """One id as a plain string, as the files write it; several as an array."""
    return sources[0] if len(sources) == 1 else list(sources)


def plan_edit(
    edit: Edit | Sequence[Edit],
    files: Mapping[str, str],
    catalog: Catalog,
    stamp: SourceStamp | None = None,
) -> EditPlan:
    """The new texts for `edit` (or several edits, applied in order as one), or its problems.
    With `stamp`, every table written or changed names it as its source."""
    work = _Work(files, catalog, stamp=stamp)
    edits = [edit] if not isinstance(edit, Sequence) else list(edit)
    try:
        for one in edits:
            _APPLY[type(one)](work, one)
    except _Refused as refused:
        return EditPlan(problems=refused.problems)
    except NotFound as missing:
        return EditPlan(problems=(EditProblem(str(missing)),))
    if not work.texts():
        return EditPlan(problems=(EditProblem("nothing to change: the files already say that"),))
    work.apply_stamp()
    texts = work.texts()
    if not texts:
        return EditPlan(problems=(EditProblem("nothing to change: the files already say that"),))
    return EditPlan(texts, (), dict(work.origins))


def _session_fact(session_id: str) -> FactKey:
    return (FactKind.SESSION, session_id, -1)


def _session(work: _Work, session_id: str) -> tuple[SeriesDoc, int, int, Table]:
    if session_id not in work.catalog.sessions:
        raise _Refused([EditProblem(f"unknown session {session_id!r}")])
    series_id, event_slug, slug = docs.split_session_id(session_id)
    series = work.series_doc(series_id)
    event_index, event = docs.event_table(series, event_slug)
    session_index, table = docs.session_table(event, slug)
    return series, event_index, session_index, table


def _set_time(work: _Work, edit: SetSessionTime) -> None:
    _, _, _, table = _session(work, edit.session_id)
    work.changed(table, _session_fact(edit.session_id))
    if edit.day is not None:
        docs.set_key(table, "date", edit.day)
    docs.set_key(table, "time", "TBA" if edit.time is None else edit.time.strftime("%H:%M"))
    if edit.utc_offset is not None and edit.time is not None:
        docs.set_key(table, "utc_offset", _offset_text(edit.utc_offset))
    else:
        # An offset only ever settled the old wall time; kept, it could name neither instant.
        docs.remove_key(table, "utc_offset")


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    hours, mins = divmod(abs(minutes), 60)
    return f"{'-' if minutes < 0 else '+'}{hours:02d}:{mins:02d}"


def _cancel(work: _Work, edit: CancelSession) -> None:
    _, _, _, table = _session(work, edit.session_id)
    work.changed(table, _session_fact(edit.session_id))
    if edit.cancelled:
        docs.set_key(table, "cancelled", True)
    else:
        docs.remove_key(table, "cancelled")


def _postpone(work: _Work, edit: PostponeSession) -> None:
    _, _, _, table = _session(work, edit.session_id)
    work.changed(table, _session_fact(edit.session_id))
    if edit.day is not None:
        docs.set_key(table, "date", edit.day)
    docs.set_key(table, "time", "TBA")
    docs.remove_key(table, "utc_offset")


def _add_event(work: _Work, edit: AddEvent) -> None:
    if edit.series_id not in work.catalog.series:
        raise _Refused([EditProblem(f"unknown series {edit.series_id!r}")])
    if edit.target in work.catalog.events:
        raise _Refused([EditProblem(f"the event {edit.target!r} exists already")])
    series = work.series_doc(edit.series_id)
    values = {
        "id": edit.slug,
        "name": edit.name,
        "round": edit.round,
        "track": edit.track,
        "timezone": edit.timezone,
        "start_date": edit.start_date,
        "end_date": edit.end_date,
    }
    docs.array_of_tables(series.doc, "events").append(work.new_table(values))
    work.added_events.add(edit.target)


def _add_session(work: _Work, edit: AddSession) -> None:
    if edit.event_id not in work.catalog.events and edit.event_id not in work.added_events:
        raise _Refused([EditProblem(f"unknown event {edit.event_id!r}")])
    if edit.target in work.catalog.sessions:
        raise _Refused([EditProblem(f"the session {edit.target!r} exists already")])
    series_id, slug = docs.split_event_id(edit.event_id)
    _, event = docs.event_table(work.series_doc(series_id), slug)
    values = {
        "id": edit.slug,
        "name": edit.name,
        "kind": edit.kind.value,
        "date": edit.day,
        "time": "TBA" if edit.time is None else edit.time.strftime("%H:%M"),
        "duration": None if edit.duration is None else _duration_text(edit.duration),
    }
    docs.array_of_tables(event, "sessions").append(work.new_table(values))


def _duration_text(duration: timedelta) -> str:
    hours, minutes = divmod(int(duration.total_seconds() // 60), 60)
    return (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes or not hours else "")


def _results(work: _Work, edit: EnterResults) -> None:
    session = work.catalog.sessions.get(edit.session_id)
    if session is None:
        raise _Refused([EditProblem(f"unknown session {edit.session_id!r}")])
    event = work.catalog.events[session.event_id]
    added = work.added_entries.get(event.id, [])
    event = replace(event, entries=(*event.entries, *added))
    whos, problems = check_rows(edit.rows, event, work.catalog, work.added_drivers)
    if problems:
        raise _Refused(problems)
    series, event_index, session_index, table = _session(work, edit.session_id)
    placed = write_results(table, edit, whos, event, work.source)
    if edit.complete is not None:
        work.changed(table, _session_fact(edit.session_id))  # it says if they are complete
    for index, row in placed.items():
        path = format_path(("events", event_index, "sessions", session_index, "results", index))
        work.origins[(series.path, path)] = row


def _standings(work: _Work, edit: EnterStandings) -> None:
    if edit.series_id not in work.catalog.series:
        raise _Refused([EditProblem(f"unknown series {edit.series_id!r}")])
    series_id, slug = docs.split_event_id(edit.after_event_id)
    if series_id != edit.series_id or edit.after_event_id not in work.catalog.events:
        message = f"unknown event {edit.after_event_id!r} in {edit.series_id}"
        raise _Refused([EditProblem(message)])
    problems = [
        EditProblem(f"unknown driver {row.driver_id!r}", row.line, row.column)
        for row in edit.rows
        if row.driver_id not in work.catalog.drivers
    ]
    if problems:
        raise _Refused(problems)
    series = work.series_doc(edit.series_id)
    tables = docs.array_of_tables(series.doc, "standings")
    rows = tomlkit.aot()
    for row in edit.rows:
        points = float(row.points) if "." in row.points else int(row.points)
        rows.append(docs.new_table({"position": row.position, "driver": row.driver_id,
                                    "points": points}))  # fmt: skip
    try:
        _, table = docs.find_in(tables, "after", slug, "standings")
    except NotFound:
        table = work.new_table({"after": slug, "note": edit.note})
        tables.append(table)
    if edit.note is not None:
        docs.set_key(table, "note", edit.note)
    work.changed(table)
    docs.remove_key(table, "rows")
    table["rows"] = rows


def _entries(work: _Work, edit: AddEntries) -> None:
    event = work.catalog.events.get(edit.event_id)
    if event is None:
        raise _Refused([EditProblem(f"unknown event {edit.event_id!r}")])
    taken = {entry.number for entry in event.entries if entry.number}
    problems = [
        EditProblem(f"car #{entry.number} is entered in {event.name} already")
        for entry in edit.entries
        if entry.number in taken
    ]
    problems += [
        EditProblem(f"driver {driver.id!r} exists already ({work.catalog.drivers[driver.id].name})")
        for driver in edit.new_drivers
        if driver.id in work.catalog.drivers
    ]
    if problems:
        raise _Refused(problems)
    series_id, slug = docs.split_event_id(edit.event_id)
    _, table = docs.event_table(work.series_doc(series_id), slug)
    entries = docs.array_of_tables(table, "entries")
    work.added_entries.setdefault(event.id, []).extend(
        Entry(e.driver_ids, e.number, e.team, e.car, e.class_name) for e in edit.entries
    )
    work.added_drivers.update(driver.id for driver in edit.new_drivers)
    for entry in edit.entries:
        values = {
            "number": entry.number,
            "team": entry.team,
            "car": entry.car,
            "class": entry.class_name,
            "drivers": list(entry.driver_ids),
        }
        entries.append(work.new_table(values))
    if edit.new_drivers:
        if work.drivers is None:
            work.drivers = tomlkit.parse(work.files.get(DRIVERS_FILE, ""))
        drivers = work.drivers.get("drivers")
        if drivers is None:
            work.drivers["drivers"] = tomlkit.table(is_super_table=True)
            drivers = work.drivers["drivers"]
        for driver in edit.new_drivers:
            values = {"name": driver.name, "country": driver.country}
            drivers[driver.id] = work.new_table(values)


_APPLY: dict[type, Callable[[_Work, object], None]] = {
    SetSessionTime: _set_time,  # type: ignore[dict-item]
    CancelSession: _cancel,  # type: ignore[dict-item]
    PostponeSession: _postpone,  # type: ignore[dict-item]
    AddEvent: _add_event,  # type: ignore[dict-item]
    AddSession: _add_session,  # type: ignore[dict-item]
    EnterResults: _results,  # type: ignore[dict-item]
    EnterStandings: _standings,  # type: ignore[dict-item]
    AddEntries: _entries,  # type: ignore[dict-item]
}
