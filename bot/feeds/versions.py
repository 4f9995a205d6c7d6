"""Each session's version in the feeds: a SEQUENCE that bumps, and a LAST-MODIFIED that moves,
when the session moves (or is cancelled, or its length changes), so that a calendar app updates
the item it has instead of adding a second one.

The last state seen of every session is kept in the store (one kept value, written only when
something changed), so a restart neither bumps an unchanged session nor forgets a move. The
state is brought up to date once per catalog: a reload swaps in a new catalog object, and the
first feed built from it compares. Sessions that leave the catalog keep their state, so one
coming back (a file saved half-way) is compared with what subscribers last saw.

Several processes sharing one database may both compare a new catalog: the last writer wins,
and a bump may then be counted once instead of twice, which calendar apps do not mind.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.core.catalog import Catalog
from bot.core.clock import Clock
from bot.core.model import Session
from bot.store.protocol import Store

log = logging.getLogger("pitboard.feeds")

STATE_KEY = "calendar:session-versions"


@dataclass(frozen=True)
class Version:
    seen: str  # what was seen of the session: `fingerprint`
    sequence: int
    modified: datetime  # when the change was first seen (the clock's now then)


def fingerprint(session: Session) -> str:
    """What a subscriber's calendar shows of the session's time: its start instant (a change
    in the zone's rules moves it too), or its day while TBA; its length; cancelled or not."""
    start = session.start_utc
    # i18n: not user text (a fingerprint's part)
    when = start.isoformat() if start is not None else f"{session.day.isoformat()} TBA"
    length = int(session.duration.total_seconds()) if session.duration else 0
    return f"{when}|{length}|{'cancelled' if session.cancelled else 'on'}"


def compare(
    known: Mapping[str, Version], catalog: Catalog, now: datetime
) -> tuple[dict[str, Version], bool]:
    """Every session's version now, and whether anything differs from `known`."""
    versions = dict(known)
    changed = False
    for session in catalog.sessions.values():
        seen = fingerprint(session)
        before = versions.get(session.id)
        if before is None:
            versions[session.id] = Version(seen, 0, now)
        elif before.seen != seen:
            versions[session.id] = Version(seen, before.sequence + 1, now)
        else:
            continue
        changed = True
    return versions, changed


class SessionVersions:
    """The versions for the current catalog, compared with the store's once per catalog."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._lock = asyncio.Lock()
        self._catalog: Catalog | None = None
        self._versions: Mapping[str, Version] = {}

    async def of(self, catalog: Catalog) -> Mapping[str, Version]:
        if catalog is self._catalog:
            return self._versions
        async with self._lock:
            if catalog is not self._catalog:
                known = decode(await self._store.get_value(STATE_KEY))
                versions, changed = compare(known, catalog, self._clock.now())
                if changed:
                    await self._store.set_value(STATE_KEY, encode(versions))
                self._catalog, self._versions = catalog, versions
        return self._versions


def encode(versions: Mapping[str, Version]) -> str:
    return json.dumps(
        {key: [v.seen, v.sequence, v.modified.isoformat()] for key, v in sorted(versions.items())},
        separators=(",", ":"),
    )


def decode(raw: str | None) -> dict[str, Version]:
    """The kept state; an unreadable one (hand-edited, say) starts afresh, logged."""
    if not raw:
        return {}
    try:
        return {
            key: Version(str(seen), int(sequence), datetime.fromisoformat(modified))
            for key, (seen, sequence, modified) in json.loads(raw).items()
        }
    except (ValueError, TypeError, AttributeError):
        log.warning("the kept calendar versions are unreadable; starting afresh")
        return {}
