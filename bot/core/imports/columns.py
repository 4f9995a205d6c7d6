"""Which column of a header holds what: the Al Kamel export's fixed names, a plain CSV's names.

A plain CSV's header is matched without case, accents or punctuation ("Best lap", "best_lap"
and "BEST-LAP" are one name) against a few aliases per field. The Al Kamel export writes its
own upper-case names; a car number there is NUMBER and its model VEHICLE (or CAR), where in a
plain CSV "car" is the number people write.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.core.names import normalize


class Field(StrEnum):
    POSITION = "position"
    NUMBER = "number"
    STATUS = "status"
    TEAM = "team"
    VEHICLE = "vehicle"
    CLASS = "class"
    LAPS = "laps"
    TIME = "time"
    GAP = "gap"
    BEST_LAP = "best lap"  # i18n: not user text (header names)
    NOTE = "note"
    DRIVER = "driver"  # the first driver column: where a problem with the row's names points


_PLAIN_ALIASES: dict[Field, tuple[str, ...]] = {
    Field.POSITION: ("position", "pos", "place", "p", "rank", "finish"),
    # i18n: not user text
    Field.NUMBER: ("number", "no", "nr", "num", "car", "car no", "car number", "car nr", "#"),
    Field.STATUS: ("status", "result", "state"),
    Field.TEAM: ("team", "entrant", "team name"),  # i18n: not user text (header names)
    Field.VEHICLE: ("vehicle", "model", "car model", "make"),  # i18n: not user text (header names)
    Field.CLASS: ("class", "category", "cat", "class name"),  # i18n: not user text (header names)
    Field.LAPS: ("laps", "lap", "laps completed"),  # i18n: not user text (header names)
    Field.TIME: ("time", "total time", "race time", "total"),  # i18n: not user text (header names)
    # i18n: not user text
    Field.GAP: ("gap", "gap first", "gap to first", "gap to leader", "diff", "behind"),
    Field.BEST_LAP: (
        # i18n: not user text
        "best", "best lap", "bestlap", "best lap time", "fastest lap", "fastest lap time",
        "fl time",  # i18n: not user text (header names)
    ),
    Field.NOTE: ("note", "notes", "comment", "comments", "remark", "remarks", "reason"),
}  # fmt: skip
_ALKAMEL_NAMES: dict[Field, tuple[str, ...]] = {
    Field.POSITION: ("POSITION", "POS"),  # i18n: not user text (header names)
    Field.NUMBER: ("NUMBER", "NO"),  # i18n: not user text (header names)
    Field.STATUS: ("STATUS",),  # i18n: not user text (header names)
    Field.TEAM: ("TEAM",),  # i18n: not user text (header names)
    Field.VEHICLE: ("VEHICLE", "CAR"),  # i18n: not user text (header names)
    Field.CLASS: ("CLASS",),  # i18n: not user text (header names)
    Field.LAPS: ("LAPS",),  # i18n: not user text (header names)
    Field.TIME: ("TOTAL_TIME",),
    Field.GAP: ("GAP_FIRST",),
    Field.BEST_LAP: ("FL_TIME",),
    Field.NOTE: ("COMMENT", "COMMENTS", "NOTE", "NOTES"),  # i18n: not user text (header names)
}
# Names only an Al Kamel export writes, in its capitals: any one of them tells it apart (so
# that an export missing a column is reported as such, not read as some other CSV).
_ALKAMEL_MARKS = frozenset(
    {
        "TOTAL_TIME", "GAP_FIRST", "GAP_PREVIOUS", "FL_TIME", "FL_LAPNUM", "FL_KPH",
        "DRIVER_1", "DRIVER1_FIRSTNAME", "DRIVER_FIRSTNAME",
    }
)  # fmt: skip
_PLAIN_DRIVER = re.compile(r"(?:drivers?|names?|driver name)(?: ?(\d))?")  # i18n: not user text
_ALKAMEL_DRIVER = re.compile(r"DRIVER_(\d)")
_ALKAMEL_SPLIT_DRIVER = re.compile(r"DRIVER(\d?)_(FIRSTNAME|SECONDNAME|COUNTRY)")


@dataclass(frozen=True)
class DriverColumns:
    """Where one driver's name is: a whole-name column, or first and second name columns."""

    name: int | None = None
    first: int | None = None
    second: int | None = None
    country: int | None = None


@dataclass(frozen=True)
class Layout:
    fields: Mapping[Field, int]  # 0-based column of each field the header has
    drivers: tuple[DriverColumns, ...]  # in the file's order (DRIVER_1 first)

    def has_drivers(self) -> bool:
        return bool(self.drivers)


def looks_like_alkamel(header_line: str) -> bool:
    names = set(re.split(r"[;,\t]", header_line.removeprefix("\ufeff").strip()))
    return bool(names & _ALKAMEL_MARKS)


def plain_layout(header: tuple[str, ...]) -> Layout:
    keys = [_plain_key(name) for name in header]
    fields: dict[Field, int] = {}
    for field, aliases in _PLAIN_ALIASES.items():
        found = next((i for i, key in enumerate(keys) if key in aliases), None)
        if found is not None:
            fields[field] = found
    numbered: dict[int, DriverColumns] = {}
    for index, key in enumerate(keys):
        match = _PLAIN_DRIVER.fullmatch(key)
        if match and index not in fields.values():
            numbered[int(match.group(1) or 0) * 100 + index] = DriverColumns(name=index)
    drivers = tuple(numbered[k] for k in sorted(numbered))
    return Layout(MappingProxyType(fields), drivers)


def alkamel_layout(header: tuple[str, ...]) -> Layout:
    upper = [name.upper() for name in header]
    fields: dict[Field, int] = {}
    for field, names in _ALKAMEL_NAMES.items():
        found = next((upper.index(n) for n in names if n in upper), None)
        if found is not None:
            fields[field] = found
    if Field.BEST_LAP not in fields and Field.TIME not in fields and "TIME" in upper:
        # i18n: not user text
        fields[Field.BEST_LAP] = upper.index("TIME")  # a practice or qualifying classification
    whole: dict[int, int] = {}
    split: dict[int, dict[str, int]] = {}
    for index, name in enumerate(upper):
        if match := _ALKAMEL_DRIVER.fullmatch(name):
            whole[int(match.group(1))] = index
        elif match := _ALKAMEL_SPLIT_DRIVER.fullmatch(name):
            split.setdefault(int(match.group(1) or 1), {})[match.group(2)] = index
    drivers = [DriverColumns(name=whole[n]) for n in sorted(whole)]
    if not drivers:
        drivers = [
            DriverColumns(
                first=parts.get("FIRSTNAME"),  # i18n: not user text (header names)
                second=parts.get("SECONDNAME"),  # i18n: not user text (header names)
                country=parts.get("COUNTRY"),  # i18n: not user text (header names)
            )
            for _, parts in sorted(split.items())
            if "FIRSTNAME" in parts or "SECONDNAME" in parts
        ]
    return Layout(MappingProxyType(fields), tuple(drivers))


def _plain_key(name: str) -> str:
    """'Best lap', 'best_lap' and 'BEST-LAP' all as 'best lap'; '#' stays '#'."""
    return normalize(name.replace("_", " ")) or name.strip()
