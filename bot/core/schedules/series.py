"""One series file: [series], [series.points], [[events]] and [[standings]]."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from bot.core.model import Event, Series, SessionKind
from bot.core.provenance import FactKind
from bot.core.schedules import formats, provenance
from bot.core.schedules.events import parse_event
from bot.core.schedules.problems import KeyPath, format_path
from bot.core.schedules.published import PointsPaths, parse_standings
from bot.core.schedules.reader import FileContext, Node
from bot.core.schedules.results import SharedRows
from bot.core.schedules.shared import Shared

FILE_KEYS = ("series", "events", "standings", "sources", *provenance.PROVENANCE_KEYS)
SERIES_KEYS = (
    "id", "name", "short_name", "season", "rounds", "website", "points",
    *provenance.PROVENANCE_KEYS,
)  # fmt: skip
SESSION_KINDS = tuple(kind.value for kind in SessionKind)


@dataclass(frozen=True)
class ParsedSeries:
    series: Series | None  # None when [series] lacks what a Series needs (already reported)
    series_id: str | None
    points_paths: PointsPaths  # where each published standings row keeps its points


@dataclass(frozen=True)
class _Header:
    id: str | None
    name: str | None
    season: int | None
    short_name: str | None
    rounds: int | None
    website: str | None


def parse_series_file(ctx: FileContext, doc: Mapping[str, object], shared: Shared) -> ParsedSeries:
    root = Node(ctx, (), doc)
    root.check_keys(FILE_KEYS)
    head = root.child("series", required=True)
    header = _header(head) if head else None
    series_id = header.id if header else None
    # Events still need some series id for their ids while the real one is missing or bad.
    scope_id = series_id or PurePosixPath(ctx.file).stem
    scales = _scales(head, shared) if head else {}
    # The file's own `source` / `inferred` is the series' unless [series] states its own.
    inherited = provenance.file_level(root)
    if head is not None:
        provenance.record(head, (FactKind.SERIES, scope_id, -1), inherited)
    events: list[Event] = []
    slugs: dict[str, KeyPath] = {}
    shared_rows = SharedRows()
    for node in root.children("events"):
        event = parse_event(node, scope_id, scales, shared, shared_rows)
        slug = node.data.get("id")
        if isinstance(slug, str) and slug in slugs:
            where = format_path(slugs[slug])
            node.report("id", f"duplicate event id {slug!r} in this series (also {where})")
        elif isinstance(slug, str):
            slugs[slug] = node.path
            if event is not None:
                events.append(event)
    standings, paths = parse_standings(root, scope_id, slugs, shared.driver_ids)
    if header is None or header.id is None or header.name is None or header.season is None:
        return ParsedSeries(None, series_id, paths)
    series = Series(
        id=header.id,
        name=header.name,
        season=header.season,
        short_name=header.short_name,
        rounds=header.rounds,
        scales=tuple(scales.items()),
        events=tuple(events),
        published_standings=standings,
        website=header.website,
    )
    return ParsedSeries(series, series_id, paths)


def _header(head: Node) -> _Header:
    head.check_keys(SERIES_KEYS)
    return _Header(
        id=head.formatted("id", formats.slug, required=True),
        name=head.text("name", required=True),
        season=head.integer("season", required=True, minimum=formats.FIRST_YEAR),
        short_name=head.text("short_name"),
        rounds=head.integer("rounds", minimum=1),
        website=head.formatted("website", formats.url),
    )


def _scales(head: Node, shared: Shared) -> dict[SessionKind, str]:
    """[series.points]: session kind -> scale id."""
    table = head.child("points")
    if table is None:
        return {}
    table.check_keys(SESSION_KINDS)
    scales: dict[SessionKind, str] = {}
    for kind in SessionKind:
        scale = table.reference(kind.value, shared.scale_ids, "scale")
        if scale is not None:
            scales[kind] = scale
    return scales
