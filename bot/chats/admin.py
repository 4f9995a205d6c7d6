"""/status, /reload and /announce: what the bot's operators need, refused to everyone else."""

from __future__ import annotations

from typing import Protocol

from bot.chats.edits import audit_lines
from bot.chats.health import ChannelHealth
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock
from bot.core.i18n import N_, NP_, _, ngettext, pgettext
from bot.core.plan import Announcement, AnnouncementKind
from bot.core.reply import Line, Moment, Reply, ReplyStatus, bold, line, paragraph, problem
from bot.scheduling.reloader import ReloadResult
from bot.store.protocol import Store
from bot.store.records import DeliveryStatus

SHOWN = 5
# Each delivery state counted, as /status lists them.
DELIVERY_COUNTS = {
    DeliveryStatus.PENDING: N_("{n} pending"),
    DeliveryStatus.SENDING: N_("{n} sending"),
    DeliveryStatus.SENT: N_("{n} sent"),
    DeliveryStatus.FAILED: N_("{n} failed"),
    DeliveryStatus.SKIPPED: N_("{n} skipped"),
}
# What each planned announcement is, as /status lists them.
KIND_CONTEXT = "announcement kind"  # i18n: not user text (a gettext context)
KIND_LABELS = {
    AnnouncementKind.PREVIEW: NP_("announcement kind", "preview"),
    AnnouncementKind.REMINDER: NP_("announcement kind", "reminder"),
    AnnouncementKind.START: NP_("announcement kind", "start"),
    AnnouncementKind.RESULTS: NP_("announcement kind", "results"),
    AnnouncementKind.CHANGED: NP_("announcement kind", "changed"),
    AnnouncementKind.TOLD: NP_("announcement kind", "told"),
}


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
                bold(_("Chats: ")),
                _("{active} active ({subscribed} subscribed), {inactive} inactive").format(
                    active=active, subscribed=subscribed, inactive=everyone - active
                ),
            ),
            line(
                bold(_("Deliveries: ")),
                ", ".join(_(DELIVERY_COUNTS[s]).format(n=counts.get(s, 0)) for s in DeliveryStatus),
            ),
        ]
        pending = self._planner.pending()[:SHOWN]
        lines.append(
            line(bold(_("Next announcements:")), "" if pending else " " + _("none planned"))
        )
        catalog = self._catalogs.current
        for item in pending:
            session = catalog.sessions.get(item.subject)
            event = catalog.events.get(item.event_id)
            what = session.name if session else (event.name if event else item.subject)
            offset = (
                " " + _("{minutes} min").format(minutes=item.offset_minutes)
                if item.offset_minutes
                else ""
            )
            lines.append(
                line(
                    "• ",
                    Moment(item.due, zone),
                    f" — {pgettext(KIND_CONTEXT, KIND_LABELS[item.kind])}{offset}: {what}",
                )
            )
        errors = await self._store.recent_errors(SHOWN)
        lines.append(line(bold(_("Last delivery errors:")), "" if errors else " " + _("none")))
        if private:
            for error in errors:
                lines.append(line("• ", Moment(error.at, zone), f" {error.chat}: {error.error}"))
        elif errors:  # an error's text may quote a chat id too (a group's new id, say)
            recent = _("{n} recent (ask /status in private)").format(n=len(errors))
            lines.append(line(f"• {recent}"))
        await self._health.refresh()  # what the bot's other processes found, too
        problems = self._health.problems()
        lines.append(line(bold(_("Channels:")), "" if problems else " " + _("all fine")))
        if private:
            for channel, message in sorted(problems.items()):
                lines.append(line(f"• {channel}: {message}"))
        elif problems:
            troubled = _("{n} with problems (ask /status in private)").format(n=len(problems))
            lines.append(line(f"• {troubled}"))
        frontends = self._health.frontend_problems()
        lines.append(line(bold(_("Front-ends:")), "" if frontends else " " + _("all running")))
        for platform, message in sorted(frontends.items()):
            lines.append(line(f"• {platform}: {message}"))
        last = getattr(self._reloader, "last_result", None)
        if isinstance(last, ReloadResult) and not last.ok:
            lines.append(
                line(
                    bold(_("Schedules: ")),
                    ngettext(
                        "last reload kept the old data ({n} problem)",
                        "last reload kept the old data ({n} problems)",
                        len(last.problems),
                    ).format(n=len(last.problems)),
                )
            )
        edits = await self._store.recent_edits(SHOWN)
        lines.append(line(bold(_("Last edits:")), "" if edits else " " + _("none")))
        lines.extend(line("• ", *each) for each in audit_lines(edits, zone, private=private))
        return Reply(title=_("Pitboard status"), blocks=(paragraph(*lines),))

    async def reload(self) -> Reply:
        result = await self._reloader.reload()
        if not result.ok:
            shown = [line(str(p)) for p in result.problems[:20]]
            more = len(result.problems) - len(shown)
            if more > 0:
                shown.append(line(_("… and {n} more").format(n=more)))
            return Reply(
                title=_("Schedules not reloaded"),
                blocks=(
                    paragraph(_("The new files have problems; the bot keeps the last good data:")),
                    paragraph(*shown),
                ),
                status=ReplyStatus.INVALID,
            )
        changes = [line(f"• {c}") for c in result.changes] or [line(_("No changes."))]
        return Reply(title=_("Schedules reloaded"), blocks=(paragraph(*changes),))

    async def announce(self, text: str | None) -> Reply:
        if not text or not text.strip():
            return problem(ReplyStatus.INVALID, _("What should I announce? /announce TEXT"))
        sent_to = await self._planner.broadcast(text.strip())
        queued = ngettext(
            "Announcement queued for {n} chat.", "Announcement queued for {n} chats.", sent_to
        ).format(n=sent_to)
        return Reply(title=None, blocks=(paragraph(queued),))
