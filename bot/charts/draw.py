"""The standings chart drawn with matplotlib: points after each round (or session) per driver.

Made to be read on a phone: 1200×800 px, large type, each line named at its end (no legend to
match colours against), the followed drivers drawn thick and the others thinner and paler.

The Agg canvas is used directly (`FigureCanvasAgg`), never pyplot: pyplot keeps global state
(the current figure, a backend chosen from the environment) that a bot drawing for several
chats at once, possibly in a worker thread, must not share. matplotlib is imported here only,
on the first chart, so the bot and the CLI start without paying for it.
"""

from __future__ import annotations

import io
import math
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.core.i18n import DEFAULT_LANGUAGE, _, current_language, format_number
from bot.core.progression import Progression

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["DPI", "HEIGHT_PX", "WIDTH_PX", "blank_png", "draw_png"]

WIDTH_PX, HEIGHT_PX, DPI = 1200, 800, 100
# Okabe-Ito: told apart by colour-blind readers too; grey is kept for the unfollowed.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
HIGHLIGHT_WIDTH, LINE_WIDTH, MARKER_SIZE = 5.5, 2.5, 8
TITLE_SIZE, SUBTITLE_SIZE, TICK_SIZE, NAME_SIZE = 26, 18, 16, 17
# The names at the lines' ends must not sit on one another: at least this far apart (points
# of the chart's scale are converted to this share of the axis height).
NAME_GAP = 0.065
# Stamped into the PNG instead of matplotlib's version: the same data gives the same bytes.
METADATA = {"Software": "Pitboard"}  # i18n: not user text (PNG metadata)


def draw_png(progression: Progression) -> bytes:
    """The chart as PNG bytes (WIDTH_PX × HEIGHT_PX)."""
    figure, axes = _figure()
    labels = [step.label for step in progression.steps]
    xs = list(range(len(labels)))
    ends: list[tuple[float, str, str, bool]] = []  # (y, name, colour, highlighted)
    for index, driver in enumerate(progression.drivers):
        colour = PALETTE[index % len(PALETTE)]
        ys = [math.nan if p is None else float(p) for p in driver.points]
        width = HIGHLIGHT_WIDTH if driver.highlighted else LINE_WIDTH
        axes.plot(
            xs,
            ys,
            color=colour,
            linewidth=width,
            marker="o",
            # A point drawn alone (a published total after unknown steps) must still show.
            markersize=width * 2 if driver.highlighted else MARKER_SIZE,
            alpha=1.0 if driver.highlighted or not _any_highlighted(progression) else 0.75,
            zorder=3 if driver.highlighted else 2,
            solid_capstyle="round",
        )
        known = [y for y in ys if not math.isnan(y)]
        if known:
            name = f"{driver.label} {_points_text(known[-1])}"
            ends.append((known[-1], name, colour, driver.highlighted))
    rotated = len(xs) > 5  # long round names side by side would run into each other
    axes.set_xticks(xs, labels, fontsize=TICK_SIZE, rotation=30 if rotated else 0)
    figure.subplots_adjust(bottom=0.2 if rotated else 0.1)
    axes.set_xlim(-0.2, max(len(xs) - 0.8, 0.8))
    top = max((end[0] for end in ends), default=1.0)
    axes.set_ylim(0, top * 1.08 + 1)
    _name_line_ends(axes, ends, top * 1.08 + 1)
    axes.set_ylabel(_("Points"), fontsize=TICK_SIZE)
    figure.suptitle(
        _("{series} — drivers’ championship").format(series=progression.title),
        fontsize=TITLE_SIZE,
        fontweight="bold",
        x=0.03,
        ha="left",
    )
    axes.set_title(progression.heading, fontsize=SUBTITLE_SIZE, loc="left", pad=12)
    return _png(figure)


def blank_png() -> bytes:
    """An empty figure of the same size and settings: the benchmark's baseline."""
    figure, _axes = _figure()
    return _png(figure)


def _figure() -> tuple[Figure, Axes]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)  # the Agg backend, set explicitly: no display is needed or used
    # Room on the right for the names at the lines' ends, instead of a legend.
    figure.subplots_adjust(left=0.08, right=0.70, top=0.83, bottom=0.16)
    axes = figure.add_subplot()
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=TICK_SIZE)
    return figure, axes


def _name_line_ends(axes: Axes, ends: list[tuple[float, str, str, bool]], height: float) -> None:
    """Each line's name beside its last point, pushed apart so that none overlaps another."""
    gap = NAME_GAP * height
    placed: list[float] = []
    for y, *_rest in sorted(ends, key=lambda end: end[0]):
        placed.append(max(y, placed[-1] + gap) if placed else y)
    # Pushed past the top: shift the whole stack down, keeping the gaps.
    overflow = max(0.0, (placed[-1] if placed else 0.0) - height * 0.98)
    order = sorted(range(len(ends)), key=lambda i: ends[i][0])
    for position, index in enumerate(order):
        _y, name, colour, highlighted = ends[index]
        axes.annotate(
            name,
            xy=(1.0, placed[position] - overflow),
            xycoords=("axes fraction", "data"),  # i18n: not user text (matplotlib's)
            xytext=(12, 0),
            textcoords="offset points",  # i18n: not user text (matplotlib's)
            va="center",
            fontsize=NAME_SIZE,
            color=colour,
            fontweight="bold" if highlighted else "normal",
            annotation_clip=False,
        )


def _any_highlighted(progression: Progression) -> bool:
    return any(driver.highlighted for driver in progression.drivers)


def _points_text(value: float) -> str:
    """A line's total at its end: 44, 17.5 (17,5 in Swedish and German)."""
    shown = f"{value:g}"
    return shown if current_language() == DEFAULT_LANGUAGE else format_number(Decimal(shown))


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata=METADATA)
    return buffer.getvalue()
