"""/status, /reload and /announce: what the bot's operators need, refused to everyone else."""

from __future__ import annotations

from typing import Protocol

from bot.chats.edits import audit_lines
from bot.chats.health import ChannelHealth
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock
from bot.core.formatting import count
from bot.core.plan import Announcement
from bot.core.reply import Line, Moment, Reply, ReplyStatus, bold, line, paragraph, problem
from bot.scheduling.reloader import ReloadResult
from bot.store.protocol import Store
from bot.store.records import DeliveryStatus

SHOWN = 5


class Planner(Protocol):
    def pending(self) -> list[Announcement]: ...

    async def broadcast(self, text: str) -> int: ...


class Reloading(Protocol):
    async def reload(self) -> ReloadResult: ...


class Admin:
    def __init__(
        self,
        store: Store,
        catalogs: CatalogHolder,
        clock: Clock,
        planner: Planner,
        reloader: Reloading,
        health: ChannelHealth,
    ) -> None:
        self._store = store
        self._catalogs = catalogs
        self._clock = clock
        self._planner = planner
        self._reloader = reloader
        self._health = health

    async def status(self, zone: str, *, private: bool = False) -> Reply:
        """The bot's state for its admins. Chat and channel ids (other fans' chats) are shown
        only when `private` (the admin's own private chat); in a group or channel the same
        report names how many, never which."""
        active = await self._store.count_chats(active_only=True)
        everyone = await self._store.count_chats(active_only=False)
        subscribed = len(await self._store.audience())
        counts = await self._store.delivery_counts()
        lines: list[Line] = [
            line(
                bold("Chats: "),
                f"{active} active ({subscribed} subscribed), {everyone - active} inactive",
            ),
            line(
                bold("Deliveries: "),
                ", ".join(f"{counts.get(s, 0)} {s.value}" for s in DeliveryStatus),
            ),
        ]
        pending = self._planner.pending()[:SHOWN]
        lines.append(line(bold("Next announcements:"), "" if pending else " none planned"))
        catalog = self._catalogs.current
        for item in pending:
            session = catalog.sessions.get(item.subject)
            event = catalog.events.get(item.event_id)
            what = session.name if session else (event.name if event else item.subject)
            offset = f" {item.offset_minutes} min" if item.offset_minutes else ""
            lines.append(
                line("• ", Moment(item.due, zone), f" — {item.kind.value}{offset}: {what}")
            )
        errors = await self._store.recent_errors(SHOWN)
        lines.append(line(bold("Last delivery errors:"), "" if errors else " none"))
        if private:
            for error in errors:
                lines.append(line("• ", Moment(error.at, zone), f" {error.chat}: {error.error}"))
        elif errors:  # an error's text may quote a chat id too (a group's new id, say)
            lines.append(line(f"• {len(errors)} recent (ask /status in private)"))
        problems = self._health.problems()
        lines.append(line(bold("Channels:"), "" if problems else " all fine"))
        if private:
            for channel, message in sorted(problems.items()):
                lines.append(line(f"• {channel}: {message}"))
        elif problems:
            lines.append(line(f"• {len(problems)} with problems (ask /status in private)"))
        frontends = self._health.frontend_problems()
        lines.append(line(bold("Front-ends:"), "" if frontends else " all running"))
        for platform, message in sorted(frontends.items()):
            lines.append(line(f"• {platform}: {message}"))
        last = getattr(self._reloader, "last_result", None)
        if isinstance(last, ReloadResult) and not last.ok:
            lines.append(
                line(
                    bold("Schedules: "),
                    f"last reload kept the old data ({count(len(last.problems), 'problem')})",
                )
            )
        edits = await self._store.recent_edits(SHOWN)
        lines.append(line(bold("Last edits:"), "" if edits else " none"))
        lines.extend(line("• ", *each) for each in audit_lines(edits, zone, private=private))
        return Reply(title="Pitboard status", blocks=(paragraph(*lines),))

    async def reload(self) -> Reply:
        result = await self._reloader.reload()
        if not result.ok:
            shown = [line(str(p)) for p in result.problems[:20]]
            more = len(result.problems) - len(shown)
            if more > 0:
                shown.append(line(f"… and {more} more"))
            return Reply(
                title="Schedules not reloaded",
                blocks=(
                    paragraph("The new files have problems; the bot keeps the last good data:"),
                    paragraph(*shown),
                ),
                status=ReplyStatus.INVALID,
            )
        changes = [line(f"• {c}") for c in result.changes] or [line("No changes.")]
        return Reply(title="Schedules reloaded", blocks=(paragraph(*changes),))

    async def announce(self, text: str | None) -> Reply:
        if not text or not text.strip():
            return problem(ReplyStatus.INVALID, "What should I announce? /announce TEXT")
        sent_to = await self._planner.broadcast(text.strip())
        return Reply(
            title=None, blocks=(paragraph(f"Announcement queued for {count(sent_to, 'chat')}."),)
        )
