"""`pitboard chart SERIES -o FILE.png`: the standings chart written to a file.

The progression is the core's, true at the clock's now (`--at` moves it); `bot.charts` draws
it. The reply printed is the chart's caption and where the file went; `--json` prints the
data series drawn (`chart_data`).
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.charts import ChartMaker
from bot.core import lookup
from bot.core.progression import Progression, chart_caption
from bot.core.reply import Reply, ReplyStatus, paragraph, problem
from bot.core.service import Service

__all__ = ["add_chart_parser", "chart_command", "chart_data"]


def add_chart_parser(commands: Any) -> None:
    chart = commands.add_parser("chart", help="the championship as a PNG chart, round by round")
    chart.add_argument("series", nargs="+")
    chart.add_argument(
        "-o",
        "--output",
        type=Path,
        help="the PNG file to write (default: standings-SERIES.png here)",
    )
    chart.add_argument(
        "--driver",
        action="append",
        default=[],
        help="highlight this driver, as a chat following them sees it (may be repeated)",
    )


async def chart_command(service: Service, args: argparse.Namespace) -> Reply:
    highlight = []
    for name in args.driver:
        driver = lookup.lookup(
            name,
            lookup.driver_candidates(service.catalog),
            what="driver",
            command=lambda cid: f"pitboard chart SERIES --driver {cid}",
        )
        if isinstance(driver, Reply):
            return driver
        highlight.append(driver)
    found = await service.chart(" ".join(args.series), highlight=highlight)
    if isinstance(found, Reply):
        return found
    catalog, progression = found
    chart = await ChartMaker().chart_async(catalog, progression)
    path: Path = args.output or Path(chart.filename)
    try:
        await asyncio.to_thread(path.write_bytes, chart.png)
    except OSError as error:
        return problem(ReplyStatus.INVALID, f"Cannot write the chart to {path}: {error.strerror}.")
    args.chart_written = path  # for --json
    caption = chart_caption(progression)
    return replace(caption, blocks=(*caption.blocks, paragraph(f"Chart written to {path}")))


def chart_data(progression: Progression, written: Path | None) -> dict[str, Any]:
    """The data series drawn: one label per step, each driver's points per step (null where
    that step's table does not say)."""
    return {
        "series": progression.series_id,
        "heading": progression.heading,
        "file": str(written) if written else None,
        "steps": [step.label for step in progression.steps],
        "drivers": [
            {
                "id": driver.driver_id,
                "name": driver.label,
                "position": driver.position,
                "highlighted": driver.highlighted,
                "points": [None if p is None else float(p) for p in driver.points],
            }
            for driver in progression.drivers
        ],
    }
