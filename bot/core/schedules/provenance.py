"""`source = "<id>"` and `inferred = "<reason>"` on a fact's table, and the `[sources.<id>]`
tables they refer to (in `sources.toml`, or in a series file).

Reading a table's provenance validates it (an unknown source id is a problem at its key's line)
and records it in the file's context under the fact's key; inheritance is resolved when a fact's
provenance is asked for (`bot.core.provenance.Provenances.of`), except the file level, which is
handed down here to the tables that stand at the top of a file (a series, a driver, a track, a
scale).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime

from bot.core.provenance import DataSource, FactKey, FactKind, Provenance, SourceKind
from bot.core.schedules import formats
from bot.core.schedules.reader import FileContext, Node

PROVENANCE_KEYS = ("source", "inferred")
SOURCE_KEYS = ("title", "kind", "file", "url", "published", "by", "at")
SOURCES_FILE = "sources.toml"


def read(node: Node) -> Provenance | None:
    """The provenance the table states itself, None when it states none (or only bad values,
    which are reported)."""
    data = node.data
    if "source" not in data and "inferred" not in data:
        return None
    sources = _source_ids(node)
    inferred = node.text("inferred")
    if not sources and inferred is None:
        return None
    return Provenance(sources or (), inferred)


def record(node: Node, key: FactKey, inherited: Provenance | None = None) -> None:
    """Keep the table's own provenance (or `inherited`, the file's, when it states none)."""
    if not node.ctx.mentions_provenance:
        return
    found = read(node) or inherited
    if found is not None:
        node.ctx.provenance[key] = found


def record_listed(holder: Node, list_key: str, kind: FactKind, owner: str) -> None:
    """The provenance of each table of the array `list_key` (result rows, entries, standings
    rows, lap records) that states one, keyed by its index in the array."""
    if not holder.ctx.mentions_provenance:
        return
    items = holder.data.get(list_key)
    if type(items) is not list:
        return
    for index, item in enumerate(items):
        if type(item) is dict and ("source" in item or "inferred" in item):
            record(Node(holder.ctx, holder.at(list_key, index), item), (kind, owner, index))


def file_level(root: Node) -> Provenance | None:
    """The file's own top-level `source` / `inferred`, handed down to its top tables."""
    return read(root) if root.ctx.mentions_provenance else None


def _source_ids(node: Node) -> tuple[str, ...] | None:
    """`source = "id"` or `source = ["id", "other"]` (a fact two releases state)."""
    value = node.data.get("source")
    if value is None:
        return None
    known = node.ctx.source_ids
    if isinstance(value, str):
        return (value,) if _known(node.ctx, node.at("source"), value, known) else None
    if not isinstance(value, list) or not value:
        node.report(
            "source", f"expected a source id or an array of them, got {formats.describe(value)}"
        )
        return None
    ids: list[str] = []
    for index, item in enumerate(value):
        path = node.at("source", index)
        if not isinstance(item, str):
            node.ctx.report(path, f"expected a source id, got {formats.describe(item)}")
        elif _known(node.ctx, path, item, known):
            ids.append(item)
    return tuple(ids) if len(ids) == len(value) else None


def _known(
    ctx: FileContext, path: tuple[str | int, ...], value: str, known: Collection[str]
) -> bool:
    if value in known:
        return True
    try:
        formats.slug(value)
    except ValueError as error:  # not even an id: no table could define it
        ctx.report(path, f"unknown source: {error}")
        return False
    hint = formats.suggestion(value, known) or f" (define [sources.{value}] in {SOURCES_FILE})"
    ctx.report(path, f"unknown source {value!r}{hint}")
    return False


def parse_sources(table: Node | None) -> tuple[list[DataSource], set[str]]:
    """The `[sources.<id>]` tables under `table`; every id, even one whose table has problems,
    so that a reference to it is not reported a second time as unknown."""
    sources: list[DataSource] = []
    ids: set[str] = set()
    if table is None:
        return sources, ids
    for source_id, node in table.named_tables():
        ids.add(source_id)
        node.check_keys(SOURCE_KEYS)
        kind = node.choice("kind", SourceKind, required=True)
        title = node.text("title", required=kind is not None and kind.needs_title)
        file = node.text("file")
        url = node.formatted("url", formats.url)
        published = node.formatted("published", formats.day)
        by = node.text("by")
        at = node.formatted("at", instant)
        if kind is not None:
            sources.append(
                DataSource(source_id, kind, title, file, url, published, by, at, node.ctx.file)
            )
    return sources, ids


def instant(value: object) -> datetime:
    """A moment with its UTC offset, as a TOML datetime or ISO text; kept in UTC."""
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
    elif isinstance(value, date):
        raise ValueError(
            f"expected a date with a time and UTC offset, got {formats.describe(value)}"
        )
    if moment is None:
        raise ValueError(
            f"expected a datetime such as 2026-12-03T07:10:00Z, got {formats.describe(value)}"
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a datetime needs its UTC offset, e.g. 2026-12-03T07:10:00Z")
    if not formats.FIRST_YEAR <= moment.year <= formats.LAST_YEAR:
        raise ValueError(f"year {moment.year} is out of range")
    return moment.astimezone(UTC)
