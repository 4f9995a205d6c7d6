"""Results posts with the standings chart, for the chats that asked (`/settings chart on`).

A wrapper around the delivery engine's composer: the post is composed as always, and a race's
results post to such a chat gets the chart as it stood once that race was over (`through` the
session: the same cut as the standings in the post), the chat's followed drivers highlighted.
One drawing serves every chat that follows the same drivers (`ChartMaker` keeps it per
catalog).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from bot.charts.maker import ChartMaker
from bot.core.audience import Chat, ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.i18n import use_language
from bot.core.model import SessionKind
from bot.core.plan_types import AnnouncementKind
from bot.core.progression import alt_text, progression
from bot.core.reply import Attachment, Reply
from bot.delivery.sender import Composer
from bot.store.records import OutboxItem

__all__ = ["with_charts"]

log = logging.getLogger("pitboard.charts")

FollowedDrivers = Callable[[ChatRef], frozenset[str]]


def with_charts(
    compose: Composer, charts: ChartMaker, catalogs: CatalogHolder, followed: FollowedDrivers
) -> Composer:
    def composed(item: OutboxItem, chat: Chat) -> Reply | None:
        reply = compose(item, chat)
        if reply is None or not chat.chart_with_results:
            return reply
        if item.kind != AnnouncementKind.RESULTS.value:
            return reply
        try:
            # The chart's labels in the chat's language, like its post.
            with use_language(chat.language, chat.clock_24h):
                image = _race_chart(charts, catalogs, item.subject, chat, followed(chat.ref))
        except Exception:  # the post matters more than its picture
            log.exception("drawing the standings chart for %s failed", item.subject)
            return reply
        return reply if image is None else replace(reply, attachment=image)

    return composed


def _race_chart(
    charts: ChartMaker,
    catalogs: CatalogHolder,
    session_id: str,
    chat: Chat,
    highlight: frozenset[str],
) -> Attachment | None:
    catalog = catalogs.current
    session = catalog.sessions.get(session_id)
    if session is None or session.kind is not SessionKind.RACE or session.points_scale is None:
        return None
    drawn = progression(catalog, session.series_id, through=session.id, highlight=highlight)
    if drawn.empty:
        return None
    chart = charts.chart(catalog, drawn)
    return Attachment(
        chart.png,
        chart.filename,
        spoiler=chat.spoiler_safe,
        description=alt_text(drawn),
    )
