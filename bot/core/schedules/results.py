"""[[events.sessions.results]]: who finished where, checked against the event's entries."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from bot.core.model import Entry, ResultRow, ResultStatus
from bot.core.schedules import formats
from bot.core.schedules.problems import format_path
from bot.core.schedules.reader import Node

RESULT_KEYS = (
    "position", "driver", "car", "status", "note",
    "class", "laps", "time", "gap", "best_lap", "fastest_lap",
    "source", "inferred",
)  # fmt: skip
# The keys the fast path reads (and the provenance keys, read by their own walk); a row with
# any timing-sheet key takes the general path.
_PLAIN_KEY_SET = frozenset((*RESULT_KEYS[:5], "source", "inferred"))


class SharedRows:
    """What the rows of one file share. Rows are immutable and one driver finishes in the same
    place in many sessions of a season: each classified single-driver row is built once per file
    and shared (building a frozen row costs more than everything else the plain path does for
    it), and so is each driver's one-driver crew tuple (a tuple per row was a third of the
    objects a load leaves for the garbage collector to walk once it is switched back on)."""

    __slots__ = ("crews", "rows")

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], ResultRow] = {}  # (driver id, position) -> its row
        self.crews: dict[str, tuple[str]] = {}  # driver id -> (driver id,)

    def crew(self, driver: str) -> tuple[str]:
        crew = self.crews.get(driver)
        if crew is None:
            crew = self.crews[driver] = (driver,)
        return crew


_STATUSES = {status.value: status for status in ResultStatus}
# A frozen dataclass's __init__ sets every field through object.__setattr__, and ResultRow has
# eleven since the timing-sheet fields came: that made a plain row cost twice what it did and
# the whole load a tenth more (issue 11). A plain row (no timing-sheet value) is built instead
# by this class, which has ResultRow's very slots and plain assignments, and then becomes a
# ResultRow: the same row (equal, same hash, frozen), under half the work. (Copying a template's
# __dict__ did it too, but rows with a dict of their own made every table that reads them 6-10 %
# slower: issue 11, the first /standings.)


class _PlainRow:
    __slots__ = ResultRow.__slots__  # same layout: what lets it become a ResultRow

    def __init__(
        self,
        drivers: tuple[str, ...],
        status: ResultStatus,
        position: int | None,
        note: str | None,
        car_number: str | None,
    ) -> None:
        self.drivers = drivers
        self.status = status
        self.position = position
        self.note = note
        self.car_number = car_number
        # ResultRow's defaults (a test checks every field against its __init__'s row).
        self.laps = None
        self.time = None
        self.gap = None
        self.best_lap = None
        self.fastest_lap = False
        self.class_name = None


def _plain_row(
    drivers: tuple[str, ...],
    status: ResultStatus,
    position: int | None = None,
    note: str | None = None,
    car_number: str | None = None,
) -> ResultRow:
    """`ResultRow(drivers, status, position, note, car_number)`, built without its __init__."""
    row = _PlainRow(drivers, status, position, note, car_number)
    row.__class__ = ResultRow  # type: ignore[assignment]
    return row  # type: ignore[return-value]  # a ResultRow now (typing.cast: a call per row)


@dataclass(frozen=True)
class Roster:
    """Who is entered in one event: every listed driver id, and the entries by car number."""

    drivers: frozenset[str] = frozenset()
    cars: Mapping[str, Entry] = field(default_factory=lambda: MappingProxyType({}))
    classes: frozenset[str] = frozenset()  # the event's class names, when it lists any


def parse_results(
    session: Node,
    roster: Roster,
    driver_ids: Collection[str],
    complete: bool,
    shared_rows: SharedRows | None = None,
) -> tuple[ResultRow, ...]:
    # A big catalog has a hundred thousand rows and nearly all of them are plainly valid: a
    # session whose rows all are skips the reporting machinery; any doubt takes the general path,
    # which finds and explains every problem.
    items = session.data.get("results")
    plain = _plain_results(
        items, roster, driver_ids, complete, SharedRows() if shared_rows is None else shared_rows
    )
    if plain is not None:
        return plain
    rows: list[ResultRow] = []
    seen: dict[str, int] = {}  # driver id -> index of the row that already has a result for them
    positions: list[tuple[int, int]] = []  # (classified position, row index)
    fastest: dict[str | None, int] = {}  # class -> index of the row with its fastest lap
    for index, item in session.tables("results"):
        node = Node(session.ctx, session.at("results", index), item)
        found, status, position, note = _checked_row(node, roster, driver_ids)
        details = _details(node, roster)
        if details.fastest_lap:
            if details.class_name in fastest:
                earlier = format_path(session.at("results", fastest[details.class_name]))
                within = f" in class {details.class_name!r}" if details.class_name else ""
                node.report("fastest_lap", f"the fastest lap{within} is already {earlier}'s")
            fastest.setdefault(details.class_name, index)
        if found is not None:
            drivers, _, key = found
            for driver in drivers:
                if driver in seen:
                    earlier = format_path(session.at("results", seen[driver]))
                    node.report(
                        key, f"driver {driver!r} already has a result in this session ({earlier})"
                    )
                seen.setdefault(driver, index)
        if status is ResultStatus.CLASSIFIED and position is not None:
            positions.append((position, index))
        if found is not None and status is not None:
            rows.append(ResultRow(found[0], status, position, note, found[1], *details))
    _check_positions(session, positions, complete)
    return tuple(rows)


def _plain_results(
    items: object,
    roster: Roster,
    driver_ids: Collection[str],
    complete: bool,
    shared_rows: SharedRows,
) -> tuple[ResultRow, ...] | None:
    """The rows when every one of them is plainly valid, else None.

    The same rows the general path builds for such a session, checked by the same rules in a
    form that is cheap when they hold: exact types, no driver twice, and classified positions
    that run 1, 2, 3... (or, with incomplete results, never repeat). Anything else, a dead heat
    included, is left to the general path.
    """
    if items is None:
        return ()
    if type(items) is not list:
        return None
    rows: list[ResultRow] = []
    everyone: list[str] = []
    positions: list[int] = []
    classified = ResultStatus.CLASSIFIED
    drivers, cars, largest = roster.drivers, roster.cars, formats.LARGEST_INT
    for item in items:
        if type(item) is not dict:
            return None
        position = item.get("position")
        driver = item.get("driver")
        if len(item) == 2 and type(position) is int and type(driver) is str:
            # The usual row, {position, driver}: one look at each value.
            if not 1 <= position <= largest or driver not in drivers:
                return None
            if driver not in driver_ids:
                return None
            positions.append(position)
            everyone.append(driver)
            row = shared_rows.rows.get((driver, position))
            if row is None:
                row = _plain_row(shared_rows.crew(driver), classified, position)
                shared_rows.rows[driver, position] = row
            rows.append(row)
            continue
        if not item.keys() <= _PLAIN_KEY_SET:
            return None
        if position is not None and (
            type(position) is not int or not 1 <= position <= formats.LARGEST_INT
        ):
            return None
        word = item.get("status")
        if word is None:
            status: ResultStatus | None = classified
        else:
            status = _STATUSES.get(word) if type(word) is str else None
        if status is None:
            return None
        if status is classified:
            if position is None:
                return None
            positions.append(position)
        note = item.get("note")
        if note is not None and (type(note) is not str or not note.strip()):
            return None
        car = item.get("car")
        if car is None:
            if type(driver) is not str or driver not in drivers or driver not in driver_ids:
                return None
            everyone.append(driver)
            rows.append(_plain_row(shared_rows.crew(driver), status, position, note))
            continue
        if driver is not None:
            return None
        if type(car) is int and 0 <= car <= formats.LARGEST_INT:
            number = str(car)
        elif type(car) is str and car.strip():
            number = car
        else:
            return None
        entry = cars.get(number)
        if entry is None:
            return None
        everyone.extend(entry.drivers)
        rows.append(_plain_row(entry.drivers, status, position, note, number))
    if len(set(everyone)) != len(everyone):
        return None
    positions.sort()
    if complete and positions != list(range(1, len(positions) + 1)):
        return None
    if not complete and len(set(positions)) != len(positions):
        return None  # distinct positions always leave room ahead of each: only repeats need care
    return tuple(rows)


def _checked_row(
    node: Node, roster: Roster, driver_ids: Collection[str]
) -> tuple[
    tuple[tuple[str, ...], str | None, str] | None, ResultStatus | None, int | None, str | None
]:
    """(who, status, position, note) of any row, reporting whatever is wrong with it."""
    node.check_keys(RESULT_KEYS)
    position = node.integer("position", minimum=1)
    status = node.choice("status", ResultStatus) if node.has("status") else ResultStatus.CLASSIFIED
    note = node.text("note")
    if status is ResultStatus.CLASSIFIED and not node.has("position"):
        node.report(
            "position",
            "a classified result needs a position (or a status: 'dnf', 'dns', 'dsq' or 'dnq')",
        )
    return _who(node, roster, driver_ids), status, position, note


class RowDetails(NamedTuple):
    """What a timing sheet adds to a row, in ResultRow's field order."""

    laps: int | None
    time: str | None
    gap: str | None
    best_lap: str | None
    fastest_lap: bool
    class_name: str | None


def _details(node: Node, roster: Roster) -> RowDetails:
    class_name = node.text("class")
    if class_name is not None and roster.classes and class_name not in roster.classes:
        known = ", ".join(sorted(roster.classes))
        hint = formats.suggestion(class_name, roster.classes)
        node.report("class", f"unknown class {class_name!r}{hint}; this event's classes: {known}")
    return RowDetails(
        laps=node.integer("laps", minimum=0),
        time=node.formatted("time", formats.timing),
        gap=node.text("gap"),
        best_lap=node.formatted("best_lap", formats.timing),
        fastest_lap=node.flag("fastest_lap") or False,
        class_name=class_name,
    )


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


def _check_positions(session: Node, positions: list[tuple[int, int]], complete: bool) -> None:
    """Classified positions must make sense as a finishing order.

    A dead heat repeats a position and the next one skips (1, 2, 2, 4), so a position p can have at
    most p - 1 results ahead of it. With results_complete = true it must have exactly p - 1: no
    gaps. With incomplete results, gaps are expected (not every finisher is listed).
    """
    values = sorted(position for position, _ in positions)
    for position, index in sorted(positions):
        ahead = bisect_left(values, position)
        path = session.at("results", index, "position")
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
