"""Typed, reporting access to one table of a parsed TOML file.

Every getter returns the clean value, or None after recording a Problem at the key's line, so a
parser can carry on and report everything wrong with a file in one run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from bot.core.provenance import FactKey, Provenance
from bot.core.schedules import formats
from bot.core.schedules.locate import Locator, locate
from bot.core.schedules.problems import KeyPath, Problem, format_path

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


@dataclass
class FileContext:
    """One schedule file being read: where its problems go and how to find their lines.

    The line of every key is found by scanning the text (`locate`), which costs more than parsing
    it; it is only ever needed to report a problem, so it is built on the first report.
    """

    file: str
    text: str = ""
    problems: list[Problem] = field(default_factory=list)
    _locator: Locator | None = field(default=None, repr=False, compare=False)
    # Every source id the directory defines (`[sources.<id>]`), for `source = "<id>"` keys, and
    # the provenance each table of this file states (see bot.core.schedules.provenance).
    source_ids: Collection[str] = frozenset()
    provenance: dict[FactKey, Provenance] = field(default_factory=dict, repr=False)
    _mentions_provenance: bool | None = field(default=None, repr=False, compare=False)

    @property
    def mentions_provenance(self) -> bool:
        """Whether the text may hold a `source` or `inferred` key: a file that never spells
        either word (every file of a big generated catalog) is not searched for them."""
        if self._mentions_provenance is None:
            text = self.text
            self._mentions_provenance = not text or "source" in text or "inferred" in text
        return self._mentions_provenance

    @property
    def locator(self) -> Locator:
        if self._locator is None:
            self._locator = locate(self.text)
        return self._locator

    def report(self, path: KeyPath, message: str) -> None:
        line = self.locator.line_of(path)
        self.problems.append(Problem(self.file, line, format_path(path), message))


class Node:
    """One table of a file at its key path. A plain class with slots: a big catalog makes a
    hundred thousand of them, and a frozen dataclass costs several times more to build."""

    __slots__ = ("ctx", "data", "path")

    def __init__(self, ctx: FileContext, path: KeyPath, data: Mapping[str, object]) -> None:
        self.ctx = ctx
        self.path = path
        self.data = data

    def at(self, *parts: str | int) -> KeyPath:
        return (*self.path, *parts)

    def has(self, key: str) -> bool:
        return key in self.data

    def report(self, key: str | int | None, message: str) -> None:
        """Report about one key, or about the whole table when `key` is None."""
        self.ctx.report(self.path if key is None else self.at(key), message)

    def check_keys(self, allowed: Collection[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.report(key, formats.unknown_key(key, allowed))

    def formatted(
        self, key: str, parse: Callable[[object], T], *, required: bool = False
    ) -> T | None:
        value = self.data.get(key)  # TOML has no null: None always means absent
        if value is None:
            if required:
                self.report(key, f"missing required key {key!r}")
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.report(key, str(exc))
            return None

    def text(self, key: str, *, required: bool = False) -> str | None:
        return self.formatted(key, formats.text, required=required)

    def integer(
        self, key: str, *, required: bool = False, minimum: int | None = None
    ) -> int | None:
        return self.formatted(
            key, functools.partial(formats.integer, minimum=minimum), required=required
        )

    def flag(self, key: str) -> bool | None:
        return self.formatted(key, formats.flag)

    def choice(self, key: str, kind: type[E], *, required: bool = False) -> E | None:
        return self.formatted(key, functools.partial(formats.choice, kind), required=required)

    def reference(
        self, key: str, known: Collection[str], what: str, *, required: bool = False
    ) -> str | None:
        """An id that must name something defined elsewhere (a driver, a track, a scale)."""
        value = self.text(key, required=required)
        if value is not None and value not in known:
            self.report(key, unknown_reference(what, value, known))
            return None
        return value

    def texts(self, key: str, *, required: bool = False) -> tuple[str, ...] | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.report(key, f"missing required key {key!r}")
            return None
        if not isinstance(value, list):
            self.report(key, f"expected an array of strings, got {formats.describe(value)}")
            return None
        items: list[str] = []
        for index, item in enumerate(value):
            try:
                items.append(formats.text(item))
            except ValueError as exc:
                self.ctx.report(self.at(key, index), str(exc))
        return tuple(items) if len(items) == len(value) else None

    def child(self, key: str, *, required: bool = False) -> Node | None:
        """A sub-table, [a.key] or key = { ... }."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.report(key, f"missing required table [{format_path(self.at(key))}]")
            return None
        if not isinstance(value, dict):
            self.report(key, f"expected a table, got {formats.describe(value)}")
            return None
        return Node(self.ctx, self.at(key), value)

    def children(self, key: str) -> list[Node]:
        """The tables of an array of tables, [[a.key]]."""
        return [Node(self.ctx, self.at(key, index), item) for index, item in self.tables(key)]

    def tables(self, key: str) -> list[tuple[int, dict[str, object]]]:
        """The raw tables of an array of tables with their indexes; what is not a table is
        reported and left out (a parser that builds a Node only for a row it must explain)."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            header = ".".join(part for part in self.at(key) if isinstance(part, str))
            got = formats.describe(value)
            self.report(key, f"expected an array of tables ([[{header}]]), got {got}")
            return []
        tables: list[tuple[int, dict[str, object]]] = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                tables.append((index, item))
            else:
                self.ctx.report(
                    self.at(key, index), f"expected a table, got {formats.describe(item)}"
                )
        return tables

    def named_tables(self) -> Iterator[tuple[str, Node]]:
        """The sub-tables of a table keyed by id, [drivers.<id>]; each id must be a slug."""
        for name, value in self.data.items():
            try:
                formats.slug(name)
            except ValueError as exc:
                self.report(name, str(exc))
            if isinstance(value, dict):
                yield name, Node(self.ctx, self.at(name), value)
            else:
                self.report(name, f"expected a table, got {formats.describe(value)}")


def unknown_reference(what: str, value: str, known: Collection[str]) -> str:
    hint = formats.suggestion(value, known)
    if not hint:
        where = {"driver": "drivers.toml", "track": "tracks.toml", "scale": "scales.toml"}
        hint = f" (define it in {where[what]})" if what in where else ""
    return f"unknown {what} {value!r}{hint}"
