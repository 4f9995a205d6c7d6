"""Chart benchmark: how long a standings chart takes to draw, and to serve once drawn.

Figures, each against a baseline measured in the same run on the same machine:

- first: the first chart of the process (matplotlib's import and font set-up included), once;
- cold: a chart not drawn yet (the progression worked out and the PNG drawn), on a catalog
  whose memo is fresh, for the bundled 2022 TCR Germany data after Race 2 and for a generated
  season of 10 rounds and 40 cars;
- cached: the same chart asked again (what every later fan asking between two sessions costs);
- baseline: an empty matplotlib figure of the same size and settings saved as PNG: the floor
  any PNG of that size costs, so cold / baseline is what the drawing itself adds.

Prints a table, then ONE final line holding a JSON object with every figure.
Run: `python -m bench.chart [--quick]` from the repository root.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench._catalog_gen import Shape, generate
from bot.charts import ChartMaker
from bot.charts.draw import HEIGHT_PX, WIDTH_PX, blank_png
from bot.core.catalog import Catalog
from bot.core.progression import progression
from bot.core.schedules import load_catalog

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_SERIES = "tcr-germany-2022"
AFTER_RACE_2 = datetime.fromisoformat("2022-04-25T00:01+02:00")
HIGHLIGHT = frozenset({"jessica-backman"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (CI smoke)")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 10
    figures: dict[str, Any] = {"chart_size_px": [WIDTH_PX, HEIGHT_PX], "chart_repeats": repeats}

    bundled = [load_catalog(ROOT / "schedules") for _ in range(repeats + 1)]
    started = time.perf_counter()
    first = ChartMaker().chart(bundled[0], _bundled(bundled[0]))
    figures["chart_first_ms"] = _ms(time.perf_counter() - started)
    figures["chart_png_bytes"] = len(first.png)

    figures["chart_baseline_blank_ms"] = _ms(_median(blank_png, repeats))
    figures["chart_bundled_cold_ms"] = _ms(_cold(bundled[1:], _bundled))
    figures["chart_bundled_cached_ms"] = _ms(_cached(bundled[0], _bundled), 4)

    with tempfile.TemporaryDirectory() as folder:
        made = generate(Path(folder), Shape(series=1, events=10, entries=40))
        season = [load_catalog(made.directory) for _ in range(repeats)]
        series_id = made.series_ids[0]
        after = datetime.combine(made.last_day + timedelta(days=2), datetime.min.time(), UTC)

        def season_chart(catalog: Catalog) -> Any:
            return progression(catalog, series_id, until=after)

        steps = len(season_chart(season[0]).steps) - 1
        figures["chart_season_rounds"] = steps
        figures["chart_season_cold_ms"] = _ms(_cold(season, season_chart))
        figures["chart_season_cached_ms"] = _ms(_cached(season[0], season_chart), 4)

    base = figures["chart_baseline_blank_ms"]
    figures["chart_bundled_cold_vs_blank"] = round(figures["chart_bundled_cold_ms"] / base, 2)
    figures["chart_season_cold_vs_blank"] = round(figures["chart_season_cold_ms"] / base, 2)
    _table(figures)
    print(json.dumps(figures, sort_keys=True))
    return 0


def _bundled(catalog: Catalog) -> Any:
    return progression(catalog, BUNDLED_SERIES, until=AFTER_RACE_2, highlight=HIGHLIGHT)


def _cold(catalogs: list[Catalog], made: Callable[[Catalog], Any]) -> float:
    """Median time of a chart on a catalog that has drawn nothing yet (one catalog each)."""
    times = []
    for catalog in catalogs:
        maker = ChartMaker()
        started = time.perf_counter()
        maker.chart(catalog, made(catalog))
        times.append(time.perf_counter() - started)
        assert maker.drawn == 1
    return statistics.median(times)


def _cached(catalog: Catalog, made: Callable[[Catalog], Any]) -> float:
    maker = ChartMaker()
    maker.chart(catalog, made(catalog))
    rounds = 2000
    started = time.perf_counter()
    for _ in range(rounds):
        maker.chart(catalog, made(catalog))
    assert maker.drawn <= 1  # kept in the catalog's memo: never drawn again
    return (time.perf_counter() - started) / rounds


def _median(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _ms(seconds: float, digits: int = 1) -> float:
    return round(seconds * 1000, digits)


def _table(figures: dict[str, Any]) -> None:
    rows = [
        ("first chart of the process (import included)", figures["chart_first_ms"]),
        ("baseline: blank figure, same size, to PNG", figures["chart_baseline_blank_ms"]),
        ("bundled TCR Germany after Race 2, cold", figures["chart_bundled_cold_ms"]),
        ("bundled, cached", figures["chart_bundled_cached_ms"]),
        (
            f"season of {figures['chart_season_rounds']} rounds, cold",
            figures["chart_season_cold_ms"],
        ),
        ("season, cached", figures["chart_season_cached_ms"]),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'standings chart ' + str(WIDTH_PX) + '×' + str(HEIGHT_PX):<{width}}  median ms")
    for label, value in rows:
        print(f"{label:<{width}}  {value:>9}")
    print(
        f"cold vs blank: bundled {figures['chart_bundled_cold_vs_blank']}×, "
        f"season {figures['chart_season_cold_vs_blank']}×"
    )


if __name__ == "__main__":
    sys.exit(main())
