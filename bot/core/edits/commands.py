"""`/edit ...` as typed in a chat or given to `pitboard edit`: one parse into an edit.

    /edit time SESSION [DATE] TIME|TBA
    /edit cancel SESSION            /edit reinstate SESSION
    /edit postpone SESSION [DATE]
    /edit add-event SERIES SLUG name="..." tz=ZONE [from=DATE to=DATE] [round=N] [track=ID]
    /edit add-session EVENT SLUG name="..." kind=KIND date=DATE [time=HH:MM|TBA] [duration=1h30m]
    /edit results SESSION [complete]          (rows on the following lines; merged)
    /edit results-replace SESSION [complete]  (rows on the following lines; the whole list)
    /edit standings SERIES AFTER_EVENT [note="..."]  (rows "POS DRIVER POINTS" below)

Sessions, events and series are named as every other command takes them (ids, or words that
`bot.core.names` resolves). Problems point at the line and column of what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from bot.core.catalog import Catalog
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
    StandingsRowInput,
)
from bot.core.edits.problems import EditProblem
from bot.core.edits.rows import read_pasted
from bot.core.i18n import N_, _
from bot.core.lookup import event_candidates, series_candidates, session_candidates
from bot.core.model import SessionKind
from bot.core.names import Candidate, resolve
from bot.core.schedules import formats

USAGE = (
    "/edit time SESSION [DATE] TIME|TBA",
    "/edit cancel SESSION",
    "/edit reinstate SESSION",
    "/edit postpone SESSION [DATE]",
    '/edit add-event SERIES SLUG name="NAME" tz=ZONE [from=DATE to=DATE] [round=N] [track=ID]',
    '/edit add-session EVENT SLUG name="NAME" kind=KIND date=DATE [time=HH:MM|TBA] [duration=2h]',
    N_(
        "/edit results SESSION [complete]   (rows below, one per line: 1 #7, DNS jessica - fuel pump)"  # noqa: E501
    ),
    N_("/edit results-replace SESSION [complete]   (rows below: the whole classification)"),
    N_('/edit standings SERIES AFTER_EVENT [note="..."]   (then one row per line: 1 Jessica 44)'),
)
# What `_resolve` asks and says, per kind of thing: whole sentences for the translators.
_WHICH = {
    "session": N_("which session?"),
    "series": N_("which series?"),
    "event": N_("which event?"),
    "driver": N_("which driver?"),
}
_NO_SUCH = {
    "session": N_("no session {query}"),
    "series": N_("no series {query}"),
    "event": N_("no event {query}"),
    "driver": N_("no driver {query}"),
}
_NO_SUCH_HINT = {
    "session": N_("no session {query} (did you mean {suggestion}?)"),
    "series": N_("no series {query} (did you mean {suggestion}?)"),
    "event": N_("no event {query} (did you mean {suggestion}?)"),
    "driver": N_("no driver {query} (did you mean {suggestion}?)"),
}


def usage_lines() -> tuple[str, ...]:
    """The /edit usage, in the reader's language (the command words stay as typed)."""
    return tuple(_(usage) for usage in USAGE)


_TOKEN = re.compile(r'[^\s=]+="[^"]*"|"[^"]*"|\S+')
_OPTION = re.compile(r"([a-z_]+)=(.*)", re.DOTALL)


@dataclass(frozen=True)
class ParsedEdit:
    edit: Edit | tuple[Edit, ...] | None
    problems: tuple[EditProblem, ...] = ()


@dataclass(frozen=True)
class _Word:
    text: str
    column: int  # 1-based


class _Bad(Exception):
    """A problem with the command's words (a row's problems are collected, not raised)."""

    def __init__(self, message: str, column: int | None = None, line: int = 1) -> None:
        super().__init__(message)
        self.problem = EditProblem(message, line, column)


def parse_edit_command(text: str, catalog: Catalog, *, rows: str | None = None) -> ParsedEdit:
    """The edit a `/edit ...` text asks for (the command word itself may be left out).

    In a chat the rows follow the command in the same message (from its line 2). The CLI gives
    them apart (`rows`, numbered from line 1 of its file); its command words are shell
    arguments, so their problems name no line or column."""
    head, _newline, body = text.partition("\n")
    if rows is not None:
        body = rows
    first_rows_line = 1 if rows is not None else 2
    words = [_Word(m.group(0), m.start() + 1) for m in _TOKEN.finditer(head)]
    if words and words[0].text.lstrip("/").split("@")[0].casefold() == "edit":
        words = words[1:]
    if not words:
        usage = "; ".join(usage_lines())
        return ParsedEdit(None, (EditProblem(_("what to edit? {usage}").format(usage=usage)),))
    action, args = words[0].text.casefold(), words[1:]
    parser = _PARSERS.get(action)
    if parser is None:
        known = ", ".join(_PARSERS)
        message = _("unknown edit {action} (use {known})").format(action=repr(action), known=known)
        unknown = EditProblem(message, 1, words[0].column)
        return ParsedEdit(None, (_placed(unknown, rows is None),))
    try:
        return parser(args, body, catalog, words[0].column, first_rows_line)
    except _Bad as bad:
        return ParsedEdit(None, (_placed(bad.problem, rows is None),))


def _placed(problem: EditProblem, keep: bool) -> EditProblem:
    return problem if keep else EditProblem(problem.message)


def _resolve(words: list[_Word], candidates: list[Candidate], what: str, at: int) -> str:
    if not words:
        raise _Bad(_(_WHICH[what]), at)
    query = " ".join(w.text for w in words)
    column = words[0].column
    exact = next((c for c in candidates if c.id == query), None)
    if exact is not None:
        return exact.id
    found = resolve(query, candidates)
    if found.match is not None:
        return found.match.id
    if found.ambiguous:
        names = "; ".join(c.id for c in found.ambiguous[:5])
        message = _("{query} could be any of: {names} (write more, or the id)")
        raise _Bad(message.format(query=repr(query), names=names), column)
    if found.suggestions:
        hinted = _(_NO_SUCH_HINT[what])
        raise _Bad(hinted.format(query=repr(query), suggestion=found.suggestions[0].id), column)
    raise _Bad(_(_NO_SUCH[what]).format(query=repr(query)), column)


def _day(word: _Word) -> date:
    try:
        return formats.day(word.text)
    except ValueError as error:
        raise _Bad(str(error), word.column) from None


def _clock(word: _Word) -> time | None:
    try:
        value = formats.session_time(
            word.text.upper() if word.text.casefold() == "tba" else word.text
        )
    except ValueError as error:
        raise _Bad(str(error), word.column) from None
    return None if value == formats.TBA else value


def _looks_like_day(word: _Word) -> bool:
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", word.text) is not None


def _time(args: list[_Word], body: str, catalog: Catalog, at: int, first: int) -> ParsedEdit:
    if len(args) < 2:
        raise _Bad(_("say the session and the new time: {usage}").format(usage=USAGE[0]), at)
    clock = _clock(args[-1])
    rest = args[:-1]
    day = _day(rest.pop()) if _looks_like_day(rest[-1]) else None
    session = _resolve(rest, session_candidates(catalog), "session", at)
    return ParsedEdit(SetSessionTime(session, day, clock))


def _cancel(cancelled: bool) -> Callable[[list[_Word], str, Catalog, int, int], ParsedEdit]:
    def parse(args: list[_Word], body: str, catalog: Catalog, at: int, first: int) -> ParsedEdit:
        session = _resolve(args, session_candidates(catalog), "session", at)
        return ParsedEdit(CancelSession(session, cancelled))

    return parse


def _postpone(args: list[_Word], body: str, catalog: Catalog, at: int, first: int) -> ParsedEdit:
    day = _day(args.pop()) if args and _looks_like_day(args[-1]) else None
    session = _resolve(args, session_candidates(catalog), "session", at)
    return ParsedEdit(PostponeSession(session, day))


def _options(args: list[_Word]) -> tuple[list[_Word], dict[str, tuple[str, int]]]:
    plain: list[_Word] = []
    options: dict[str, tuple[str, int]] = {}
    for word in args:
        match = _OPTION.fullmatch(word.text)
        if match is None:
            plain.append(word)
        else:
            options[match.group(1).casefold()] = (match.group(2).strip('"'), word.column)
    return plain, options


def _option(options: dict[str, tuple[str, int]], key: str, parse: Callable[[str], Any], at: int,
            *, required: bool = False) -> Any:  # fmt: skip
    if key not in options:
        if required:
            raise _Bad(_("missing {key}=...").format(key=key), at)
        return None
    value, column = options.pop(key)
    try:
        return parse(value)
    except ValueError as error:
        raise _Bad(f"{key}: {error}", column) from None


def _no_more(options: dict[str, tuple[str, int]]) -> None:
    for key, (_value, column) in options.items():
        raise _Bad(_("unknown option {key}=").format(key=key), column)


def _add_event(args: list[_Word], body: str, catalog: Catalog, at: int, first: int) -> ParsedEdit:
    plain, options = _options(args)
    if len(plain) != 2:
        raise _Bad(_("say the series and the new event's id: {usage}").format(usage=USAGE[4]), at)
    series = _resolve(plain[:1], series_candidates(catalog), "series", at)
    slug = _option({"id": (plain[1].text, plain[1].column)}, "id", formats.slug, at)
    name = _option(options, "name", formats.text, at, required=True)
    zone = _option(options, "tz", formats.timezone, at, required=True)
    start = _option(options, "from", formats.day, at)
    end = _option(options, "to", formats.day, at)
    number = _option(options, "round", lambda v: formats.integer(int(v), minimum=1), at)
    track = _option(options, "track", formats.text, at)
    _no_more(options)
    return ParsedEdit(AddEvent(series, slug, name, number, track, zone, start, end))


def _add_session(args: list[_Word], body: str, catalog: Catalog, at: int, first: int) -> ParsedEdit:
    plain, options = _options(args)
    if len(plain) < 2:
        raise _Bad(_("say the event and the new session's id: {usage}").format(usage=USAGE[5]), at)
    event = _resolve(plain[:-1], event_candidates(catalog), "event", at)
    slug = _option({"id": (plain[-1].text, plain[-1].column)}, "id", formats.slug, at)
    name = _option(options, "name", formats.text, at, required=True)
    kind = _option(options, "kind", lambda v: formats.choice(SessionKind, v), at, required=True)
    day = _option(options, "date", formats.day, at, required=True)
    clock = _option(options, "time", formats.session_time, at)
    duration = _option(options, "duration", formats.duration, at)
    _no_more(options)
    start = None if clock in (None, formats.TBA) else clock
    return ParsedEdit(AddSession(event, slug, name, kind, day, start, duration))


def _results(mode: str) -> Callable[[list[_Word], str, Catalog, int, int], ParsedEdit]:
    def parse(args: list[_Word], body: str, catalog: Catalog, at: int, first: int) -> ParsedEdit:
        complete = bool(args) and args[-1].text.casefold() == "complete"
        session_id = _resolve(args[:-1] if complete else args, session_candidates(catalog),
                              "session", at)  # fmt: skip
        if not body.strip():
            no_rows = _("no rows: one per line (in a chat below the command; in the CLI --rows)")
            raise _Bad(no_rows, at)
        pasted = read_pasted(body, catalog.sessions[session_id], catalog, first_line=first)
        if pasted.problems:
            return ParsedEdit(None, pasted.problems)
        results = EnterResults(
            session_id,
            pasted.rows,
            "replace" if mode == "replace" else "merge",
            True if complete else pasted.complete,
        )
        if pasted.entries or pasted.drivers:
            event_id = catalog.sessions[session_id].event_id
            return ParsedEdit((AddEntries(event_id, pasted.entries, pasted.drivers), results))
        return ParsedEdit(results)

    return parse


def _standings(args: list[_Word], body: str, catalog: Catalog, at: int, first: int) -> ParsedEdit:
    plain, options = _options(args)
    note = _option(options, "note", formats.text, at)
    _no_more(options)
    if len(plain) < 2:
        usage = _(USAGE[8])
        raise _Bad(
            _("say the series and the event the table is after: {usage}").format(usage=usage), at
        )
    series = _resolve(plain[:1], series_candidates(catalog), "series", at)
    in_series = [c for c in event_candidates(catalog) if c.id.startswith(series + "/")]
    event = _resolve(plain[1:], in_series, "event", plain[1].column)
    drivers = [Candidate(d.id, d.name, d.aliases) for d in catalog.drivers.values()]
    rows: list[StandingsRowInput] = []
    problems: list[EditProblem] = []
    for offset, content in enumerate(body.splitlines()):
        line = offset + first
        words = [_Word(m.group(0), m.start() + 1) for m in _TOKEN.finditer(content)]
        if not words:
            continue
        try:
            rows.append(_standings_row(words, drivers, line))
        except _Bad as bad:
            problems.append(bad.problem)
    if problems:
        return ParsedEdit(None, tuple(problems))
    if not rows:
        raise _Bad(_("no rows: one per line, POSITION DRIVER POINTS"), at)
    return ParsedEdit(EnterStandings(series, event, tuple(rows), note))


def _standings_row(words: list[_Word], drivers: list[Candidate], line: int) -> StandingsRowInput:
    if len(words) < 3:
        raise _Bad(_("a row is POSITION DRIVER POINTS, e.g. 3 Jessica Bäckman 44"), 1, line)
    if not words[0].text.rstrip(".").isdigit():
        message = _("{text} is not a position").format(text=repr(words[0].text))
        raise _Bad(message, words[0].column, line)
    points = words[-1].text
    if not re.fullmatch(r"\d+(\.\d+)?", points):
        message = _("{text} is not a number of points").format(text=repr(points))
        raise _Bad(message, words[-1].column, line)
    try:
        driver = _resolve(words[1:-1], drivers, "driver", words[1].column)
    except _Bad as bad:
        raise _Bad(str(bad), words[1].column, line) from None
    position = int(words[0].text.rstrip("."))
    return StandingsRowInput(line, position, driver, points, words[0].column)


_PARSERS: dict[str, Callable[[list[_Word], str, Catalog, int, int], ParsedEdit]] = {
    "time": _time,
    "cancel": _cancel(True),
    "reinstate": _cancel(False),
    "postpone": _postpone,
    "add-event": _add_event,
    "add-session": _add_session,
    "results": _results("merge"),
    "results-replace": _results("replace"),
    "standings": _standings,
}
