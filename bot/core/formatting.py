"""Text formatting shared by every front-end: ordinals, countdowns, times in a zone, points,
monospace widths."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from fractions import Fraction

from bot.core.model import zone_info
from bot.core.reply import Moment, MomentStyle


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def format_points(points: Fraction | int) -> str:
    """25 -> "25"; a dead heat's shared 17.5 -> "17.5"."""
    # An int and a Fraction both have a numerator and a denominator: no conversion (a Fraction
    # built from a Fraction costs a slow type check, once per line of every table shown).
    if points.denominator == 1:
        return str(points.numerator)
    return f"{points.numerator / points.denominator:.2f}".rstrip("0").rstrip(".")


def format_countdown(delta: timedelta) -> str:
    """A short human countdown: "in 2 d 3 h", "in 45 min", "now", "3 h ago"."""
    # To the nearest minute: a reminder composed a moment after it was due says "60 min",
    # not "59 min".
    seconds = round(delta.total_seconds() / 60) * 60
    if abs(seconds) < 60:
        return "now"
    span = _span(abs(seconds))
    return f"in {span}" if seconds > 0 else f"{span} ago"


def _span(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def format_duration(delta: timedelta) -> str:
    return _span(int(delta.total_seconds()))


def in_zone(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(zone_info(zone))


def format_moment(moment: Moment) -> str:
    local = in_zone(moment.at, moment.zone)
    abbreviation = local.tzname() or moment.zone
    if moment.style is MomentStyle.TIME:
        return f"{local:%H:%M} {abbreviation}"
    if moment.style is MomentStyle.DATE:
        return f"{local:%a} {local.day} {local:%b}"
    if moment.style is MomentStyle.RELATIVE:
        if moment.reference is None:
            return f"{local:%a} {local.day} {local:%b} {local:%H:%M} {abbreviation}"
        return format_countdown(moment.at - moment.reference)
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M} {abbreviation}"


ELLIPSIS = "…"


def display_width(value: str) -> int:
    """Monospace cells `value` takes: wide East Asian characters count 2, combining marks and
    format characters (zero-width space) 0. For aligning table columns."""
    if value.isascii():
        return len(value)
    width = 0
    for char in value:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def truncate(value: str, width: int) -> str:
    """`value` cut to at most `width` cells, ending in "…" when something was cut."""
    if display_width(value) <= width:
        return value
    budget = width - display_width(ELLIPSIS)
    kept: list[str] = []
    used = 0
    for char in value:
        cells = display_width(char)
        if used + cells > budget:
            break
        kept.append(char)
        used += cells
    return "".join(kept) + ELLIPSIS


def count(number: int, singular: str, plural: str | None = None) -> str:
    """'1 chat', '0 chats', '3 series' (`plural` for words not made plural with an s)."""
    word = singular if number == 1 else (plural or singular + "s")
    return f"{number} {word}"
