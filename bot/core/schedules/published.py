"""[[standings]]: championship tables as the organiser published them, and the check that they
agree with the standings computed from our results (bot.core.published_check)."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from fractions import Fraction

from bot.core.catalog import Catalog
from bot.core.model import PublishedRow, PublishedStandings
from bot.core.provenance import FactKind
from bot.core.published_check import published_disagreements
from bot.core.schedules import formats
from bot.core.schedules.problems import KeyPath, format_path
from bot.core.schedules.provenance import PROVENANCE_KEYS, record, record_listed
from bot.core.schedules.reader import FileContext, Node

STANDINGS_KEYS = ("after", "note", "rows", *PROVENANCE_KEYS)
ROW_KEYS = ("position", "driver", "points", *PROVENANCE_KEYS)

# (event id, driver id) -> path of that driver's published `points`, per series file
PointsPaths = dict[tuple[str, str], KeyPath]


def parse_standings(
    root: Node, series_id: str, event_slugs: Collection[str], driver_ids: Collection[str]
) -> tuple[tuple[PublishedStandings, ...], PointsPaths]:
    tables: list[PublishedStandings] = []
    paths: PointsPaths = {}
    seen: dict[str, KeyPath] = {}
    for node in root.children("standings"):
        node.check_keys(STANDINGS_KEYS)
        after = node.text("after", required=True)
        note = node.text("note")
        if after is not None and after not in event_slugs:
            hint = formats.suggestion(after, event_slugs)
            node.report("after", f"unknown event {after!r} in this series{hint}")
            after = None
        if after is not None and after in seen:
            node.report(
                "after", f"standings after {after!r} are already given ({format_path(seen[after])})"
            )
        rows = _rows(node, driver_ids)
        # Keyed by the event the table follows (read even for a bad `after`, to report values).
        event_id = f"{series_id}/{after or node.path[-1]}"
        record(node, (FactKind.STANDINGS, event_id, -1))
        record_listed(node, "rows", FactKind.STANDINGS_ROW, event_id)
        if after is None or after in seen:
            continue
        seen[after] = node.path
        tables.append(PublishedStandings(series_id, event_id, tuple(row for row, _ in rows), note))
        paths.update(((event_id, row.driver), path) for row, path in rows)
    return tuple(tables), paths


def _rows(node: Node, driver_ids: Collection[str]) -> list[tuple[PublishedRow, KeyPath]]:
    rows: list[tuple[PublishedRow, KeyPath]] = []
    items = node.children("rows")
    if not items:
        node.report("rows", "a published table needs at least one [[standings.rows]]")
    previous = 0
    drivers: dict[str, KeyPath] = {}
    for item in items:
        item.check_keys(ROW_KEYS)
        position = item.integer("position", required=True, minimum=1)
        driver = item.reference("driver", driver_ids, "driver", required=True)
        points = item.formatted("points", _points, required=True)
        if position is not None:
            if position < previous:
                item.report(
                    "position",
                    f"position {position} comes after {previous}: list rows in ascending position",
                )
            previous = max(previous, position)
        if driver is not None and driver in drivers:
            item.report(
                "driver", f"driver {driver!r} is already listed ({format_path(drivers[driver])})"
            )
            continue
        if driver is not None:
            drivers[driver] = item.path
        if position is not None and driver is not None and points is not None:
            rows.append((PublishedRow(position, driver, points), item.at("points")))
    return rows


def _points(value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number of points, got {formats.describe(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"expected a number of points, got {formats.describe(value)}")
    if not 0 <= value <= formats.LARGEST_INT:
        raise ValueError(f"{formats.describe(value)} is not a number of points")
    # repr keeps the decimal as written: 17.5 -> 35/2, 0.1 -> 1/10 rather than binary noise
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def check_published(catalog: Catalog, files: Mapping[str, tuple[FileContext, PointsPaths]]) -> None:
    """Report every published row our results contradict, on its `points` or `position` key.

    `files` maps a series id to its file and the paths of its published points.
    """
    for item in published_disagreements(catalog):
        found = files.get(item.series_id)
        if found is None:
            continue
        ctx, paths = found
        path = paths.get((item.after_event, item.driver_id), ("standings",))
        if item.key != "points" and path[-1:] == ("points",):
            path = (*path[:-1], item.key)
        ctx.report(path, item.message)
