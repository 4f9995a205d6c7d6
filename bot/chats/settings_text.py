"""The small texts of /settings' menus: check marks, on/off, minutes, and reading minutes."""

from __future__ import annotations

from bot.core.i18n import _

__all__ = [
    "CHECK",
    "MAX_REMINDERS",
    "MAX_REMINDER_MINUTES",
    "mark",
    "minutes_short",
    "on_off",
    "parse_minutes",
]

MAX_REMINDERS = 5
MAX_REMINDER_MINUTES = 7 * 24 * 60
CHECK = "✓ "


def parse_minutes(value: str) -> tuple[int, ...] | str:
    """'60 15' -> (60, 15); 'off' -> (); otherwise the reason it is not valid."""
    text = value.replace(",", " ").strip().casefold()
    if text in {"off", "none", "0"}:
        return ()
    parts = text.split()
    if not all(part.isdigit() for part in parts):
        return _(
            "“{value}” is not a list of minutes: try /settings reminders 60 15, or off."
        ).format(value=value)
    minutes = sorted({int(part) for part in parts}, reverse=True)
    if len(minutes) > MAX_REMINDERS:
        return _("At most {count} reminders per session, please.").format(count=MAX_REMINDERS)
    if any(m < 1 or m > MAX_REMINDER_MINUTES for m in minutes):
        return _("Reminders go from 1 minute to {most} minutes (a week) before.").format(
            most=MAX_REMINDER_MINUTES
        )
    return tuple(minutes)


def mark(label: str, chosen: bool) -> str:
    """A menu option's label, with a check mark when it is the chat's current choice."""
    return CHECK + label if chosen else label


def on_off(value: bool) -> str:
    return _("on") if value else _("off")


def minutes_short(minutes: tuple[int, ...]) -> str:
    """'60, 15 min' or 'off': short enough for a button."""
    if not minutes:
        return _("off")
    return _("{minutes} min").format(minutes=", ".join(str(m) for m in minutes))
