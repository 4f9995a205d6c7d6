"""Where the feeds are, and the /calendar reply that hands out their links.

`/calendar` gives the chat's own feed (what it follows, with its filters) and the feed of each
series and driver it follows; `/calendar SERIES` (or a driver) gives that one's. Each as a
`webcal://` link (calendar apps subscribe to it) and an `https://` one (Google Calendar's
"From URL", a browser). When the web server is off there are no feeds: the operator is told how
to turn it on, a fan that feeds are not offered here.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from bot.core.audience import ChatRef
from bot.core.catalog import Catalog
from bot.core.i18n import N_, _
from bot.core.reply import (
    Line,
    LinkText,
    Paragraph,
    Reply,
    ReplyStatus,
    Style,
    bold,
    line,
    paragraph,
    problem,
    text,
)
from bot.core.service import Service
from bot.feeds.tokens import chat_token
from bot.store.protocol import Store

# Translated where shown: _(NOT_OFFERED).
NOT_OFFERED = N_("Calendar feeds are not offered on this bot.")
HOW_TO_TURN_ON = N_(
    "Calendar feeds need Pitboard's web server, which is off: set enabled = true in the [web] "
    "section of config.toml, and public_url to the address fans reach it at (see "
    "docs/OPERATIONS.md, “Calendar feeds”), then restart."
)


def series_path(series_id: str) -> str:
    return f"/calendar/{quote(series_id, safe='')}.ics"


def driver_path(driver_id: str) -> str:
    return f"/calendar/driver/{quote(driver_id, safe='')}.ics"


def chat_path(token: str) -> str:
    return f"/calendar/chat/{token}.ics"


def webcal(url: str) -> str:
    """The same feed for a calendar app: webcal:// in place of http(s)://."""
    return "webcal://" + url.split("://", 1)[1]


class CalendarLinks:
    """Answers /calendar. `base_url()` is where the web server's links point (its public URL),
    or None while no web server runs."""

    def __init__(self, store: Store, service: Service, base_url: Callable[[], str | None]) -> None:
        self._store = store
        self._service = service
        self._base_url = base_url

    async def reply(self, ref: ChatRef, what: str | None, *, operator: bool) -> Reply:
        base = self._base_url()
        if base is None:
            return problem(ReplyStatus.EMPTY, _(HOW_TO_TURN_ON if operator else NOT_OFFERED))
        catalog = self._service.catalog
        if what:
            found = self._service.find_series_or_driver(what, "calendar")
            if isinstance(found, Reply):
                return found
            kind, item = found
            return Reply(
                title=_("Calendar: {name}").format(name=_name(catalog, kind, item)),
                blocks=(_feed(base, _path(kind, item), None), _how_to()),
            )
        token = await chat_token(self._store, ref)
        subscription = await self._store.get_subscription(ref)
        blocks = [
            _feed(
                base,
                chat_path(token),
                _(
                    "This chat's calendar: what it follows, with its filters. Keep the link to "
                    "yourselves: anyone with it sees what this chat follows."
                ),
            )
        ]
        followed = (
            []
            if subscription is None
            else [
                *(("series", s) for s in sorted(subscription.series) if s in catalog.series),
                *(("driver", d) for d in sorted(subscription.drivers) if d in catalog.drivers),
            ]
        )
        for kind, item in followed:
            name = _name(catalog, kind, item)
            blocks.append(_feed(base, _path(kind, item), name, heading_bold=True))
        if not followed:
            blocks.append(
                paragraph(
                    _(
                        "This chat follows nothing yet, so its calendar is empty: /subscribe to a "
                        "series or a driver, or ask for one's calendar, e.g. /calendar {series}."
                        # i18n: not user text (the command's argument, as /help writes it)
                    ).format(series=next(iter(sorted(catalog.series)), "SERIES"))
                )
            )
        blocks.append(_how_to())
        return Reply(title=_("Calendar feeds"), blocks=tuple(blocks))


def _path(kind: str, item: str) -> str:
    return series_path(item) if kind == "series" else driver_path(item)


def _name(catalog: Catalog, kind: str, item: str) -> str:
    if kind == "series":
        return catalog.series[item].name
    return catalog.drivers[item].name


def _feed(base: str, path: str, heading: str | None, *, heading_bold: bool = False) -> Paragraph:
    url = base + path
    lines: list[Line] = []
    if heading:
        lines.append(line(bold(heading) if heading_bold else text(heading)))
    lines.append(line(_("Subscribe:") + " ", text(webcal(url), Style.CODE)))
    lines.append(line(_("Web:") + " ", LinkText(url, url)))
    return Paragraph(tuple(lines))


def _how_to() -> Paragraph:
    return paragraph(
        _(
            "Open the webcal link on your phone or computer to subscribe in your calendar app; "
            "in Google Calendar, add the web link under Other calendars → From URL. Times update "
            "when a session moves."
        )
    )
