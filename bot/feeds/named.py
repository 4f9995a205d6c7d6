"""One series' or driver's feed, named the way a fan types it (`pitboard calendar tcr germany`).

Without a store there is no history of moves: every session is at SEQUENCE 0, stamped with
`stamp` (the command line's clock: `--at` makes the file reproducible, as the README's is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.reply import Reply
from bot.core.service import Service
from bot.feeds.ics import build_feed
from bot.feeds.select import feed_name, feed_sessions


@dataclass(frozen=True)
class NamedFeed:
    name: str
    sessions: int
    body: bytes


def named_feed(service: Service, what: str, stamp: datetime) -> NamedFeed | Reply:
    """The feed, or the reply that asks which series or driver was meant."""
    found = service.find_series_or_driver(what, "calendar")
    if isinstance(found, Reply):
        return found
    kind, item = found
    catalog = service.catalog
    sessions = feed_sessions(catalog, kind, item)
    name = feed_name(catalog, kind, item)
    body = build_feed(catalog, sessions, name=name, versions={}, stamp=stamp)
    return NamedFeed(name, len(sessions), body)
