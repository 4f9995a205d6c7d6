"""Result rows as an operator types or pastes them: one row per line.

    1 #120 laps=312 time=12:01'33.456 fl
    2 jessica backman gap=+1.234
    DNS jessica - fuel pump
    DNF #7 laps=3 — gearbox

A line is a position (a number) or a status (DNF, DNS, DSQ, DNQ), then who: `#NUMBER` (a car)
or a driver's name or id (accents and case ignored), then extras `laps=N time=T gap=G best=T
class=C fl` (a value with spaces in double quotes: `gap="1 lap"`), then a note after ` - ` or
` — `. A pasted text whose first line is a CSV header (`position,number,driver,...`) is read as
a timing export by `bot.core.imports` instead. Problems point at the line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.catalog import Catalog
from bot.core.edits.inputs import DriverInput, EntryInput, ResultRowInput
from bot.core.edits.problems import EditProblem
from bot.core.i18n import N_, _
from bot.core.imports import read_plain_csv, read_results
from bot.core.imports.columns import looks_like_alkamel, plain_layout
from bot.core.imports.sheet import guess_delimiter
from bot.core.model import Session
from bot.core.names import Candidate, normalize, resolve

_STATUSES = {"dnf": "dnf", "dns": "dns", "dsq": "dsq", "dnq": "dnq", "dq": "dsq"}
_POSITION = re.compile(r"(?:p)?(\d{1,3})\.?", re.IGNORECASE)
_EXTRA = re.compile(r'(?P<key>[a-z_]+)=(?P<value>"[^"]*"|\S+)|(?P<flag>fl)\b', re.IGNORECASE)
_NOTE = re.compile(r"\s+[-—–]\s+")
_KEYS = {"laps": "laps", "time": "time", "gap": "gap", "best": "best_lap", "class": "class"}
PASTED = N_("pasted rows")  # the "file" name a pasted CSV's problems carry (translated)


@dataclass(frozen=True)
class PastedRows:
    rows: tuple[ResultRowInput, ...] = ()
    problems: tuple[EditProblem, ...] = ()
    # A pasted CSV may name cars and drivers not yet entered (added with the results).
    entries: tuple[EntryInput, ...] = ()
    drivers: tuple[DriverInput, ...] = ()
    complete: bool | None = None


def parse_rows(
    text: str, session: Session, catalog: Catalog, *, first_line: int = 1
) -> tuple[tuple[ResultRowInput, ...], tuple[EditProblem, ...]]:
    """The rows a text gives for `session`, and the problems with it (line and column)."""
    pasted = read_pasted(text, session, catalog, first_line=first_line)
    return pasted.rows, pasted.problems


def read_pasted(
    text: str, session: Session, catalog: Catalog, *, first_line: int = 1
) -> PastedRows:
    """Like `parse_rows`, with what a pasted CSV adds (new entries and drivers)."""
    if is_csv(text):
        return _from_csv(text, session, catalog, first_line)
    candidates = _driver_candidates(session, catalog)
    rows: list[ResultRowInput] = []
    problems: list[EditProblem] = []
    for offset, content in enumerate(text.splitlines()):
        if content.strip():
            row = _row(content, first_line + offset, candidates, catalog, problems)
            if row is not None:
                rows.append(row)
    if not rows and not problems:
        problems.append(
            EditProblem(_("no rows: one per line, e.g. '1 #7' or 'DNS jessica - fuel pump'"))
        )
    return PastedRows(tuple(rows), tuple(problems))


def is_csv(text: str) -> bool:
    """Whether the first line is a CSV header naming its columns."""
    header = next((line for line in text.splitlines() if line.strip()), "").removeprefix("\ufeff")
    if looks_like_alkamel(header):
        return True
    delimiter = guess_delimiter(header)
    if delimiter is None:
        return False
    names = tuple(name.strip() for name in header.split(delimiter))
    layout = plain_layout(names)
    return len(layout.fields) + len(layout.drivers) >= 2


def _from_csv(text: str, session: Session, catalog: Catalog, first_line: int) -> PastedRows:
    header = next((line for line in text.splitlines() if line.strip()), "")
    reader = read_results if looks_like_alkamel(header) else read_plain_csv
    imported = reader(text, _(PASTED), session, catalog, first_line=first_line)
    problems = tuple(
        EditProblem(p.message, p.line, p.column, key=p.key or None) for p in imported.problems
    )
    return PastedRows(
        imported.rows, problems, imported.entries, imported.drivers, imported.complete
    )


def _driver_candidates(session: Session, catalog: Catalog) -> list[Candidate]:
    """The event's drivers first: a name is looked for among them before everyone else."""
    event = catalog.events[session.event_id]
    entered = {driver for entry in event.entries for driver in entry.drivers}
    drivers = [catalog.drivers[d] for d in sorted(entered) if d in catalog.drivers]
    return [Candidate(d.id, d.name, d.aliases) for d in drivers]


def _row(
    content: str,
    line: int,
    entered: list[Candidate],
    catalog: Catalog,
    problems: list[EditProblem],
) -> ResultRowInput | None:
    parts = _NOTE.split(content, maxsplit=1)
    body, note = parts[0], (parts[1].strip() if len(parts) > 1 else None)
    start = len(body) - len(body.lstrip())
    first, _space, rest = body.strip().partition(" ")
    position: int | None = None
    status = "classified"
    if (found := _POSITION.fullmatch(first)) is not None:
        position = int(found.group(1))
    elif first.casefold() in _STATUSES:
        status = _STATUSES[first.casefold()]
    else:
        problems.append(
            EditProblem(
                _("{text} is not a position or a status (a number, DNF, DNS, DSQ or DNQ)").format(
                    text=repr(first)
                ),
                line,
                start + 1,
            )
        )
        return None
    who_column = start + len(first) + 1 + (len(rest) - len(rest.lstrip())) + 1
    rest = rest.strip()
    extras_at = _EXTRA.search(rest)
    who = (rest[: extras_at.start()] if extras_at else rest).strip()
    extras = rest[extras_at.start() :] if extras_at else ""
    values: dict[str, str] = {}
    fastest = False
    for match in _EXTRA.finditer(extras):
        if match.group("flag"):
            fastest = True
            continue
        key = match.group("key").casefold()
        if key not in _KEYS:
            column = who_column + (extras_at.start() if extras_at else 0) + match.start()
            known = ", ".join(f"{k}=" for k in _KEYS)
            message = _("unknown extra {key}= (use {known} or fl)").format(key=key, known=known)
            problems.append(EditProblem(message, line, column))
            return None
        values[_KEYS[key]] = match.group("value").strip('"')
    laps: int | None = None
    if "laps" in values:
        if not values["laps"].isdigit():
            column = who_column + (extras_at.start() if extras_at else 0)
            message = _("laps={laps} is not a number").format(laps=values["laps"])
            problems.append(EditProblem(message, line, column))
            return None
        laps = int(values["laps"])
    if not who:
        problems.append(EditProblem(_("say who: a car number (#7) or a driver"), line, who_column))
        return None
    car: str | None = None
    drivers: tuple[str, ...] = ()
    if who.startswith("#"):
        car = who[1:].strip()
    else:
        driver = _driver(who, entered, catalog, line, who_column, problems)
        if driver is None:
            return None
        drivers = (driver,)
    return ResultRowInput(
        line=line,
        column=start + 1,
        position=position,
        status=status,
        car=car,
        driver_ids=drivers,
        class_name=values.get("class"),
        laps=laps,
        time=values.get("time"),
        gap=values.get("gap"),
        best_lap=values.get("best_lap"),
        fastest_lap=fastest,
        note=note or None,
    )


def _driver(
    who: str,
    entered: list[Candidate],
    catalog: Catalog,
    line: int,
    column: int,
    problems: list[EditProblem],
) -> str | None:
    if who in catalog.drivers:
        return who
    everyone = [Candidate(d.id, d.name, d.aliases) for d in catalog.drivers.values()]
    for pool in (entered, everyone):
        found = resolve(who, pool)
        if found.match is not None:
            return found.match.id
        if found.ambiguous:
            names = _or_list([c.label for c in found.ambiguous[:4]])
            message = _("{name} could be {names}: write more of the name").format(
                name=repr(who), names=names
            )
            problems.append(EditProblem(message, line, column))
            return None
    nearest = resolve(who, everyone).suggestions if normalize(who) else ()
    if nearest:
        message = _("unknown driver {name} (did you mean {suggestion}?)").format(
            name=repr(who), suggestion=nearest[0].label
        )
    else:
        message = _("unknown driver {name}").format(name=repr(who))
    problems.append(EditProblem(message, line, column))
    return None


def _or_list(names: list[str]) -> str:
    """'A or B or C', the joining word in the reader's language."""
    return _(" or ").join(names)
