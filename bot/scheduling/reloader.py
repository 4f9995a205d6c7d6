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
from bot.core.i18n import _
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
    for event_id in sorted(new.events.keys() - old.events.keys()):
        lines.append(_("added event {event}").format(event=event_id))
    for session_id in sorted(new.sessions.keys() - old.sessions.keys()):
        lines.append(_("added {session}").format(session=session_id))
    for session_id in sorted(old.sessions.keys() - new.sessions.keys()):
        lines.append(_("removed {session}").format(session=session_id))
    for session_id in sorted(old.sessions.keys() & new.sessions.keys()):
        before, after = old.sessions[session_id], new.sessions[session_id]
        if before.start_utc != after.start_utc or before.day != after.day:
            tba = "TBA"  # i18n: not user text (the files' keyword: these lines quote the files)
            was = before.start_utc.isoformat() if before.start_utc else f"{before.day} {tba}"
            now = after.start_utc.isoformat() if after.start_utc else f"{after.day} {tba}"
            moved = _("moved {session}: {before} -> {after}")
            lines.append(moved.format(session=session_id, before=was, after=now))
        if before.cancelled != after.cancelled:
            if after.cancelled:
                lines.append(_("cancelled {session}").format(session=session_id))
            else:
                lines.append(_("reinstated {session}").format(session=session_id))
        if len(before.results) != len(after.results) or before.results != after.results:
            lines.append(_("results changed for {session}").format(session=session_id))
    if not lines and old != new:
        lines.append(_("details changed (entries, links, drivers or tracks)"))
    return tuple(lines)


class ScheduleReloader:
    """Applies the schedules folder's changes: at once when they only add or change data; after
    they settle when they take data away.

    A file that vanishes for a moment (an editor saving by delete-and-rename, a `git checkout`)
    looks exactly like a deletion. So a change seen by the watch that removes a file or would
    drop sessions or events is applied only once the folder shows the same files (names, sizes,
    modification times) on two consecutive polls; a file that comes back before that changes
    nothing. `/reload` is an operator's explicit word and applies at once. Either way a session
    missing from the data is never announced as cancelled (`bot.core.plan.changes`): that takes
    `cancelled = true` in the file.
    """

    def __init__(
        self,
        directory: Path,
        catalogs: CatalogHolder,
        on_swap: Callable[[], Awaitable[object]],
        *,
        poll_seconds: float = 0.5,
    ) -> None:
        self._directory = directory
        self._catalogs = catalogs
        self._on_swap = on_swap
        self._poll_seconds = poll_seconds
        # Told after a reload applied here, not after one heard of: other processes reading
        # the same (shared) folder reload too (bot.store.coordination's RELOADED).
        self.on_reloaded: Callable[[], Awaitable[None]] | None = None
        self._signature = folder_signature(directory)
        self._unsettled: Signature | None = None  # a removal seen once, waiting for a second look
        self._lock = asyncio.Lock()
        self.last_result: ReloadResult | None = None

    async def reload(self, *, tell_others: bool = True) -> ReloadResult:
        """Re-read the folder now and apply it (`/reload`, and a settled change)."""
        async with self._lock:
            self._signature = folder_signature(self._directory)
            self._unsettled = None
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
            if any(change.startswith("removed ") for change in changes):
                log.warning(
                    "sessions left the schedules: nothing is posted for them; to tell fans a "
                    "session is called off, keep it in its file with cancelled = true"
                )
            self.last_result = ReloadResult(ok=True, changes=changes)
        await self._on_swap()
        if tell_others and self.on_reloaded is not None:
            await self.on_reloaded()
        return self.last_result

    async def reload_if_changed(self) -> ReloadResult | None:
        """Another process reloaded the shared folder: reload too, unless this process has
        already seen the folder as it is (its own watch got there first)."""
        if folder_signature(self._directory) == self._signature:
            return None
        return await self.reload(tell_others=False)  # heard of: not told on again

    async def poll(self) -> ReloadResult | None:
        """One look at the folder (the watch's step); the result when a change was applied."""
        signature = folder_signature(self._directory)
        if signature == self._signature:
            if self._unsettled is not None:
                log.info("schedules: the files are back as they were; nothing changed")
            self._unsettled = None
            return None
        if signature == self._unsettled or not await self._takes_away(signature):
            return await self.reload()
        if self._unsettled is None:
            log.warning(
                "schedules: files or sessions disappeared; waiting for the folder to settle "
                "before applying it"
            )
        self._unsettled = signature
        return None

    async def _takes_away(self, signature: Signature) -> bool:
        """Whether the folder as it is now removes a file, a session or an event, or cancels a
        session: the changes that tell fans something is off, which a half-written file
        must not."""
        if {entry[0] for entry in self._signature} - {entry[0] for entry in signature}:
            return True
        catalog, problems = await asyncio.to_thread(check_directory, self._directory)
        if catalog is None or problems:
            return False  # refused as a whole by reload(), which keeps the last good data
        current = self._catalogs.current
        newly_cancelled = any(
            session.cancelled and not current.sessions[session_id].cancelled
            for session_id, session in catalog.sessions.items()
            if session_id in current.sessions
        )
        return bool(
            newly_cancelled
            or current.sessions.keys() - catalog.sessions.keys()
            or current.events.keys() - catalog.events.keys()
        )

    async def watch(self) -> None:
        """Poll for changes until cancelled; a reload failure is logged, never raised."""
        while True:
            await asyncio.sleep(self._poll_seconds)
            try:
                await self.poll()
            except Exception:
                log.exception("reloading the schedules failed; keeping the last good ones")
