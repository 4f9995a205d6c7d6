"""Charts: core data drawn as PNG images (matplotlib, Agg), for the chat front-ends and the CLI.

A renderer like the front-ends' text renderers: the data comes from core (`bot.core.progression`),
this layer only draws it, and keeps each drawing once per catalog (`ChartMaker`).
"""

from bot.charts.maker import Chart, ChartMaker, chart_filename

__all__ = ["Chart", "ChartMaker", "chart_filename"]
