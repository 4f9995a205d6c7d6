"""Press recaps: what a press office writes after a weekend, written from the data.

`/recap DRIVER [EVENT]`: the driver's car and team, their result in each session in timetable
order ("Qualifying 2: DNS. Due to technical problems (fuel pump)."), and the championship's top
three after the round. `/recap SERIES EVENT`: each session's winner (pole, fastest, class winners
in a multi-class race), who was not classified and why, and the top three.

True at the clock's now: a session is in a recap once its results count as known
(`bot.core.queries.results_known`, the rule /results and /driver follow), and the standings are
the table as it stood after the event, or now while it is under way (as /driver shows them).
A recap holds results, so a spoiler-safe chat gets it hidden like /results.
"""

from __future__ import annotations

from datetime import datetime

from bot.core import inferred
from bot.core.catalog import Catalog
from bot.core.cut import finished_at, last_to_finish
from bot.core.entry_index import event_entries
from bot.core.formatting import format_points, ordinal
from bot.core.model import Entry, Event, ResultRow, ResultStatus, Session, SessionKind
from bot.core.queries import results_known
from bot.core.recap_words import and_list, car_text, names, outcome, team_text, timing_text
from bot.core.reply import (
    Line,
    Paragraph,
    Reply,
    ReplyStatus,
    bold,
    italic,
    line,
    paragraph,
    problem,
)
from bot.core.standings import Standings, TableKind, standings
from bot.core.views import event_dates, standings_heading

__all__ = ["driver_recap", "event_recap", "latest_event", "recap_sessions"]

TOP = 3


def recap_sessions(catalog: Catalog, event: Event, now: datetime) -> list[Session]:
    """The sessions of `event` whose results are known at `now`, in timetable order."""
    known = [s for s in event.sessions if results_known(s, now)]
    return sorted(known, key=lambda s: catalog.timeline_index[s.id])


def latest_event(
    catalog: Catalog, now: datetime, *, series_id: str | None = None, driver_id: str | None = None
) -> Event | None:
    """The event with the latest results known at `now`: of a series, or with a result of a
    driver's; None when there is none yet."""
    if driver_id is not None:
        events = [catalog.events[eid] for eid, _ in catalog.entries_by_driver.get(driver_id, ())]
    else:
        events = list(catalog.series[series_id or ""].events)
    latest: tuple[datetime, int, Event] | None = None
    for order, event in enumerate(events):
        known = [
            s
            for s in recap_sessions(catalog, event, now)
            if driver_id is None or _row_of(s, driver_id) is not None
        ]
        if known:
            key = (max(finished_at(s) for s in known), order, event)
            if latest is None or key[:2] > latest[:2]:
                latest = key
    return None if latest is None else latest[2]


def driver_recap(catalog: Catalog, driver_id: str, event: Event, now: datetime) -> Reply:
    driver = catalog.drivers[driver_id]
    entry = _entry(catalog, driver_id, event)
    if entry is None:
        return problem(ReplyStatus.NOT_FOUND, f"{driver.name} is not entered in {event.name}.")
    title = f"Recap: {driver.name} at {event.name}"
    sessions = [s for s in recap_sessions(catalog, event, now) if _row_of(s, driver_id)]
    if not sessions:
        return _nothing_yet(title, f"No results for {driver.name} at {event.name} yet.")
    intro = [_event_line(catalog, event)]
    class_text = f"{entry.class_name} class" if entry.class_name else ""
    about = ", ".join(part for part in (car_text(entry), class_text) if part)
    if about and inferred.entry_reason(catalog, event.id, entry):
        about += f" ({inferred.ENTRY_MARK})"
    if about:
        intro.append(line(f"{driver.name}: {about}."))
    if (to_come := _still_to_come(catalog, event, now)) is not None:
        intro.append(to_come)
    results = [line(bold(f"{driver.name}'s results:"))]
    for session in sessions:
        row = _row_of(session, driver_id)
        assert row is not None  # kept above
        results.append(line(f"{session.name}: {outcome(row, _class_place(catalog, session, row))}"))
    results += _inferred_results(catalog, sessions)
    blocks = [Paragraph(tuple(intro)), Paragraph(tuple(results))]
    championship = _championship(catalog, event, now, driver_id)
    if championship is not None:
        blocks.append(championship)
    return Reply(title=title, blocks=tuple(blocks), contains_results=True)


def event_recap(catalog: Catalog, event: Event, now: datetime) -> Reply:
    title = f"Recap: {event.name}"
    sessions = recap_sessions(catalog, event, now)
    if not sessions:
        return _nothing_yet(title, f"No results from {event.name} yet.")
    intro: list[Line] = [_event_line(catalog, event)]
    if (to_come := _still_to_come(catalog, event, now)) is not None:
        intro.append(to_come)
    blocks: list[Paragraph] = [Paragraph(tuple(intro))]
    results = [line(bold("Results:"))]
    missing: list[Line] = []
    for session in _with_cancelled(catalog, event, sessions, now):
        results += _session_lines(catalog, event, session)
        missing += [
            line(f"{session.name}: {_who(catalog, event, row)}, {outcome(row)}")
            for row in session.results
            if row.status is not ResultStatus.CLASSIFIED
        ]
    results += _inferred_results(catalog, sessions)
    blocks.append(Paragraph(tuple(results)))
    if missing:
        blocks.append(Paragraph((line(bold("Not classified:")), *missing)))
    championship = _championship(catalog, event, now, None)
    if championship is not None:
        blocks.append(championship)
    return Reply(title=title, blocks=tuple(blocks), contains_results=True)


# -- the pieces ------------------------------------------------------------------------------


def _inferred_results(catalog: Catalog, sessions: list[Session]) -> list[Line]:
    """A line saying which of these results no source states, if any are inferred."""
    reasons = inferred.result_reasons(catalog, sessions)
    return [line(italic(inferred.results_note(reasons)))] if reasons else []


def _event_line(catalog: Catalog, event: Event) -> Line:
    """'ADAC TCR Germany 2022, round 1 of 7: Oschersleben, 22–24 Apr 2022.', with the track's
    name when a source states it (a recap is pasted into press releases: an inferred name,
    such as Oschersleben's full one, is left out rather than printed with a caveat)."""
    series = catalog.series[event.series_id]
    heading = f"{series.name} {series.season}"
    if event.round is not None:
        heading += f", round {event.round}" + (f" of {series.rounds}" if series.rounds else "")
    track = catalog.tracks.get(event.track_id or "")
    stated = track is not None and not inferred.track_reason(catalog, track.id)
    where = ", ".join(p for p in (event.name, track.name if track and stated else "") if p)
    dates = f", {event_dates(event)}" if event.start_date is not None else ""
    return line(f"{heading}: {where}{dates}.")


def _still_to_come(catalog: Catalog, event: Event, now: datetime) -> Line | None:
    """The sessions not in the recap yet (not run, or their results not due), by name."""
    waiting = [s for s in event.sessions if not s.cancelled and not results_known(s, now)]
    waiting.sort(key=lambda s: catalog.timeline_index[s.id])
    if not waiting:
        return None
    return line(italic(f"Still to come: {and_list([s.name for s in waiting])}."))


def _with_cancelled(
    catalog: Catalog, event: Event, sessions: list[Session], now: datetime
) -> list[Session]:
    """The sessions with results, and those called off whose time has passed, in order."""
    called_off = [s for s in event.sessions if s.cancelled and finished_at(s) <= now]
    return sorted(
        {s.id: s for s in (*sessions, *called_off)}.values(),
        key=lambda s: catalog.timeline_index[s.id],
    )


def _session_lines(catalog: Catalog, event: Event, session: Session) -> list[Line]:
    """'Race 1: won by Jessica Bäckman (ROJA Motorsport).', and in a multi-class race each
    class's winner on its own line."""
    if session.cancelled and not session.results:
        return [line(f"{session.name}: cancelled.")]
    classified = _classified(session.results)
    if classified and classified[0].position == 1:
        first = classified[0]
        words = _first_place_words(event, session)
        timing = timing_text(first, session.kind is SessionKind.RACE)
        lines = [line(f"{session.name}: {words} {_who(catalog, event, first)}{timing}.")]
        for class_name, winner in _class_winners(catalog, session):
            lines.append(line(f"  {class_name} class: {_who(catalog, event, winner)}."))
        fastest = next((r for r in _classified(session.results) if r.fastest_lap), None)
        if fastest is not None and session.kind is SessionKind.RACE:
            lap = f", {fastest.best_lap}" if fastest.best_lap else ""
            lines.append(line(f"  Fastest lap: {_who(catalog, event, fastest)}{lap}."))
        return lines
    if classified:
        known = ", ".join(
            f"{names(catalog, r.drivers)} {ordinal(r.position or 0)}" for r in classified[:TOP]
        )
        return [line(f"{session.name}: partial results only: {known}.")]
    return [line(f"{session.name}: partial results only, no one classified in them.")]


def _first_place_words(event: Event, session: Session) -> str:
    if session.kind is SessionKind.RACE:
        later_part = any(
            s.kind is SessionKind.RACE and (s.part or 0) > (session.part or 0)
            for s in event.sessions
        )
        if session.part is not None and later_part:
            return f"leader after part {session.part}:"
        return "won by"
    if session.kind is SessionKind.QUALIFYING:
        return "pole position:"
    return "fastest:"


def _classified(rows: tuple[ResultRow, ...]) -> list[ResultRow]:
    found = [r for r in rows if r.status is ResultStatus.CLASSIFIED and r.position is not None]
    return sorted(found, key=lambda r: r.position or 0)


def _class_of(catalog: Catalog, session: Session, row: ResultRow) -> str | None:
    """The row's class as the timing sheet gives it, else its entry's."""
    if row.class_name:
        return row.class_name
    entries = event_entries(catalog, catalog.events[session.event_id]).for_row(row)
    return entries[0].class_name if entries else None


def _class_winners(catalog: Catalog, session: Session) -> list[tuple[str, ResultRow]]:
    """Each class's best classified row, in a race of more than one class with complete
    results (a partial list cannot say who won a class)."""
    if session.kind is not SessionKind.RACE or not session.results_complete:
        return []
    winners: dict[str, ResultRow] = {}
    for row in _classified(session.results):
        class_name = _class_of(catalog, session, row)
        if class_name is not None:
            winners.setdefault(class_name, row)
    return list(winners.items()) if len(winners) > 1 else []


def _class_place(catalog: Catalog, session: Session, row: ResultRow) -> tuple[str, int] | None:
    """(class, place in it) for a classified row in a multi-class session with complete
    results; None otherwise."""
    if not session.results_complete or row.status is not ResultStatus.CLASSIFIED:
        return None
    classes = {_class_of(catalog, session, r) for r in session.results} - {None}
    own = _class_of(catalog, session, row)
    if own is None or len(classes) < 2:
        return None
    ahead = [r for r in _classified(session.results) if _class_of(catalog, session, r) == own]
    return own, ahead.index(row) + 1


def _who(catalog: Catalog, event: Event, row: ResultRow) -> str:
    """'Jessica Bäckman (ROJA Motorsport)'."""
    return f"{names(catalog, row.drivers)}{_team(catalog, event, row)}"


def _team(catalog: Catalog, event: Event, row: ResultRow) -> str:
    entries = event_entries(catalog, event).for_row(row)
    return team_text(entries[0] if entries else None)


def _row_of(session: Session, driver_id: str) -> ResultRow | None:
    return next((row for row in session.results if driver_id in row.drivers), None)


def _entry(catalog: Catalog, driver_id: str, event: Event) -> Entry | None:
    return next(
        (e for eid, e in catalog.entries_by_driver.get(driver_id, ()) if eid == event.id), None
    )


def _nothing_yet(title: str, message: str) -> Reply:
    return Reply(title=title, blocks=(paragraph(message),), status=ReplyStatus.EMPTY)


# -- the championship ------------------------------------------------------------------------


def _table_after(catalog: Catalog, event: Event, now: datetime) -> Standings:
    """The drivers' table as it stood once `event` was over, or now while it is under way."""
    last = last_to_finish(catalog, event)
    if last is not None and finished_at(last) <= now:
        return standings(catalog, event.series_id, TableKind.DRIVERS, through=last.id)
    return standings(catalog, event.series_id, TableKind.DRIVERS, until=now)


def _championship(
    catalog: Catalog, event: Event, now: datetime, driver_id: str | None
) -> Paragraph | None:
    """The top three after the round, and which table it is (published or computed); None
    before anyone has points."""
    table = _table_after(catalog, event, now)
    if not table.lines:
        return None
    series = catalog.series[event.series_id]
    heading = standings_heading(catalog, table)
    where = f"{series.name} {series.season}" + (
        f", {heading[0].lower()}{heading[1:]}" if heading else ""
    )
    lines: list[Line] = [line(bold("Championship standings:"))]
    own = next((x for x in table.lines if x.key == driver_id), None)
    if not (table.complete or table.source == "published"):
        # A partial computation's order is not the championship's: no top three from it.
        lines.append(line(f"{where}."))
        lines.append(
            line("Our results are incomplete, so the championship order is not known yet.")
        )
        if own is not None:
            lines.append(
                line(
                    f"{own.label} has {format_points(own.points)} points from the results we have."
                )
            )
        return Paragraph((*lines, *_inferred_basis(table)))
    lines.append(line(f"{where}, top three:"))
    for item in table.lines[:TOP]:
        country = f" ({item.country})" if item.country else ""
        lines.append(
            line(f"{item.position}: {item.label}{country}, {format_points(item.points)} p.")
        )
    if table.source == "published":
        note = f" ({table.note})" if table.note else ""
        lines.append(line(italic(f"As published by the organiser{note}.")))
    else:
        lines.append(line(italic("Computed from our results.")))
    if own is not None:
        lines.append(line(_driver_place(table, own.key)))
    return Paragraph((*lines, *_inferred_basis(table)))


def _inferred_basis(table: Standings) -> list[Line]:
    """What the table is built on that no source states (an unpublished points scale, say)."""
    notes = inferred.standings_notes(table.source, table.inferred_scales, table.inferred_rows)
    return [line(italic(note)) for note in notes]


def _driver_place(table: Standings, driver_id: str) -> str:
    """'Jessica Bäckman is 3rd in the championship, 21 points behind the leader.'"""
    own = next(x for x in table.lines if x.key == driver_id)
    leader = table.lines[0]
    if own.position == 1:
        rivals = [x for x in table.lines if x.key != driver_id]
        lead = own.points - rivals[0].points if rivals else 0
        return f"{own.label} leads the championship" + (
            f" by {format_points(lead)} points." if lead > 0 else "."
        )
    points = "" if own.position <= TOP else f" with {format_points(own.points)} p."
    behind = format_points(leader.points - own.points)
    place = f"{ordinal(own.position)} in the championship{points}"
    return f"{own.label} is {place}, {behind} points behind the leader."
