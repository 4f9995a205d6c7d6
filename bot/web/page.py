"""The public page: `/` lists the series, `/s/SERIES` and `/s/SERIES/EVENT` show the timetable
(times converted to the visitor's zone in the browser), the links, the latest results and the
standings as of the injected clock's now, and the calendar and "Follow" buttons.

Server-rendered with jinja2 (templates in `bot/web/templates/`, shipped as package data). A
rendered page is kept per catalog, path and cut (how many sessions have finished by now, see
`page_view.counted`): between two session ends every request is served from memory, with an
ETag so a revalidating browser gets a 304.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
from aiohttp import web

from bot.config import Config
from bot.core.catalog import Catalog
from bot.core.i18n import DEFAULT_LANGUAGE, _, current_language, ngettext, use_language
from bot.feeds.links import series_path
from bot.feeds.links import webcal as feed_webcal
from bot.web import page_view
from bot.web.conditional import etag_of, not_modified
from bot.web.context import WebContext
from bot.web.language import request_language

# Pages kept: every series page and event page across a few cuts, for a replay's sake.
CACHE_SIZE = 256


@dataclass(frozen=True)
class Rendered:
    status: int
    body: bytes
    etag: str


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    # The catalogs' own functions: they read the language the page is rendered in (set around
    # each render), so one environment serves every language. Old-style: the templates call
    # _("… {name} …").format(name=…), the placeholders every other message uses.
    env.install_gettext_callables(_, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.globals["page_language"] = current_language
    return env


def telegram_target(config: Config) -> str | None:
    """`web.telegram_url`, else the first public "@channel" the bot posts to."""
    if config.web.telegram_url:
        return config.web.telegram_url
    for channel in config.telegram.channels:
        if isinstance(channel, str) and channel.startswith("@"):
            return f"https://t.me/{channel[1:]}"
    return None


def buttons(context: WebContext, series_id: str) -> page_view.Buttons:
    https = context.link(series_path(series_id))  # bot.web.calendar serves it
    webcal = feed_webcal(https)
    discord = context.config.web.discord_url or None
    return page_view.Buttons(https, webcal, telegram_target(context.config), discord)


class Pages:
    """Renders the pages for one server, and keeps what it rendered (see the module's doc)."""

    def __init__(self, context: WebContext) -> None:
        self.context = context
        self._kept: OrderedDict[tuple[Any, ...], tuple[Catalog, Rendered]] = OrderedDict()

    def page(
        self,
        series_id: str | None,
        event_slug: str | None = None,
        language: str = DEFAULT_LANGUAGE,
    ) -> Rendered:
        catalog = self.context.catalogs.current
        now = self.context.clock.now()
        key = (
            id(catalog),
            series_id,
            event_slug,
            language,  # the same page in another language is another page
            page_view.counted(catalog, now),
            self.context.base_url,
        )
        kept = self._kept.get(key)
        # The catalog is kept with the page: an id is reused only once its catalog is gone.
        if kept is not None and kept[0] is catalog:
            self._kept.move_to_end(key)
            return kept[1]
        with use_language(language):
            rendered = self._render(catalog, series_id, event_slug)
        self._kept[key] = (catalog, rendered)
        if len(self._kept) > CACHE_SIZE:
            self._kept.popitem(last=False)
        return rendered

    def _render(self, catalog: Catalog, series_id: str | None, event_slug: str | None) -> Rendered:
        context, now = self.context, self.context.clock.now()
        home = context.link("/")
        if series_id is None:
            entries = page_view.index_entries(catalog, context.link)
            return _rendered(200, "index.html", home=home, entries=entries)
        series = catalog.series.get(series_id)
        if series is None:
            return not_found(home, _("There is no series “{id}”.").format(id=series_id))
        series_url = context.link(f"/s/{series.id}")
        if event_slug is None:
            view = page_view.series_view(catalog, series, now)
            title = view.name
        else:
            event = catalog.events.get(f"{series.id}/{event_slug}")
            if event is None:
                return not_found(
                    home,
                    _("{series} has no event “{slug}”.").format(
                        series=f"{series.name} {series.season}", slug=event_slug
                    ),
                )
            view = page_view.event_page_view(catalog, event, now)
            title = f"{event.name} · {view.name}"
        return _rendered(
            200,
            "series.html",
            home=home,
            title=title,
            page=view,
            event_page=event_slug is not None,
            series_url=series_url,
            buttons=buttons(context, series.id),
        )


def not_found(home: str, message: str) -> Rendered:
    return _rendered(404, "not_found.html", home=home, message=message)


def _rendered(status: int, template: str, **values: Any) -> Rendered:
    body = environment().get_template(template).render(**values).encode("utf-8")
    return Rendered(status, body, etag_of(body))


def respond(request: web.Request, rendered: Rendered, language: str) -> web.Response:
    # i18n: not user text (HTTP headers)
    headers = {
        "ETag": rendered.etag,  # i18n: not user text (a header)
        "Cache-Control": "no-cache",
        "Content-Language": language,
        # A shared cache must not hand a Swedish page to a German browser.
        "Vary": "Accept-Language",  # i18n: not user text
    }
    if rendered.status == 200 and not_modified(request, rendered.etag):
        return web.Response(status=304, headers=headers)
    return web.Response(
        status=rendered.status,
        body=rendered.body,
        content_type="text/html",
        charset="utf-8",
        headers=headers,
    )


def routes(context: WebContext) -> list[web.RouteDef]:
    pages = Pages(context)

    async def index(request: web.Request) -> web.Response:
        language = request_language(request)
        return respond(request, pages.page(None, language=language), language)

    async def series(request: web.Request) -> web.Response:
        language = request_language(request)
        page = pages.page(request.match_info["series"], language=language)
        return respond(request, page, language)

    async def event(request: web.Request) -> web.Response:
        info, language = request.match_info, request_language(request)
        return respond(request, pages.page(info["series"], info["event"], language), language)

    return [
        web.get("/", index),
        web.get("/s/{series}", series),
        web.get("/s/{series}/{event}", event),
    ]
