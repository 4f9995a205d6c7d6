"""The calendar feeds over HTTP: `/calendar/SERIES.ics`, `/calendar/driver/DRIVER.ics` and
`/calendar/chat/TOKEN.ics` (what one chat follows; the token comes from /calendar in the chat).

Calendar apps poll a feed every few hours, for months: each answer carries an ETag (a hash of
the body), and a poll that sends it back in If-None-Match gets a bodiless 304. A series' or a
driver's feed is built once per catalog and kept until a reload swaps the catalog; a chat's
is built per request (its subscription may have changed), still answered 304 when unchanged.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping

from aiohttp import web

from bot.core.audience import ChatRef, Subscription
from bot.core.catalog import Catalog
from bot.core.i18n import DEFAULT_LANGUAGE, N_, _, language_from_tag, use_language
from bot.feeds.ics import build_feed
from bot.feeds.select import feed_name, feed_sessions, followed_sessions
from bot.feeds.tokens import chat_for_token
from bot.feeds.versions import SessionVersions, Version
from bot.web.conditional import etag_of, not_modified
from bot.web.context import WebContext

CONTENT_TYPE = "text/calendar"
# Clients may reuse a feed for five minutes before asking again (with If-None-Match).
CACHE_SECONDS = 300
CHAT_FEED_NAME = N_("Followed on Pitboard")  # translated in the feed's language


def feed_response(
    request: web.Request, body: bytes, filename: str, *, private: bool
) -> web.Response:
    etag = etag_of(body)
    scope = "private" if private else "public"
    # i18n: not user text (HTTP headers)
    headers = {"ETag": etag, "Cache-Control": f"{scope}, max-age={CACHE_SECONDS}"}
    if not_modified(request, etag):
        return web.Response(status=304, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{filename}"'  # i18n: not user text
    return web.Response(body=body, content_type=CONTENT_TYPE, charset="utf-8", headers=headers)


def not_found(message: str) -> web.Response:
    return web.Response(status=404, text=message + "\n", content_type="text/plain")


# A series' or a driver's feed, or a chat's by what it follows (chats with the same filters
# share one body).
FeedKey = tuple[str, str] | tuple[str, frozenset[str], frozenset[str], frozenset[str]]


class CatalogFeeds:
    """The feeds of the current catalog, each built on first request and kept until a reload
    swaps the catalog (the versions change only then, so a kept body stays true)."""

    def __init__(self, context: WebContext, versions: SessionVersions) -> None:
        self._context = context
        self._versions = versions
        self._catalog: Catalog | None = None
        self._built: dict[tuple[object, ...], bytes] = {}

    async def body(
        self, catalog: Catalog, kind: str, item: str, language: str = DEFAULT_LANGUAGE
    ) -> bytes:
        return await self._kept(
            catalog,
            (kind, item),
            language,
            lambda versions: build_feed(
                catalog,
                feed_sessions(catalog, kind, item),
                name=feed_name(catalog, kind, item),
                versions=versions,
                stamp=self._context.clock.now(),
            ),
        )

    async def chat_body(
        self,
        catalog: Catalog,
        subscription: Subscription | None,
        language: str = DEFAULT_LANGUAGE,
    ) -> bytes:
        follows = subscription or Subscription(ChatRef("", ""))
        key: FeedKey = (
            "chat",
            follows.series,
            follows.drivers,
            frozenset(kind.value for kind in follows.session_kinds),
        )
        return await self._kept(
            catalog,
            key,
            language,
            lambda versions: build_feed(
                catalog,
                followed_sessions(catalog, subscription),
                name=_(CHAT_FEED_NAME),
                versions=versions,
                stamp=self._context.clock.now(),
            ),
        )

    async def _kept(
        self,
        catalog: Catalog,
        key: FeedKey,
        language: str,
        build: Callable[[Mapping[str, Version]], bytes],
    ) -> bytes:
        """The feed for `key` in `language` (its texts: summaries, descriptions), built once."""
        versions = await self._versions.of(catalog)
        if catalog is not self._catalog:
            self._catalog, self._built = catalog, {}
        kept_as = (language, *key)
        body = self._built.get(kept_as)
        if body is None:
            with use_language(language):
                body = build(versions)
            self._built[kept_as] = body
        return body


def _asked_language(request: web.Request) -> str:
    """A public feed's language: `?lang=` (a calendar app sends no Accept-Language we could
    trust to be the subscriber's), else English."""
    return language_from_tag(request.query.get("lang"))


def _suggest(asked: str, known: list[str]) -> str:
    close = difflib.get_close_matches(asked, known, n=3, cutoff=0.5)
    if close:
        return _("Did you mean {names}?").format(names=_or_list(close))
    more = " …" if len(known) > 10 else ""
    return _("Known: {names}").format(names=", ".join(sorted(known)[:10]) + more)


def _or_list(items: list[str]) -> str:
    """'a or b or c', as it was; in Swedish and German with their own word."""
    return (" " + _("or") + " ").join(items)


def routes(context: WebContext) -> list[web.RouteDef]:
    versions = SessionVersions(context.store, context.clock)
    feeds = CatalogFeeds(context, versions)

    async def series_feed(request: web.Request) -> web.Response:
        catalog = context.catalogs.current
        series_id = request.match_info["series"]
        if series_id not in catalog.series:
            with use_language(_asked_language(request)):
                return not_found(
                    _(
                        "No series with the id “{id}”. A series' feed is at "
                        "/calendar/SERIES.ics. {suggestion}"
                    ).format(id=series_id, suggestion=_suggest(series_id, list(catalog.series)))
                )
        body = await feeds.body(catalog, "series", series_id, _asked_language(request))
        return feed_response(request, body, f"{series_id}.ics", private=False)

    async def driver_feed(request: web.Request) -> web.Response:
        catalog = context.catalogs.current
        driver_id = request.match_info["driver"]
        if driver_id not in catalog.drivers:
            with use_language(_asked_language(request)):
                return not_found(
                    _(
                        "No driver with the id “{id}”. A driver's feed is at "
                        "/calendar/driver/DRIVER.ics. {suggestion}"
                    ).format(id=driver_id, suggestion=_suggest(driver_id, list(catalog.drivers)))
                )
        body = await feeds.body(catalog, "driver", driver_id, _asked_language(request))
        return feed_response(request, body, f"{driver_id}.ics", private=False)

    async def chat_feed(request: web.Request) -> web.Response:
        ref = await chat_for_token(context.store, request.match_info["token"])
        if ref is None:
            with use_language(_asked_language(request)):
                return not_found(
                    _(
                        "This calendar link is not known here. Send /calendar in your chat to "
                        "get its current link."
                    )
                )
        catalog = context.catalogs.current
        # A chat's feed speaks the chat's language.
        chat = await context.store.get_chat(ref)
        language = chat.language if chat else DEFAULT_LANGUAGE
        subscription = await context.store.get_subscription(ref)
        body = await feeds.chat_body(catalog, subscription, language)
        return feed_response(request, body, "pitboard.ics", private=True)

    return [
        web.get("/calendar/driver/{driver}.ics", driver_feed),
        web.get("/calendar/chat/{token}.ics", chat_feed),
        web.get("/calendar/{series}.ics", series_feed),
    ]
