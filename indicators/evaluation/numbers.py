"""How figures print, one rule everywhere (pages, the workbook, assessment explanations, `plan_report`): the
indicator's own decimals, more when a non-zero figure would otherwise print as 0 (up to four), a typed figure never
rounded onto a neighbour. No words: the sentences that use these are `evaluation.explain`."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from indicators import engine

MAX_PLACES = 4


def number(value: Decimal | None, decimals: int = 2) -> str:
    """Fixed decimals, trailing zeros trimmed; a non-zero value gets the decimals it needs (up to four)."""
    if value is None:
        return "—"
    places = max(0, decimals)
    text = _fixed(value, places)
    # `_fixed` prints a value that rounds to nothing as exactly "0".
    while text == "0" and places < MAX_PLACES and value != 0:
        places += 1
        text = _fixed(value, places)
    return text


# The quantum of each number of places: building it (Decimal(1).scaleb) cost as much as the rounding.
_QUANTA = [Decimal(1).scaleb(-p) if p > 0 else Decimal(1) for p in range(16)]


def _fixed(value: Decimal, places: int) -> str:
    quantum = _QUANTA[places] if places < len(_QUANTA) else Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def is_zero(text: str) -> bool:
    return text.lstrip("-").strip("0.") == ""


def rounds_to_zero(value: Decimal) -> bool:
    """is_zero(number(value, MAX_PLACES)), without printing it: the value rounds to 0 at four places."""
    return abs(value) < _HALF[MAX_PLACES]


def own_places(value: Decimal) -> int:
    """Decimals a value really has (26.35 → 2, 8.0000 → 0), at most four."""
    # Read off its digits: normalising the value and taking its tuple apart cost more than printing it.
    text = f"{value:f}"
    dot = text.find(".")
    return 0 if dot < 0 else min(MAX_PLACES, len(text.rstrip("0")) - dot - 1)


def exact(value: Decimal, decimals: int) -> str:
    """A figure someone typed or a difference of such figures: never rounded onto a neighbour (26.35 of a target
    printed with one decimal is 26.35, not 26.4)."""
    # As number(value, max(decimals, own_places(value))), read off the value's own digits: a value with no more
    # places than that prints exactly as it is, trailing zeros trimmed (normalising it to count them was the cost).
    text = f"{value:f}"
    if not value.is_finite():
        return number(value, max(decimals, MAX_PLACES))  # raises, as rounding it does
    if "." in text:
        text = text.rstrip("0").rstrip(".")
        dot = text.find(".")
        if dot >= 0 and len(text) - dot - 1 > max(decimals, MAX_PLACES):
            return number(value, max(decimals, MAX_PLACES))
    return "0" if text in {"-0", ""} else text


def derived(value: Decimal, decimals: int) -> str:
    """A value computed on the time path (expected, a gap to it): the indicator's decimals, one more for a fraction
    of an indicator counted in whole units (应完成2.5名, not 3名)."""
    return number(value, decimals if decimals or own_places(value) == 0 else 1)


def distinct(value: Decimal, other: Decimal, decimals: int) -> str:
    """`value` with the decimals that keep it from reading as `other` when the two differ (7.9951 against 8 is
    7.9951, not 8)."""
    places = decimals
    while places < MAX_PLACES and value != other and number(value, places) == number(other, places):
        places += 1
    return number(value, places)


def percent(ratio: Decimal | None, decimals: int = 1) -> str:
    """A ratio as a percentage (0.8 → 80%), with the decimals a non-zero share needs."""
    return "—" if ratio is None else f"{number(ratio * engine.HUNDRED, decimals)}%"


_HALF = [Decimal(5).scaleb(-(p + 1)) for p in range(MAX_PLACES + 1)]  # below these a value prints as 0 at p places


def places(value: Decimal | None, decimals: int) -> int:
    """The decimals `number(value, decimals)` rounds to (before trailing zeros are trimmed): the workbook formats its
    cells with as many, so a cell reads as the page and the sentence do."""
    shown = max(0, decimals)
    magnitude = abs(value) if value is not None else Decimal(0)
    while magnitude and shown < MAX_PLACES and magnitude < _HALF[shown]:
        shown += 1
    return shown


def percent_places(ratio: Decimal | None) -> int:
    """The decimals `percent` shows a ratio with (0.0004 → 0.04% → 2)."""
    return 1 if ratio is None or abs(ratio) >= _HALF[3] else places(ratio * engine.HUNDRED, 1)


def sign(magnitude: str, value: Decimal) -> str:
    """The sign to print before a gap's printed magnitude; none when it prints as 0."""
    if value == 0 or is_zero(magnitude):
        return ""
    return "+" if value > 0 else "-"
