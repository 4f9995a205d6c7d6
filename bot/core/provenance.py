"""Where every fact came from: the sources the schedule files name, and which source (or which
reasoning, for an inferred fact) stands behind each fact.

A fact is one table of the schedule files: a series, an event, a session, a result row, an entry,
a published standings table or one of its rows, a points scale, a track, a lap record, a driver.
Its provenance is what its own table says (`source = "<id>"`, `inferred = "<reason>"`) or, when
its table says neither, what the table it belongs to says: a result row takes its session's, a
session its event's, an event its series', a series the file's (its top-level keys).

Only the provenance a table states is kept (`Provenances.stated`); the inherited one is looked
up when asked for, by walking up from the fact. A catalog without any `source` or `inferred` key
(the common case for a big generated one) keeps nothing at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType


class SourceKind(StrEnum):
    PRESS_RELEASE = "press-release"
    DOCUMENT = "document"
    IMPORT = "import"  # a timing export read by `pitboard import`
    OPERATOR = "operator"  # an admin's edit, from a chat or the CLI

    @property
    def needs_title(self) -> bool:
        return self in (SourceKind.PRESS_RELEASE, SourceKind.DOCUMENT)


@dataclass(frozen=True)
class DataSource:
    """One `[sources.<id>]` table."""

    id: str
    kind: SourceKind
    title: str | None = None
    file: str | None = None  # the document or export file it came in
    url: str | None = None
    published: date | None = None
    by: str | None = None  # who: the author, or the admin who made an edit
    at: datetime | None = None  # when an edit or import was made (aware, UTC)
    defined_in: str = ""  # the schedule file holding the table, e.g. "sources.toml"

    def label(self) -> str:
        """'press release “Title” (release.txt), 2022-04-25', 'operator edit by cli:anna,
        2026-12-03 07:10 UTC', 'import of results.csv by cli:anna, …'."""
        kind = self.kind.value.replace("-", " ")
        if self.kind is SourceKind.OPERATOR:
            # i18n: not user text (pitboard sources' labels, English; values are keys)
            kind = "operator edit"
        text = f"{kind} “{self.title}”" if self.title else kind
        if self.file:
            text += f" ({self.file})" if self.title else f" of {self.file}"
        if self.by:
            text += f" by {self.by}"
        when = [self.published.isoformat()] if self.published else []
        if self.at:
            # i18n: not user text (pitboard sources' labels, English; values are keys)
            when.append(f"{self.at:%Y-%m-%d %H:%M} UTC")
        if self.url:
            when.append(self.url)
        return ", ".join((text, *when))


class FactKind(StrEnum):
    SERIES = "series"
    EVENT = "event"
    SESSION = "session"
    RESULT = "result"
    ENTRY = "entry"
    STANDINGS = "standings"
    # i18n: not user text (pitboard sources' labels, English; values are keys)
    STANDINGS_ROW = "standings row"
    SCALE = "scale"
    TRACK = "track"
    # i18n: not user text (pitboard sources' labels, English; values are keys)
    LAP_RECORD = "lap record"
    DRIVER = "driver"


# (kind, owner id, index): the owner is the fact's own id (a session id, a driver id), or for a
# fact kept in a list, the id of what holds the list (a result row: its session id; a standings
# table and its rows: the id of the event it was published after); `index` is the fact's place
# in that list, -1 for a fact with an id of its own.
FactKey = tuple[FactKind, str, int]

# What a fact inherits from when its table states nothing.
_PARENT_KIND = {
    FactKind.RESULT: FactKind.SESSION,
    FactKind.SESSION: FactKind.EVENT,
    FactKind.ENTRY: FactKind.EVENT,
    FactKind.EVENT: FactKind.SERIES,
    FactKind.STANDINGS_ROW: FactKind.STANDINGS,
    FactKind.STANDINGS: FactKind.SERIES,
    FactKind.LAP_RECORD: FactKind.TRACK,
}


@dataclass(frozen=True)
class Provenance:
    """What one table says of where its facts came from: the sources stating them, and, for what
    no source states, how it was worked out. Both may be given (a source states part of it)."""

    sources: tuple[str, ...] = ()  # source ids
    inferred: str | None = None  # the reason, when part or all of it is not stated anywhere

    @property
    def sourced(self) -> bool:
        return bool(self.sources) or self.inferred is not None


def parent(key: FactKey) -> FactKey | None:
    """The fact `key` inherits from: ids are paths, so the owner's id names it."""
    kind, owner, index = key
    up = _PARENT_KIND.get(kind)
    if up is None:
        return None
    if index >= 0:
        return (up, owner, -1)  # a listed fact: its owner (a session, an event, a track, a table)
    # "series/event/session" -> "series/event" -> "series"; a standings table's owner is the
    # event it was published after, so its parent is that event's series.
    return (up, owner.rsplit("/", 1)[0], -1)


@dataclass(frozen=True)
class Provenances:
    """Every provenance a table states, and the sources they name."""

    stated: Mapping[FactKey, Provenance] = field(default_factory=lambda: MappingProxyType({}))
    sources: Mapping[str, DataSource] = field(default_factory=lambda: MappingProxyType({}))

    def of(self, key: FactKey) -> Provenance | None:
        """The fact's own provenance, else the nearest one above it; None when nothing says."""
        found: FactKey | None = key
        while found is not None:
            stated = self.stated.get(found)
            if stated is not None:
                return stated
            found = parent(found)
        return None

    def inferred(self, key: FactKey) -> str | None:
        """Why the fact is inferred, or None when it is stated (or nothing is said)."""
        found = self.of(key) if self.stated else None
        return None if found is None else found.inferred
