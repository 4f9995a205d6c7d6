"""[[events.sessions.results]]: who finished where, checked against the event's entries."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.core.model import Entry, ResultRow, ResultStatus
from bot.core.schedules import formats
from bot.core.schedules.problems import KeyPath, format_path
from bot.core.schedules.reader import Node

RESULT_KEYS = ("position", "driver", "car", "status", "note")


@dataclass(frozen=True)
class Roster:
    """Who is entered in one event: every listed driver id, and the entries by car number."""

    drivers: frozenset[str] = frozenset()
    cars: Mapping[str, Entry] = field(default_factory=lambda: MappingProxyType({}))


def parse_results(
    session: Node, roster: Roster, driver_ids: Collection[str], complete: bool
) -> tuple[ResultRow, ...]:
    rows: list[ResultRow] = []
    seen: dict[str, KeyPath] = {}  # driver id -> the row that already has a result for them
    positions: list[tuple[int, KeyPath]] = []
    for node in session.children("results"):
        node.check_keys(RESULT_KEYS)
        position = node.integer("position", minimum=1)
        status = (
            node.choice("status", ResultStatus) if node.has("status") else ResultStatus.CLASSIFIED
        )
        note = node.text("note")
        found = _who(node, roster, driver_ids)
        if found is not None:
            drivers, _, key = found
            for driver in drivers:
                if driver in seen:
                    earlier = format_path(seen[driver])
                    node.report(
                        key, f"driver {driver!r} already has a result in this session ({earlier})"
                    )
                seen.setdefault(driver, node.path)
        if status is ResultStatus.CLASSIFIED:
            if not node.has("position"):
                node.report(
                    "position",
                    "a classified result needs a position (or a status: 'dnf', 'dns' or 'dsq')",
                )
            elif position is not None:
                positions.append((position, node.at("position")))
        if found is not None and status is not None:
            rows.append(ResultRow(found[0], status, position, note, found[1]))
    _check_positions(session, positions, complete)
    return tuple(rows)


def _who(
    node: Node, roster: Roster, driver_ids: Collection[str]
) -> tuple[tuple[str, ...], str | None, str] | None:
    """(drivers, car number, key) for a row naming exactly one of `driver` or `car`."""
    if node.has("driver") and node.has("car"):
        node.report(None, "give either driver or car, not both")
        return None
    if node.has("car"):
        number = node.formatted("car", formats.car_number)
        if number is None:
            return None
        entry = roster.cars.get(number)
        if entry is None:
            entered = ", ".join(sorted(roster.cars)) or "none"
            node.report("car", f"car {number!r} is not entered in this event (cars: {entered})")
            return None
        return entry.drivers, number, "car"
    if not node.has("driver"):
        node.report(
            "driver", "missing required key: give driver (a driver id) or car (a car number)"
        )
        return None
    driver = node.reference("driver", driver_ids, "driver")
    if driver is None:
        return None
    if driver not in roster.drivers:
        node.report(
            "driver", f"driver {driver!r} is not entered in this event (see [[events.entries]])"
        )
        return None
    return (driver,), None, "driver"


def _check_positions(session: Node, positions: list[tuple[int, KeyPath]], complete: bool) -> None:
    """Classified positions must make sense as a finishing order.

    A dead heat repeats a position and the next one skips (1, 2, 2, 4), so a position p can have at
    most p - 1 results ahead of it. With results_complete = true it must have exactly p - 1: no
    gaps. With incomplete results, gaps are expected (not every finisher is listed).
    """
    values = sorted(position for position, _ in positions)
    for position, path in sorted(positions):
        ahead = bisect_left(values, position)
        if complete and position != ahead + 1:
            session.ctx.report(
                path,
                f"position {position} should be {ahead + 1}: with results_complete = true "
                "positions run 1, 2, 3... without gaps (a dead heat repeats a position and the "
                "next one skips, e.g. 1, 2, 2, 4)",
            )
            return  # one gap shifts every later position: report the first only
        if not complete and position <= ahead:
            session.ctx.report(
                path,
                f"position {position} cannot follow {ahead} classified results ahead of it "
                "(after a dead heat the next position skips, e.g. 1, 2, 2, 4)",
            )
