"""Standings charts made once: per catalog, per cut of sessions counted and highlighted drivers.

A chart is kept in the catalog's own memo (`Catalog.derived`), keyed by what it shows: the
sessions counted and the drivers highlighted. Every fan asking between two sessions gets the
same bytes; a new result (another session counted) or a reload (another catalog) draws anew,
and the old drawings go with the old catalog.

Drawing takes a few hundred milliseconds of CPU: `chart_async` draws in a worker thread so
that the bot keeps answering meanwhile, one drawing at a time (matplotlib's font cache and
text layout are shared by every figure of the process).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

from bot.charts.draw import draw_png
from bot.core.catalog import Catalog
from bot.core.i18n import current_language
from bot.core.progression import Progression

__all__ = ["Chart", "ChartMaker", "chart_filename"]


@dataclass(frozen=True)
class Chart:
    png: bytes
    filename: str


def chart_filename(progression: Progression) -> str:
    return f"standings-{progression.series_id}.png"


class ChartMaker:
    def __init__(self) -> None:
        self._drawing = threading.Lock()
        self.drawn = 0  # drawings actually made (the rest came from the memo): for tests, bench

    def chart(self, catalog: Catalog, progression: Progression) -> Chart:
        """The chart for `progression` (made from `catalog`), drawn at most once per catalog."""
        # Its labels are in the asker's language: one drawing per language.
        key = ("standings-chart", current_language(), progression.key)
        # One at a time: two chats asking at once for a chart not drawn yet get one drawing.
        with self._drawing:
            return catalog.derived(key, lambda: self._draw(progression))

    async def chart_async(self, catalog: Catalog, progression: Progression) -> Chart:
        """`chart`, with a drawing (when one is needed) made in a worker thread."""
        return await asyncio.to_thread(self.chart, catalog, progression)

    def _draw(self, progression: Progression) -> Chart:
        chart = Chart(draw_png(progression), chart_filename(progression))
        self.drawn += 1
        return chart
