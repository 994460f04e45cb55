"""Presentation of Decimals shared by JSON output, templates and Excel."""

from __future__ import annotations

from decimal import Decimal


def dec_str(value: Decimal | None) -> str | None:
    """Plain string without exponent or trailing zeros: Decimal('23.2000') → '23.2', Decimal('400.0000') → '400'."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text
