"""What every chart shares: the palette (as in static/css/app.css, repeated as attributes so a copied SVG keeps it),
coordinates formatted from Decimal, scales and ticks."""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

# Same palette as static/css/app.css; repeated as presentation attributes so an SVG copied out of the page keeps it.
STATUS_COLOURS: dict[str, str] = {
    "achieved": "#1b7f3b",
    "on_track": "#1f5fae",
    "lagging": "#b26a00",
    "behind": "#b3261e",
    "below_target": "#8a4b9c",
    "not_achieved": "#b3261e",
    "no_data": "#9aa3ad",
    "not_applicable": "#9aa3ad",
}
GRID = "#d5dbe3"
INK = "#1d2733"
PATH_GREY = "#6b7280"


def _n(value: Decimal) -> str:
    """An SVG coordinate from a Decimal: one decimal place, no exponent."""
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}"


def _scale(lo: Decimal, hi: Decimal, out_lo: Decimal, out_hi: Decimal):
    span = hi - lo if hi != lo else ONE

    def at(value: Decimal) -> Decimal:
        return out_lo + (value - lo) / span * (out_hi - out_lo)

    return at


def nice_ticks(lo: Decimal, hi: Decimal, count: int = 4) -> list[Decimal]:
    """Round tick values (1, 2, 5 × 10ⁿ steps) covering [lo, hi]."""
    if hi <= lo:
        hi = lo + ONE
    raw = (hi - lo) / count
    magnitude = ONE.scaleb(raw.adjusted())
    step = next(m * magnitude for m in (ONE, Decimal(2), Decimal(5), Decimal(10)) if m * magnitude >= raw)
    value = (lo / step).to_integral_value(rounding=ROUND_FLOOR) * step
    ticks = [value]
    while value < hi and len(ticks) < 12:
        value += step
        ticks.append(value)
    return ticks
