"""How a chat's follows read: "This chat follows: …", the offer of what to follow next.

Shared by /subscribe and /unsubscribe (`bot.chats.settings`).
"""

from __future__ import annotations

from bot.core.audience import Chat, Subscription
from bot.core.catalog import Catalog
from bot.core.i18n import N_, _, and_list
from bot.core.lookup import ALL_SESSIONS, MAX_CHOICES
from bot.core.model import SessionKind
from bot.core.reply import Choice, Reply, ReplyStatus, bold, line, paragraph

# The words a fan types after /subscribe (and that buttons repeat): keywords, never translated.
KIND_NAMES = {
    SessionKind.PRACTICE: "practice",
    SessionKind.QUALIFYING: "qualifying",
    SessionKind.RACE: "races",
    SessionKind.WARMUP: "warm-ups",
    SessionKind.OTHER: "other sessions",  # i18n: not user text (typed words; see KIND_TEXT)
}
# The same kinds as a reader sees them, translated where shown.
KIND_TEXT = {
    SessionKind.PRACTICE: N_("practice"),
    SessionKind.QUALIFYING: N_("qualifying"),
    SessionKind.RACE: N_("races"),
    SessionKind.WARMUP: N_("warm-ups"),
    SessionKind.OTHER: N_("other sessions"),
}


def label(catalog: Catalog, kind: str, item: str) -> str:
    if kind == "series":
        series = catalog.series.get(item)
        return f"{series.short_name or series.name} {series.season}" if series else item
    driver = catalog.drivers.get(item)
    return driver.name if driver else item


def kinds_text(kinds: frozenset[SessionKind]) -> str:
    """'races and qualifying' (in the order of a weekend)."""
    return and_list([_(KIND_TEXT[kind]) for kind in SessionKind if kind in kinds])


def kinds_words(sub: Subscription) -> str:
    """The filter as words to repeat in an offered command: ' races qualifying'."""
    return "".join(f" {KIND_NAMES[kind]}" for kind in SessionKind if kind in sub.session_kinds)


def following(catalog: Catalog, sub: Subscription, chat: Chat, head: str) -> Reply:
    names = [label(catalog, "series", s) for s in sorted(sub.series)]
    names += [label(catalog, "driver", d) for d in sorted(sub.drivers)]
    lines = [line(head)]
    if names:
        lines.append(line(bold(_("This chat follows: ")), ", ".join(names)))
        if sub.session_kinds:
            only = _("{kinds} only (/subscribe {all} for every session)").format(
                kinds=kinds_text(sub.session_kinds), all=ALL_SESSIONS
            )
            lines.append(line(bold(_("Sessions: ")), only))
        reminders = _("Reminders: {minutes}; times in {zone}.").format(
            minutes=minutes_text(chat.reminder_minutes), zone=chat.zone
        )
        lines.append(line(reminders))
    else:
        lines.append(line(_("This chat follows nothing now.")))
    return Reply(title=None, blocks=(paragraph(*lines),))


def offer(
    catalog: Catalog, current: Subscription, command: str, question: str, suffix: str = ""
) -> Reply:
    choices = [
        Choice(label(catalog, "series", s.id), f"/{command} {s.id}{suffix}")
        for s in catalog.series.values()
        if s.id not in current.series
    ]
    choices += [
        Choice(d.name, f"/{command} {d.id}{suffix}")
        for d in sorted(catalog.drivers.values(), key=lambda d: d.name)
        if d.id not in current.drivers and catalog.entries_by_driver.get(d.id)
    ]
    shown = choices[:MAX_CHOICES]
    if len(choices) > len(shown):
        # Never a silent cut: say how many more and how to name one.
        more = _("And {count} more: /{command} NAME follows any series or driver.").format(
            count=len(choices) - len(shown), command=command
        )
        question = f"{question} {more}".strip()
    blocks = (paragraph(question),) if question else ()
    return Reply(title=None, blocks=blocks, choices=tuple(shown), status=ReplyStatus.AMBIGUOUS)


def minutes_text(minutes: tuple[int, ...]) -> str:
    if not minutes:
        return _("off")
    joined = and_list([str(m) for m in minutes])
    return _("{minutes} min before each session").format(minutes=joined)
