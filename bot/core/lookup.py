"""Turning what a fan typed into catalog ids, or into a helpful question when it can't.

Each lookup returns either the id it found or a ready `Reply`: "which Bäckman?" with a choice
per driver, or "no driver 'jesica' — did you mean Jessica Bäckman?".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

from bot.core.catalog import Catalog
from bot.core.i18n import N_, _
from bot.core.model import SessionKind
from bot.core.names import Candidate, Resolution, normalize, resolve
from bot.core.reply import Choice, Reply, ReplyStatus, problem

LookupResult = str | Reply

# A choice list shows every match up to this many; beyond it the first ones and "and N more"
# with a way to narrow. Ten fits every platform: a Telegram keyboard, Discord's 25 buttons in
# 5 rows, and a terminal screen.
MAX_CHOICES = 10

# The three sentences of a lookup per kind of thing looked for, whole (a noun glued into one
# sentence cannot take Swedish or German gender and case): which one, did you mean, known.
# Placeholders: query, names, known, whose.
_SENTENCES: dict[str, tuple[str, str, str]] = {
    "series": (
        N_("Which series do you mean by “{query}”?"),
        N_("No series called “{query}”. Did you mean {names}?"),
        N_("No series called “{query}”. Known: {known}."),
    ),
    "driver": (
        N_("Which driver do you mean by “{query}”?"),
        N_("No driver called “{query}”. Did you mean {names}?"),
        N_("No driver called “{query}”. Known: {known}."),
    ),
    "event": (
        N_("Which event do you mean by “{query}”?"),
        N_("No event called “{query}”. Did you mean {names}?"),
        N_("No event called “{query}”. Known: {known}."),
    ),
    "session": (
        N_("Which session do you mean by “{query}”?"),
        N_("No session called “{query}”. Did you mean {names}?"),
        N_("No session called “{query}”. Known: {known}."),
    ),
    "track": (
        N_("Which track do you mean by “{query}”?"),
        N_("No track called “{query}”. Did you mean {names}?"),
        N_("No track called “{query}”. Known: {known}."),
    ),
    "event_of": (
        N_("Which event of {whose} do you mean by “{query}”?"),
        N_("No event of {whose} called “{query}”. Did you mean {names}?"),
        N_("No event of {whose} called “{query}”. Known: {known}."),
    ),
}
# Anything else (the operator's CLI looks up "item"s): a neutral wording.
_ANY = (
    N_("Which one do you mean by “{query}”?"),
    N_("Nothing called “{query}”. Did you mean {names}?"),
    N_("Nothing called “{query}”. Known: {known}."),
)


def series_candidates(catalog: Catalog) -> list[Candidate]:
    # Built once per catalog (every /standings, /chart and /next by series asks for it); a
    # reload brings a new catalog and so new candidates. A fresh list: callers may extend it.
    return list(catalog.derived("series_candidates", lambda: _series_candidates(catalog)))


def _series_candidates(catalog: Catalog) -> tuple[Candidate, ...]:
    return tuple(
        Candidate(
            s.id,
            f"{s.short_name or s.name} {s.season}",
            (s.name, s.short_name or "", s.id.rsplit("-", 1)[0]),
        )
        for s in catalog.series.values()
    )


def event_candidates(catalog: Catalog) -> list[Candidate]:
    out = []
    for event in catalog.events_in_order():
        series = catalog.series[event.series_id]
        track = catalog.tracks.get(event.track_id or "")
        track_names = (track.name, *track.aliases) if track else ()
        names = (event.slug, event.name, *track_names)
        label = f"{event.name} ({series.short_name or series.name} {series.season})"
        out.append(Candidate(event.id, label, names))
    return out


def session_candidates(catalog: Catalog) -> list[Candidate]:
    out = []
    for session in catalog.timeline:
        event = catalog.events[session.event_id]
        series = catalog.series[session.series_id]
        label = (
            f"{session.name} – {event.name} ({series.short_name or series.name} {series.season})"
        )
        names = (
            f"{event.slug} {session.slug}",
            f"{event.slug} {session.name}",
            f"{event.name} {session.name}",
            f"{event.slug} {session.short_name}",
        )
        out.append(Candidate(session.id, label, names))
    return out


def driver_candidates(catalog: Catalog) -> list[Candidate]:
    return [Candidate(d.id, d.name, d.aliases) for d in catalog.drivers.values()]


def track_candidates(catalog: Catalog) -> list[Candidate]:
    return [
        Candidate(t.id, t.name, (*t.aliases, t.location or "")) for t in catalog.tracks.values()
    ]


def lookup(
    query: str,
    candidates: Iterable[Candidate],
    *,
    what: str,
    command: Callable[[str], str],
    whose: str = "",
) -> LookupResult:
    """The id `query` names, or a reply that asks which one or suggests the nearest.

    `what` is the kind looked for ("series", "driver", "event", "session", "track", or
    "event_of" with `whose`: a series' or a driver's name)."""
    which, did_you_mean, known_are = _SENTENCES.get(what, _ANY)
    pool = list(candidates)
    # An exact id always wins: choice buttons send ids.
    exact = next((c for c in pool if c.id == query.strip()), None)
    if exact is not None:
        return exact.id
    found: Resolution = resolve(query, pool)
    if found.match is not None:
        return found.match.id
    if found.ambiguous:
        return choose(
            ReplyStatus.AMBIGUOUS,
            _(which).format(query=query, whose=whose),
            found.ambiguous,
            command,
            narrow=command(f"{query.strip()} …"),
        )
    if found.suggestions:
        names = ", ".join(c.label for c in found.suggestions[:3])
        return problem(
            ReplyStatus.NOT_FOUND,
            _(did_you_mean).format(query=query, whose=whose, names=names),
            [Choice(c.label, command(c.id)) for c in found.suggestions],
        )
    shown = pool[:6]
    known = ", ".join(c.label for c in shown)
    if len(pool) > len(shown):
        known = _("{names} and {n} more").format(names=known, n=len(pool) - len(shown))
    return problem(
        ReplyStatus.NOT_FOUND, _(known_are).format(query=query, whose=whose, known=known)
    )


def choose(
    status: ReplyStatus,
    question: str,
    candidates: Sequence[Candidate],
    command: Callable[[str], str],
    *,
    narrow: str,
) -> Reply:
    """A question with one choice per candidate, or, past `MAX_CHOICES`, the first ones and a
    line saying how many more there are and how to narrow (`narrow`: an example command)."""
    shown = candidates[:MAX_CHOICES]
    hidden = len(candidates) - len(shown)
    if hidden:
        more = _(
            "Here are {shown} of {total}, and {n} more: add a word to narrow it down, e.g. {narrow}"
        )
        question += " " + more.format(
            shown=len(shown), total=len(candidates), n=hidden, narrow=narrow
        )
    return problem(status, question, [Choice(c.label, command(c.id)) for c in shown])


def split_driver_and_event(catalog: Catalog, text: str) -> tuple[str, str | None]:
    """'jessica oschersleben' -> ('jessica', 'oschersleben'): a driver then an event, as a fan
    types `/driver NAME EVENT` in a chat, where nothing marks where the name ends.

    Text that names a driver as a whole stays whole. Otherwise the longest leading words that
    name a driver (or a few) are the name, provided the rest names an event (or a few); with no
    such split the text stays whole, and the driver lookup explains what is wrong."""
    words = text.split()
    drivers, events = driver_candidates(catalog), event_candidates(catalog)
    if len(words) < 2 or resolve(text, drivers).found:
        return text, None
    for cut in range(len(words) - 1, 0, -1):
        name, event = " ".join(words[:cut]), " ".join(words[cut:])
        if _names_some(resolve(name, drivers)) and _names_some(resolve(event, events)):
            return name, event
    return text, None


def keep_event_in_choices(catalog: Catalog, asked: Reply, event: str | None) -> Reply:
    """'Which Bäckman?' for '/driver backman oschersleben': each choice keeps the weekend asked
    for, as a full event id (the form a trailing event argument is recognised in)."""
    found = resolve(event, event_candidates(catalog)).match if event else None
    if found is None:
        return asked
    choices = tuple(Choice(c.label, f"{c.command} {found.id}") for c in asked.choices)
    return dataclasses.replace(asked, choices=choices)


def _names_some(found: Resolution) -> bool:
    return found.found or bool(found.ambiguous)


# What a fan may type after a series or driver to follow only some sessions.
_KIND_WORDS = {
    "race": SessionKind.RACE,
    "races": SessionKind.RACE,
    "qualifying": SessionKind.QUALIFYING,
    "qualifyings": SessionKind.QUALIFYING,
    "quali": SessionKind.QUALIFYING,
    "qualis": SessionKind.QUALIFYING,
    "practice": SessionKind.PRACTICE,
    "practices": SessionKind.PRACTICE,
    "warmup": SessionKind.WARMUP,
    "warmups": SessionKind.WARMUP,
}
_FILLERS = frozenset({"and", "only", "just"})
ALL_SESSIONS = "all sessions"  # i18n: not user text (words a fan types)


def split_session_kinds(text: str) -> tuple[str, frozenset[SessionKind] | None]:
    """'tcr races and qualifying' -> ('tcr', {RACE, QUALIFYING}); 'tcr all sessions' ->
    ('tcr', frozenset()): every kind again; 'tcr' -> ('tcr', None): no filter named.

    Only trailing words count, so a name that merely contains "race" is left alone."""
    words = text.replace(",", " ").split()
    if [normalize(w) for w in words[-2:]] == ALL_SESSIONS.split():
        return " ".join(words[:-2]), frozenset()
    kinds: set[SessionKind] = set()
    while words:
        word = normalize(words[-1]).replace(" ", "")
        if word in _KIND_WORDS:
            kinds.add(_KIND_WORDS[word])
        elif not (kinds and word in _FILLERS):
            break
        words.pop()
    return " ".join(words), frozenset(kinds) if kinds else None
