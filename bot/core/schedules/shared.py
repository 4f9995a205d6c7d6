"""The shared files: scales.toml, tracks.toml, drivers.toml.

Each returns every id it defines, even one whose table has problems, so that a reference to it from
a series file is not reported a second time as unknown.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from bot.core.model import Driver, LapRecord, PointsScale, Track
from bot.core.provenance import FactKind, Provenance
from bot.core.schedules import formats
from bot.core.schedules.provenance import PROVENANCE_KEYS, file_level, record, record_listed
from bot.core.schedules.reader import FileContext, Node

SCALE_KEYS = ("name", "points", *PROVENANCE_KEYS)
TRACK_KEYS = (
    "name", "aliases", "location", "country", "length_km", "corners", "lap_records",
    *PROVENANCE_KEYS,
)  # fmt: skip
LAP_RECORD_KEYS = ("class", "time", "holder", "year", *PROVENANCE_KEYS)
DRIVER_KEYS = ("name", "country", "home_town", "highlights", "aliases", *PROVENANCE_KEYS)


@dataclass(frozen=True)
class Shared:
    """What the shared files define; `*_ids` include ids whose tables could not be built."""

    scales: tuple[PointsScale, ...] = ()
    tracks: tuple[Track, ...] = ()
    drivers: tuple[Driver, ...] = ()
    scale_ids: Collection[str] = frozenset()
    track_ids: Collection[str] = frozenset()
    driver_ids: Collection[str] = frozenset()


def _root_tables(
    ctx: FileContext, doc: Mapping[str, object], name: str
) -> list[tuple[str, Node, Provenance | None]]:
    """Each `[name.<id>]` table, with the file's top-level provenance it inherits."""
    root = Node(ctx, (), doc)
    root.check_keys((name, *PROVENANCE_KEYS))
    inherited = file_level(root)
    table = root.child(name)
    return [(key, node, inherited) for key, node in table.named_tables()] if table else []


def parse_scales(ctx: FileContext, doc: Mapping[str, object]) -> tuple[list[PointsScale], set[str]]:
    scales: list[PointsScale] = []
    ids: set[str] = set()
    for scale_id, node, inherited in _root_tables(ctx, doc, "scales"):
        ids.add(scale_id)
        node.check_keys(SCALE_KEYS)
        record(node, (FactKind.SCALE, scale_id, -1), inherited)
        name = node.text("name", required=True)
        points = _points(node)
        if name is not None and points is not None:
            scales.append(PointsScale(id=scale_id, name=name, points=points))
    return scales, ids


def _points(node: Node) -> tuple[int, ...] | None:
    value = node.data.get("points")
    if value is None:
        node.report("points", "missing required key 'points'")
        return None
    if not isinstance(value, list) or not value:
        node.report(
            "points", f"expected a non-empty array of integers, got {formats.describe(value)}"
        )
        return None
    points: list[int] = []
    for index, item in enumerate(value):
        try:
            points.append(formats.integer(item, minimum=0))
        except ValueError as exc:
            node.ctx.report(node.at("points", index), str(exc))
    return tuple(points) if len(points) == len(value) else None


def parse_tracks(ctx: FileContext, doc: Mapping[str, object]) -> tuple[list[Track], set[str]]:
    tracks: list[Track] = []
    ids: set[str] = set()
    for track_id, node, inherited in _root_tables(ctx, doc, "tracks"):
        ids.add(track_id)
        node.check_keys(TRACK_KEYS)
        record(node, (FactKind.TRACK, track_id, -1), inherited)
        record_listed(node, "lap_records", FactKind.LAP_RECORD, track_id)
        name = node.text("name", required=True)
        aliases = node.texts("aliases") or ()
        location = node.text("location")
        country = node.formatted("country", formats.country)
        length_km = node.formatted("length_km", formats.positive_number)
        corners = node.integer("corners", minimum=1)
        records = tuple(
            record for record in map(_lap_record, node.children("lap_records")) if record
        )
        if name is not None:
            track = Track(track_id, name, location, country, length_km, corners, records, aliases)
            tracks.append(track)
    return tracks, ids


def _lap_record(node: Node) -> LapRecord | None:
    node.check_keys(LAP_RECORD_KEYS)
    class_name = node.text("class", required=True)
    lap = node.formatted("time", formats.lap_time, required=True)
    holder = node.text("holder")
    year = node.integer("year", minimum=formats.FIRST_YEAR)
    if class_name is None or lap is None:
        return None
    return LapRecord(class_name=class_name, time=lap, holder=holder, year=year)


def parse_drivers(ctx: FileContext, doc: Mapping[str, object]) -> tuple[list[Driver], set[str]]:
    drivers: list[Driver] = []
    ids: set[str] = set()
    for driver_id, node, inherited in _root_tables(ctx, doc, "drivers"):
        ids.add(driver_id)
        node.check_keys(DRIVER_KEYS)
        record(node, (FactKind.DRIVER, driver_id, -1), inherited)
        name = node.text("name", required=True)
        country = node.formatted("country", formats.country)
        home_town = node.text("home_town")
        highlights = node.texts("highlights") or ()
        aliases = node.texts("aliases") or ()
        if name is not None:
            drivers.append(Driver(driver_id, name, country, home_town, highlights, aliases))
    return drivers, ids
