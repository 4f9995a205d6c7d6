"""The guided edit's typed forms that are not a time or result rows: a new event, a new session
and a published standings table. Each reads what an admin types into the edit it means, or
says, by line, what is wrong; nothing here checks the data against the files (the Editor's
preview does that with the loader, like every edit).
"""

from __future__ import annotations

import re
from datetime import date, time

from bot.core.catalog import Catalog
from bot.core.edits.operations import (
    AddEvent,
    AddSession,
    EnterStandings,
    StandingsRowInput,
)
from bot.core.i18n import N_, _
from bot.core.lookup import track_candidates
from bot.core.model import Event, Series, SessionKind
from bot.core.names import Candidate, normalize, resolve

Problems = tuple[str, ...]

# Marked here, translated where shown (`help_lines`); the field names and kinds are syntax.
NEW_EVENT_HELP = (
    N_("Send the new event, one field a line:"),
    "name: Nürburgring",  # i18n: not user text (an example of the syntax)
    N_("dates: 2022-08-05 2022-08-07 (or TBA)"),
    N_("track: nurburgring (optional)"),
    N_("round: 5 (optional)"),
    N_("timezone: Europe/Berlin (optional: the series' last event's by default)"),
)
NEW_SESSION_HELP = (
    N_("Send the new session as NAME, KIND, DAY TIME, e.g."),
    N_("Race 3, race, 2022-04-24 16:00   (or TBA for the time)"),
    N_("KIND is one of: {kinds}."),
)
STANDINGS_HELP = (
    N_("Send the standings as published, one row a line: POSITION DRIVER POINTS, e.g."),
    "1 Martin Andersen 65",  # i18n: not user text (an example of the syntax)
    N_("An optional last line 'note: top three only' says what the table is."),
)


def help_lines(lines: tuple[str, ...]) -> tuple[str, ...]:
    """One of the *_HELP texts in the current language."""
    kinds = ", ".join(kind.value for kind in SessionKind)
    return tuple(_(line).format(kinds=kinds) for line in lines)


_FIELD = re.compile(r"\s*([a-z]+)\s*:\s*(.*?)\s*", re.IGNORECASE)
_STANDINGS_ROW = re.compile(r"\s*(\d+)\.?\s+(.+?)\s+(\d+(?:[.,]\d+)?)\s*")
_SESSION_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2}|tba)", re.IGNORECASE)
EVENT_FIELDS = ("name", "dates", "track", "round", "timezone")


def slug_of(name: str) -> str:
    """'Race 3' -> 'race-3', 'Nürburgring' -> 'nurburgring'."""
    return normalize(name).replace(" ", "-")


def read_new_event(text: str, series: Series, catalog: Catalog) -> AddEvent | Problems:
    fields: dict[str, str] = {}
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found = _FIELD.fullmatch(line)
        if not found or found[1].casefold() not in EVENT_FIELDS:
            expected = _("line {number}: expected 'FIELD: value' with FIELD one of {fields}")
            problems.append(expected.format(number=number, fields=", ".join(EVENT_FIELDS)))
            continue
        fields[found[1].casefold()] = found[2]
    name = fields.get("name", "")
    if not name:
        problems.append(_("the event needs a name (name: ...)"))
    start, end = _dates(fields.get("dates", "TBA"), problems)  # i18n: not user text (syntax)
    track = _track(fields.get("track"), catalog, problems)
    last = series.events[-1] if series.events else None
    round_number = _round(fields.get("round"), problems)
    zone = fields.get("timezone") or (last.timezone if last else "")
    if not zone:
        problems.append(_("the event needs a time zone (timezone: Europe/Berlin)"))
    if problems:
        return tuple(problems)
    return AddEvent(series.id, slug_of(name), name, round_number, track, zone, start, end)


def read_new_session(text: str, event: Event) -> AddSession | Problems:
    parts = [part.strip() for part in text.strip().split(",")]
    if len(parts) != 3 or not all(parts):
        expected = _(
            "expected NAME, KIND, DAY TIME, e.g. 'Race 3, race, 2022-04-24 16:00'; got '{text}'"
        )
        return (expected.format(text=text.strip()),)
    name, kind_text, when = parts
    try:
        kind = SessionKind(kind_text.casefold())
    except ValueError:
        kinds = ", ".join(kind.value for kind in SessionKind)
        return (
            _("'{text}' is not a session kind: one of {kinds}").format(text=kind_text, kinds=kinds),
        )
    found = _SESSION_TIME.fullmatch(when)
    day = _day(found[1]) if found else None
    if found is None or day is None:
        wrong = _("'{text}' is not a day and a time: send 2022-04-24 16:00 or 2022-04-24 TBA")
        return (wrong.format(text=when),)
    if found[2].casefold() == "tba":
        start = None
    else:
        hours, minutes = (int(n) for n in found[2].split(":"))
        if hours > 23 or minutes > 59:
            return (_("'{text}' is not a time of day (00:00 to 23:59)").format(text=found[2]),)
        start = time(hours, minutes)
    return AddSession(event.id, slug_of(name), name, kind, day, start)


def read_standings(
    text: str, series: Series, event: Event, catalog: Catalog
) -> EnterStandings | Problems:
    rows: list[StandingsRowInput] = []
    problems: list[str] = []
    note: str | None = None
    drivers = [Candidate(d.id, d.name, d.aliases) for d in catalog.drivers.values()]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.strip().casefold().startswith("note:"):
            note = line.strip()[len("note:") :].strip() or None
            continue
        found = _STANDINGS_ROW.fullmatch(line)
        if found is None:
            expected = _(
                "line {number}: expected POSITION DRIVER POINTS, e.g. '1 Martin Andersen 65'"
            )
            problems.append(expected.format(number=number))
            continue
        who = resolve(found[2], drivers)
        if who.match is None:
            column = found.start(2) + 1
            if who.suggestions:
                unknown = _(
                    "line {number}, column {column}: unknown driver '{name}' "
                    "(did you mean {guess}?)"
                )
            else:
                unknown = _("line {number}, column {column}: unknown driver '{name}'")
            guess = who.suggestions[0].label if who.suggestions else ""
            problems.append(
                unknown.format(number=number, column=column, name=found[2], guess=guess)
            )
            continue
        points = found[3].replace(",", ".")
        rows.append(
            StandingsRowInput(number, int(found[1]), who.match.id, points, found.start(1) + 1)
        )
    if not rows and not problems:
        problems.append(_("no rows: send at least one line POSITION DRIVER POINTS"))
    if problems:
        return tuple(problems)
    return EnterStandings(series.id, event.id, tuple(rows), note)


def _dates(value: str, problems: list[str]) -> tuple[date | None, date | None]:
    if value.strip().casefold() in ("", "tba"):
        return None, None
    words = value.replace(" to ", " ").split()
    days = [_day(word) for word in words]
    if not 1 <= len(days) <= 2 or None in days:
        wrong = _("dates: '{text}' is not DAY or FIRST LAST (2022-08-05 2022-08-07)")
        problems.append(wrong.format(text=value))
        return None, None
    first, last = days[0], days[-1]
    assert first is not None and last is not None
    return first, last


def _track(value: str | None, catalog: Catalog, problems: list[str]) -> str | None:
    if not value:
        return None
    if value in catalog.tracks:
        return value
    found = resolve(value, track_candidates(catalog))
    if found.match is None:
        known = ", ".join(sorted(catalog.tracks))
        problems.append(
            _("track: no track called '{text}' (known: {known})").format(text=value, known=known)
        )
        return None
    return found.match.id


def _round(value: str | None, problems: list[str]) -> int | None:
    """The round as given; none when not given (a guess would be wrong as often as right)."""
    if value is None or not value.strip():
        return None
    if not value.strip().isdigit():
        problems.append(_("round: '{text}' is not a number").format(text=value))
        return None
    return int(value)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
