"""Time zones as fans type them: an IANA name or a city ("stockholm", "new york")."""

from __future__ import annotations

import difflib
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.names import normalize


@cache
def _zones_by_key() -> dict[str, str]:
    """Normalised IANA name and normalised city -> IANA name."""
    keys: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        if zone.startswith(("Etc/", "SystemV/")) or "/" not in zone:
            continue
        keys.setdefault(normalize(zone), zone)
        keys.setdefault(normalize(zone.rsplit("/", 1)[1]), zone)
    # i18n: not user text (a zone id)
    for zone in ("UTC",):
        keys[normalize(zone)] = zone
    return keys


def is_valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def find_zone(text: str) -> tuple[str | None, tuple[str, ...]]:
    """The zone `text` names, else (None, nearest suggestions)."""
    cleaned = text.strip()
    if cleaned and "/" in cleaned and is_valid_zone(cleaned):
        return cleaned, ()
    keys = _zones_by_key()
    wanted = normalize(cleaned)
    if wanted in keys:
        return keys[wanted], ()
    close = difflib.get_close_matches(wanted, list(keys), n=3, cutoff=0.7)
    return None, tuple(dict.fromkeys(keys[k] for k in close))
