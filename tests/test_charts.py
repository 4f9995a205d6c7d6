"""The standings chart as a PNG: valid, the size a phone reads well, drawn once per catalog."""

from __future__ import annotations

import asyncio
import io
import struct
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from bot.charts import ChartMaker
from bot.charts.draw import HEIGHT_PX, WIDTH_PX
from bot.core.catalog import Catalog
from bot.core.progression import progression
from bot.core.schedules import load_catalog

SCHEDULES = Path(__file__).resolve().parent.parent / "schedules"
SERIES = "tcr-germany-2022"
MONDAY_AFTER_RACE_2 = datetime.fromisoformat("2022-04-25T00:01+02:00")
SUNDAY_BEFORE_RACE_2 = datetime.fromisoformat("2022-04-24T12:00+02:00")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog(SCHEDULES)


def ihdr_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE, "not a PNG"
    assert png[12:16] == b"IHDR", "the first chunk of a PNG is its header"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_the_chart_is_a_valid_png_of_the_phone_friendly_size(catalog: Catalog) -> None:
    drawn = progression(catalog, SERIES, until=MONDAY_AFTER_RACE_2, highlight={"jessica-backman"})
    chart = ChartMaker().chart(catalog, drawn)
    assert ihdr_size(chart.png) == (WIDTH_PX, HEIGHT_PX) == (1200, 800)
    with Image.open(io.BytesIO(chart.png)) as image:
        image.verify()  # every chunk's CRC, the image data complete
    with Image.open(io.BytesIO(chart.png)) as image:
        assert (image.format, image.size) == ("PNG", (1200, 800))
        # Something is drawn: far from a blank page.
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert len(colours) > 50
    assert chart.filename == "standings-tcr-germany-2022.png"


def test_a_chart_is_drawn_once_per_catalog_and_cut(catalog: Catalog) -> None:
    maker = ChartMaker()
    after = progression(catalog, SERIES, until=MONDAY_AFTER_RACE_2)
    first = maker.chart(catalog, after)
    assert maker.chart(catalog, after) is first
    assert maker.drawn == 1
    # Another cut of sessions counted, or other drivers highlighted: another drawing.
    maker.chart(catalog, progression(catalog, SERIES, until=SUNDAY_BEFORE_RACE_2))
    highlighted = progression(
        catalog, SERIES, until=MONDAY_AFTER_RACE_2, highlight={"jessica-backman"}
    )
    maker.chart(catalog, highlighted)
    assert maker.drawn == 3
    # A reload is a new catalog: drawn anew, whatever the cut.
    reloaded = load_catalog(SCHEDULES)
    again = maker.chart(reloaded, progression(reloaded, SERIES, until=MONDAY_AFTER_RACE_2))
    assert again is not first and maker.drawn == 4


async def test_charts_asked_at_once_are_drawn_once(catalog: Catalog) -> None:
    maker = ChartMaker()
    drawn = progression(catalog, SERIES, until=MONDAY_AFTER_RACE_2)
    charts = await asyncio.gather(*(maker.chart_async(catalog, drawn) for _ in range(4)))
    assert maker.drawn == 1
    assert all(chart is charts[0] for chart in charts)


def test_the_docs_chart_is_one_the_bundled_data_makes() -> None:
    # docs/images/standings-chart.png, for the README: made with
    # pitboard --at 2022-04-25T12:00+02:00 chart tcr-germany-2022 --driver jessica -o …
    png = (SCHEDULES.parent / "docs" / "images" / "standings-chart.png").read_bytes()
    assert ihdr_size(png) == (1200, 800)


def test_a_chart_is_kept_per_language(catalog: Catalog) -> None:
    """Its labels are in the asker's language: a Swedish chat never gets the German drawing."""
    from bot.core.i18n import use_language

    maker = ChartMaker()
    after = progression(catalog, SERIES, until=MONDAY_AFTER_RACE_2)
    with use_language("sv"):
        swedish = maker.chart(catalog, after)
    with use_language("de"):
        german = maker.chart(catalog, after)
    assert german is not swedish and maker.drawn == 2
    with use_language("sv"):
        assert maker.chart(catalog, after) is swedish
    assert maker.drawn == 2
