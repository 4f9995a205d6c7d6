"""Read a schedules directory: the shared files first, then every series file, then the checks
that need all of them (duplicate series ids, published against computed standings)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from bot.core.catalog import Catalog
from bot.core.provenance import DataSource, Provenances
from bot.core.schedules import toml_text
from bot.core.schedules.problems import Problem, ScheduleError
from bot.core.schedules.provenance import SOURCES_FILE, parse_sources
from bot.core.schedules.published import PointsPaths, check_published
from bot.core.schedules.reader import FileContext, Node
from bot.core.schedules.series import ParsedSeries, parse_series_file
from bot.core.schedules.shared import Shared, parse_drivers, parse_scales, parse_tracks

T = TypeVar("T")
Document = dict[str, Any]
SharedParser = Callable[[FileContext, Mapping[str, object]], tuple[list[T], set[str]]]

SHARED_FILES = ("scales.toml", "tracks.toml", "drivers.toml")


@dataclass
class _File:
    ctx: FileContext
    doc: Document | None  # None when it could not be read or parsed (already reported)
    judged: bool = True  # tomllib has had its say on the text (see `_stands`)

    def release(self) -> None:
        """Let the document go once the file is validated: nothing reads it again, and the
        bench catalog's documents are most of a load's memory (freed file by file, the load
        peaks 17 MB lower and reuses their memory for the catalog). An empty one, not None:
        the file still counts as read (see `_stands`)."""
        if self.doc is not None:
            self.doc = {}


class _AnyId(Collection[str]):
    """Stands for the ids of a shared file that could not be parsed: every reference passes, so
    one syntax error in drivers.toml is not echoed as an unknown driver in every series file."""

    def __contains__(self, item: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def load_catalog(directory: Path) -> Catalog:
    """Parse and validate every file; raise ScheduleError listing every problem if any."""
    catalog, problems = check_directory(directory)
    if catalog is None:
        raise ScheduleError(problems)
    return catalog


def check_directory(
    directory: Path, overrides: Mapping[str, str] | None = None
) -> tuple[Catalog | None, tuple[Problem, ...]]:
    """Parse and validate every file; the catalog only when there is no problem at all.

    `overrides` maps relative paths ("2022/tcr-germany.toml") to text read instead of the
    file's (or as a new file): an edit is checked as the directory would be once written."""
    with _cyclic_gc_paused():
        return _check_directory(directory, overrides or {})


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Loading builds millions of objects and frees none of them: every collection the garbage
    collector starts on the way walks the whole growing heap again and finds nothing (a third of
    the load time on the bench catalog). Nothing the load builds is a reference cycle, so the
    collector only needs to wait; reference counting still frees everything as usual. It is
    switched back on only if it was on (someone else may have paused it for their own reasons).

    What the load leaves is a catalog meant to live until the next reload: it goes straight to
    the oldest generation (`gc.freeze()` then `gc.unfreeze()`, both O(1)), where every full
    collection still sees it, instead of being walked at once by the young collection the next
    allocation would start (130,000 objects, 5 % of the load on the bench catalog) and again on
    its way up. Nothing stays frozen; it is skipped when something else keeps objects frozen,
    which unfreezing would thaw."""
    was_enabled = gc.isenabled()
    none_frozen = gc.get_freeze_count() == 0
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if none_frozen and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _check_directory(
    directory: Path, overrides: Mapping[str, str]
) -> tuple[Catalog | None, tuple[Problem, ...]]:
    if not directory.is_dir():
        return None, (Problem(".", 1, "", f"schedules directory {str(directory)!r} not found"),)
    paths = {path for path in directory.rglob("*.toml") if path.is_file()}
    paths.update(directory / name for name in overrides)
    files = {
        path.relative_to(directory).as_posix(): _read(directory, path, overrides)
        for path in sorted(paths)
    }
    sources = _load_sources(files)
    shared = _load_shared(files)
    parsed: dict[str, ParsedSeries] = {}
    for name, file in files.items():
        if name not in SHARED_FILES and name != SOURCES_FILE and file.doc is not None:
            item = parse_series_file(file.ctx, file.doc, shared)
            file.release()
            if _stands(file):
                parsed[name] = item
    _check_unique_series(files, parsed)
    _check_published(files, parsed, shared)
    for file in files.values():
        _stands(file)  # a problem found across files: still tomllib's error if it has one
    problems = tuple(sorted(problem for file in files.values() for problem in file.ctx.problems))
    if problems:
        return None, problems
    series = [p.series for p in parsed.values() if p.series is not None]
    stated = {key: found for file in files.values() for key, found in file.ctx.provenance.items()}
    provenance = Provenances(
        MappingProxyType(stated), MappingProxyType({source.id: source for source in sources})
    )
    return Catalog.build(
        series, shared.drivers, shared.tracks, shared.scales, provenance=provenance
    ), ()


def _read(directory: Path, path: Path, overrides: Mapping[str, str]) -> _File:
    name = path.relative_to(directory).as_posix()
    ctx = FileContext(name)
    if name in overrides:
        return _parsed(ctx, overrides[name])
    try:
        data = path.read_bytes()
    except OSError as exc:
        ctx.problems.append(Problem(name, 1, "", f"cannot read the file: {exc.strerror}"))
        return _File(ctx, None)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line})"
        ctx.problems.append(Problem(name, line, "", message))
        return _File(ctx, None)
    return _parsed(ctx, text)


def _parsed(ctx: FileContext, text: str) -> _File:
    name = ctx.file
    parsed = toml_text.parse(name, text)
    if parsed.problem is not None:
        ctx.problems.append(parsed.problem)
        return _File(ctx, None)
    ctx.text = text  # kept to find a problem's line, should there be one
    return _File(ctx, parsed.doc, judged=parsed.judged)


def _stands(file: _File) -> bool:
    """Whether a parsed file is still in play once its problems are known.

    A file rtoml read without tomllib (the fast path) is judged by tomllib as soon as it has a
    problem: if tomllib rejects it, its problems become that one syntax error, exactly what was
    reported before rtoml, and it is treated as unreadable from then on. A clean file needs no
    second opinion (`toml_text` sends any text only newer TOML allows to tomllib up front).
    """
    if file.doc is None:
        return False
    if file.judged or not file.ctx.problems:
        return True
    file.judged = True
    problem = toml_text.judge(file.ctx.file, file.ctx.text)
    if problem is None:
        return True
    file.ctx.problems[:] = [problem]
    file.doc = None
    return False


def _load_sources(files: Mapping[str, _File]) -> list[DataSource]:
    """Every `[sources.<id>]` table, from sources.toml and the series files: one namespace (an
    edit's source, kept in the series file it edited, may be named by a driver it added). Each
    file learns the ids it may refer to; while a file that could define some cannot be read,
    every id passes, as for the shared files."""
    sources: list[DataSource] = []
    defined_in: dict[str, str] = {}
    unreadable = False
    # sources.toml first, then the series files in sorted order: a duplicate is reported in
    # the later one.
    for name in sorted(files, key=lambda name: (name != SOURCES_FILE, name)):
        file = files[name]
        if name in SHARED_FILES:
            continue
        if file.doc is None:
            unreadable = True
            continue
        root = Node(file.ctx, (), file.doc)
        if name == SOURCES_FILE:
            root.check_keys(("sources",))
        found, ids = parse_sources(root.child("sources"))
        sources += found
        for source_id in sorted(ids):
            if source_id in defined_in:
                message = f"duplicate source id {source_id!r} (also in {defined_in[source_id]})"
                file.ctx.report(("sources", source_id), message)
            else:
                defined_in[source_id] = name
    known: Collection[str] = _AnyId() if unreadable else frozenset(defined_in)
    for file in files.values():
        file.ctx.source_ids = known
    return sources


def _load_shared(files: Mapping[str, _File]) -> Shared:
    scales, scale_ids = _shared_file(files, "scales.toml", parse_scales)
    tracks, track_ids = _shared_file(files, "tracks.toml", parse_tracks)
    drivers, driver_ids = _shared_file(files, "drivers.toml", parse_drivers)
    return Shared(tuple(scales), tuple(tracks), tuple(drivers), scale_ids, track_ids, driver_ids)


def _shared_file(
    files: Mapping[str, _File], name: str, parse: SharedParser[T]
) -> tuple[list[T], Collection[str]]:
    file = files.get(name)
    if file is None:
        return [], frozenset()  # no such file: every reference to it is unknown
    if file.doc is None:
        return [], _AnyId()
    items, ids = parse(file.ctx, file.doc)
    if not _stands(file):
        return [], _AnyId()
    return items, frozenset(ids)


def _check_unique_series(files: Mapping[str, _File], parsed: Mapping[str, ParsedSeries]) -> None:
    first_file: dict[str, str] = {}
    for name, item in parsed.items():  # files in sorted order: the later one is reported
        if item.series_id is None:
            continue
        if item.series_id in first_file:
            message = (
                f"duplicate series id {item.series_id!r} (also in {first_file[item.series_id]})"
            )
            files[name].ctx.report(("series", "id"), message)
        else:
            first_file[item.series_id] = name


def _check_published(
    files: Mapping[str, _File], parsed: Mapping[str, ParsedSeries], shared: Shared
) -> None:
    """Compare published standings with computed ones, for series whose data is otherwise clean:
    points computed from broken results or scales would only produce misleading disagreements."""
    scales = files.get("scales.toml")
    if scales is not None and scales.ctx.problems:
        return
    clean: dict[str, tuple[FileContext, PointsPaths]] = {}
    series = []
    for name, item in parsed.items():
        if item.series is not None and not files[name].ctx.problems:
            clean[item.series.id] = (files[name].ctx, item.points_paths)
            series.append(item.series)
    if any(s.published_standings for s in series):
        catalog = Catalog.build(series, shared.drivers, shared.tracks, shared.scales)
        check_published(catalog, clean)
