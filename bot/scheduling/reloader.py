"""Watches the schedules folder; a valid change swaps the catalog, an invalid one changes nothing.

A broken file must never take the running bot down or lose data: the new files are validated
as a whole, and only a catalog without problems replaces the last good one. Every problem is
logged as `file:line: key: message`, the same as `pitboard check` prints.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.core.catalog import Catalog, CatalogHolder
from bot.core.schedules import Problem, check_directory

log = logging.getLogger("pitboard.reload")

Signature = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    problems: tuple[Problem, ...] = ()
    changes: tuple[str, ...] = ()  # what changed, one line each (for /reload)


def folder_signature(directory: Path) -> Signature:
    """Name, size and modification time of every TOML file: cheap to poll."""
    entries = []
    for path in sorted(directory.rglob("*.toml")):
        try:
            stat = path.stat()
        except OSError:
            continue  # removed while we looked; the next poll sees the new state
        entries.append((str(path.relative_to(directory)), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def describe_changes(old: Catalog, new: Catalog) -> tuple[str, ...]:
    lines: list[str] = []
    for session_id in sorted(new.sessions.keys() - old.sessions.keys()):
        lines.append(f"added {session_id}")
    for session_id in sorted(old.sessions.keys() - new.sessions.keys()):
        lines.append(f"removed {session_id}")
    for session_id in sorted(old.sessions.keys() & new.sessions.keys()):
        before, after = old.sessions[session_id], new.sessions[session_id]
        if before.start_utc != after.start_utc or before.day != after.day:
            was = before.start_utc.isoformat() if before.start_utc else f"{before.day} TBA"
            now = after.start_utc.isoformat() if after.start_utc else f"{after.day} TBA"
            lines.append(f"moved {session_id}: {was} -> {now}")
        if len(before.results) != len(after.results) or before.results != after.results:
            lines.append(f"results changed for {session_id}")
    if not lines and old != new:
        lines.append("details changed (entries, links, drivers or tracks)")
    return tuple(lines)


class ScheduleReloader:
    def __init__(
        self,
        directory: Path,
        catalogs: CatalogHolder,
        on_swap: Callable[[], Awaitable[object]],
        *,
        poll_seconds: float = 2.0,
    ) -> None:
        self._directory = directory
        self._catalogs = catalogs
        self._on_swap = on_swap
        self._poll_seconds = poll_seconds
        self._signature = folder_signature(directory)
        self._lock = asyncio.Lock()
        self.last_result: ReloadResult | None = None

    async def reload(self) -> ReloadResult:
        """Re-read the folder now (the file watch and `/reload` both come here)."""
        async with self._lock:
            self._signature = folder_signature(self._directory)
            catalog, problems = await asyncio.to_thread(check_directory, self._directory)
            if catalog is None or problems:
                for problem in problems:
                    log.error("schedule problem: %s", problem)
                log.error(
                    "kept the last good schedules: %d problem(s) in the new files", len(problems)
                )
                self.last_result = ReloadResult(ok=False, problems=tuple(problems))
                return self.last_result
            previous = self._catalogs.swap(catalog)
            changes = describe_changes(previous, catalog)
            log.info("schedules reloaded: %s", "; ".join(changes) or "no changes")
            self.last_result = ReloadResult(ok=True, changes=changes)
        await self._on_swap()
        return self.last_result

    async def watch(self) -> None:
        """Poll for changes until cancelled; a reload failure is logged, never raised."""
        while True:
            await asyncio.sleep(self._poll_seconds)
            try:
                if folder_signature(self._directory) != self._signature:
                    await self.reload()
            except Exception:
                log.exception("reloading the schedules failed; keeping the last good ones")
