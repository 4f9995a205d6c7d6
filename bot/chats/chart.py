"""/chart in a chat: the core's progression drawn by `bot.charts`, the chat's drivers
highlighted, behind a spoiler in a spoiler-safe chat."""

from __future__ import annotations

from dataclasses import replace

from bot.charts import ChartMaker
from bot.core.audience import Chat
from bot.core.progression import alt_text, chart_caption
from bot.core.reply import Attachment, Reply
from bot.core.service import Service


async def chart_reply(
    service: Service, charts: ChartMaker, chat: Chat, series: str, followed: frozenset[str]
) -> Reply:
    found = await service.chart(series, highlight=followed)
    if isinstance(found, Reply):
        return found
    catalog, progression = found
    chart = await charts.chart_async(catalog, progression)
    caption = chart_caption(progression)
    image = Attachment(
        chart.png,
        chart.filename,
        spoiler=chat.spoiler_safe,
        description=alt_text(progression),
    )
    return replace(caption, attachment=image)
