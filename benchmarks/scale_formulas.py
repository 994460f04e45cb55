"""Formula and roll-up indicators in the generated data (issue 20): a share of the per-unit rates becomes a ratio of
two per-unit counts of the same plan (×100, rolled up as a ratio of sums) and a share of the per-unit counts rolls up
as a sum, so the benchmarks read, evaluate and page them at scale. Written in bulk, as the rest of the generator."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from indicators.models import Indicator

EVERY = 10  # one rate in ten becomes a formula; one count in ten rolls up


def add_formulas(indicators: Sequence[Indicator]) -> dict[str, int]:
    """Turn some of a plan's generated per-unit indicators into formulas and roll-ups. Returns what it made."""
    counts = [i for i in indicators if i.per_unit and i.kind == "level"]
    rates = [i for i in indicators if i.per_unit and i.kind == "rate"]
    made = {"formulas": 0, "rollups": 0}
    for n, rate in enumerate(rates[::EVERY]):
        if len(counts) < 2:
            break
        numerator, denominator = counts[(2 * n) % len(counts)], counts[(2 * n + 1) % len(counts)]
        if numerator.pk == denominator.pk:
            continue
        Indicator.objects.filter(pk=rate.pk).update(
            formula="ratio",
            numerator_id=numerator.pk,
            denominator_id=denominator.pk,
            scale=Decimal(100),
            rollup="ratio",
        )
        made["formulas"] += 1
    rolled = [c.pk for c in counts[::EVERY]]
    made["rollups"] = Indicator.objects.filter(pk__in=rolled).update(rollup="sum")
    return made
