"""Finding the TOML that holds a series, event or session, and changing it in place.

tomlkit keeps a file's comments, blank lines and key order, so an edit changes only the keys it
touches. These helpers find the file that defines a series and the table of an event or session
within it, set or remove single keys, and lay out new tables the way the bundled files are
laid out (a blank line after each table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table
from tomlkit.toml_document import TOMLDocument

from bot.core.schedules.loader import SHARED_FILES


class NotFound(LookupError):
    """The id an edit names is not in the files (a problem for the operator, not a bug)."""


@dataclass
class SeriesDoc:
    """One series file, parsed for editing."""

    path: str  # relative to the schedules directory
    doc: TOMLDocument


def find_series_file(files: Mapping[str, str], series_id: str) -> SeriesDoc:
    """The file whose [series] has `id = series_id`, parsed with tomlkit."""
    quoted = (f'"{series_id}"', f"'{series_id}'")
    for path, text in sorted(files.items()):
        if path in SHARED_FILES or not any(q in text for q in quoted):
            continue  # a cheap look first: only a file naming the id can define it
        doc = tomlkit.parse(text)
        series = doc.get("series")
        if isinstance(series, Mapping) and series.get("id") == series_id:
            return SeriesDoc(path, doc)
    raise NotFound(f"no schedule file defines the series {series_id!r}")


def split_event_id(event_id: str) -> tuple[str, str]:
    series_id, _, slug = event_id.partition("/")
    if not slug or "/" in slug:
        raise NotFound(f"{event_id!r} is not an event id like 'series/event'")
    return series_id, slug


def split_session_id(session_id: str) -> tuple[str, str, str]:
    parts = session_id.split("/")
    if len(parts) != 3 or not all(parts):
        raise NotFound(f"{session_id!r} is not a session id like 'series/event/session'")
    return parts[0], parts[1], parts[2]


def array_of_tables(table: TOMLDocument | Table, key: str) -> AoT:
    """`table[key]` as an array of tables, created (empty) when absent."""
    found = table.get(key)
    if found is None:
        table[key] = tomlkit.aot()
        found = table[key]
    if not isinstance(found, AoT):
        raise NotFound(f"{key!r} is not an array of tables")
    return found


def find_in(tables: AoT, key: str, value: str, what: str) -> tuple[int, Table]:
    for index, table in enumerate(tables):
        if table.get(key) == value:
            return index, table
    raise NotFound(f"no {what} {value!r}")


def event_table(series: SeriesDoc, slug: str) -> tuple[int, Table]:
    events = series.doc.get("events")
    if not isinstance(events, AoT):
        raise NotFound(f"no event {slug!r} in {series.path}")
    return find_in(events, "id", slug, "event")


def session_table(event: Table, slug: str) -> tuple[int, Table]:
    sessions = event.get("sessions")
    if not isinstance(sessions, AoT):
        raise NotFound(f"no session {slug!r}")
    return find_in(sessions, "id", slug, "session")


def set_key(table: Table, key: str, value: Any) -> None:
    """Set `key`, leaving the table untouched when it already holds that value (an unchanged
    key keeps its exact spelling: quotes, spacing, a trailing comment)."""
    if key in table and table[key] == value and type(table[key].unwrap()) is type(value):
        return
    table[key] = value


def remove_key(table: Table, key: str) -> None:
    if key in table:
        del table[key]


def new_table(values: Mapping[str, Any]) -> Table:
    """A table with `values` in order and a blank line after it, as the bundled files have."""
    table = tomlkit.table()
    for key, value in values.items():
        if value is not None:
            table.add(key, value)
    table.add(tomlkit.nl())
    return table


def dumps(doc: TOMLDocument, original: str) -> str:
    """The document's text; a file that ended in one newline still does (a new table appended
    at the end brings its own blank line)."""
    text = tomlkit.dumps(doc)
    if original.endswith("\n") and not original.endswith("\n\n"):
        text = text.rstrip("\n") + "\n"
    return text
