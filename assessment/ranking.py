"""How units are ranked on shares of items achieved: competition ranking (1, 1, 3). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

ZERO = Decimal(0)
K = TypeVar("K")


@dataclass
class Ranked(Generic[K]):
    key: K  # what is ranked (a unit)
    label: str
    items: int
    good: int
    rank: int = 0

    @property
    def share(self) -> Decimal:
        return (Decimal(self.good) / Decimal(self.items)).quantize(Decimal("0.0001")) if self.items else ZERO


def competition_rank(rows: list[Ranked[K]]) -> list[Ranked[K]]:
    """Best share first; equal shares share a rank (1, 1, 3); more items first among equals, then by name."""
    rows = sorted(rows, key=lambda r: (-r.share, -r.items, r.label))
    for index, row in enumerate(rows):
        row.rank = rows[index - 1].rank if index and row.share == rows[index - 1].share else index + 1
    return rows
