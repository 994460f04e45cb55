"""Server-rendered SVG for the dashboards, one chart a module, and the small pure arithmetic behind them.

No ORM and no JavaScript: intranet browsers are offline and leaders print these pages, so every chart is inline SVG
built from `Decimal` values (coordinates are formatted from Decimal, never float). Colour is never the only carrier
of meaning: markers differ in shape (circle = actual, square = target path, line = 序时 expected) and every mark has
a `<title>` tooltip; pages put the status word and icon beside each chart.
"""

from assessment.ranking import Ranked, competition_rank
from dashboard.charts.bullet import bullet, bullet_for
from dashboard.charts.projection import (
    Point,
    Projection,
    distinct_text,
    higher_is_better,
    project,
    projection_for,
    running_actuals,
    target_path,
    year_end,
    years_between,
)
from dashboard.charts.ranking import ranking_bars
from dashboard.charts.strip import status_strip
from dashboard.charts.svg import STATUS_COLOURS, nice_ticks
from dashboard.charts.trend import indicator_trend, trend_chart

__all__ = [
    "STATUS_COLOURS",
    "Point",
    "Projection",
    "Ranked",
    "bullet",
    "bullet_for",
    "competition_rank",
    "distinct_text",
    "higher_is_better",
    "indicator_trend",
    "nice_ticks",
    "project",
    "projection_for",
    "ranking_bars",
    "running_actuals",
    "status_strip",
    "target_path",
    "trend_chart",
    "year_end",
    "years_between",
]
