"""Roll-ups, formulas, splits and component checks in the pure engine, each worked by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

from indicators.engine import Comparison
from indicators.engine import rollup as ru

D = Decimal


def test_ratio_of_sums_is_not_the_average_of_rates_on_uneven_denominators():
    # Town 1: 10 high-skill of 100 skilled → 10 %; town 2: 90 of 300 → 30 %.
    # Average of the two rates: (10 + 30) / 2 = 20 %. The district's real share: (10 + 90) / (100 + 300) = 25 %.
    parts = {1: ru.Part(1, D(10), D(10), D(100)), 2: ru.Part(2, D(30), D(90), D(300))}
    rolled = ru.roll_up(ru.Method.RATIO, parts, [1, 2], scale=D(100))
    assert rolled.value == D(25)
    assert rolled.average == D(20)
    assert rolled.counted == (1, 2) and rolled.missing == () and rolled.complete


def test_a_missing_unit_is_listed_never_counted_as_zero():
    # Sum: towns 1 and 2 report 100 and 50, town 3 nothing. 150 would be town 3 read as 0: no value is judged,
    # the partial 150 is kept for display and town 3 is named as missing.
    parts = {1: ru.Part(1, D(100)), 2: ru.Part(2, D(50))}
    rolled = ru.roll_up(ru.Method.SUM, parts, [1, 2, 3])
    assert rolled.value is None and rolled.partial == D(150) and rolled.missing == (3,)
    assert rolled.reason == "incomplete" and not rolled.complete
    # Ratio of sums over the units that reported: (10 + 90) / (100 + 300) = 25 %, town 3 listed as missing; reading
    # it as a zero rate would drag the average to (10 + 30 + 0) / 3 = 13.33 %.
    shares = {1: ru.Part(1, D(10), D(10), D(100)), 2: ru.Part(2, D(30), D(90), D(300))}
    rolled = ru.roll_up(ru.Method.RATIO, shares, [1, 2, 3], scale=D(100))
    assert rolled.value == D(25) and rolled.missing == (3,)
    # Max and min over those that reported: 100 and 50.
    assert ru.roll_up(ru.Method.MAX, parts, [1, 2, 3]).value == D(100)
    assert ru.roll_up(ru.Method.MIN, parts, [1, 2, 3]).value == D(50)
    assert ru.roll_up(ru.Method.NONE, parts, [1, 2, 3]).value is None


def test_a_zero_denominator_gives_no_value_and_a_reason():
    assert ru.ratio(D(5), D(0), D(100)) is None
    assert ru.ratio(D(5), D(20), D(100)) == D(25)  # 5 / 20 × 100
    assert ru.ratio(D(8), D(10000), D(10000)) == D(8)  # per 10 000: 8 / 10 000 × 10 000
    # Every unit's denominator is 0: Σ den = 0, no value, reason zero_denominator (no ZeroDivisionError).
    rolled = ru.roll_up(ru.Method.RATIO, {1: ru.Part(1, None, D(3), D(0))}, [1], scale=D(100))
    assert rolled.value is None and rolled.reason == "zero_denominator"


def test_a_reported_parent_figure_against_its_roll_up():
    # The district reports 516, its towns add up to 500: (516 − 500) / 500 = 3.2 %, beyond a 1 % tolerance.
    assert ru.difference(D(516), D(500)) == D("3.2")
    assert ru.differs(D(516), D(500), D("0.01"))
    # 503 is 0.6 % off: within 1 %.
    assert not ru.differs(D(503), D(500), D("0.01"))


def test_a_split_that_does_not_cover_the_whole():
    # 1 000 split as 300 + 300 + 300 = 900: 100 still to assign.
    coverage = ru.split_coverage(D(1000), {1: D(300), 2: D(300), 3: D(300)}, [1, 2, 3], ru.Method.SUM)
    assert (coverage.assigned, coverage.gap, coverage.covers) == (D(900), D(100), False)
    # 400 + 300 + 300 = 1 000: covered.
    coverage = ru.split_coverage(D(1000), {1: D(400), 2: D(300), 3: D(300)}, [1, 2, 3], ru.Method.SUM)
    assert (coverage.gap, coverage.covers) == (D(0), True)
    # A unit without a share is unassigned, and the split does not cover the whole.
    coverage = ru.split_coverage(D(1000), {1: D(600), 2: D(400)}, [1, 2, 3], ru.Method.SUM)
    assert coverage.unassigned == (3,) and not coverage.covers
    # A rate every town must reach (seed 000's 32 %): each town's 32 % covers the district's 32 %; one town at 30 %
    # leaves a 2-point gap.
    equal = ru.split_coverage(D(32), {1: D(32), 2: D(32)}, [1, 2], ru.Method.RATIO)
    assert equal.covers and equal.gap == D(0)
    weaker = ru.split_coverage(D(32), {1: D(32), 2: D(30)}, [1, 2], ru.Method.RATIO)
    assert not weaker.covers and weaker.gap == D(2)
    # "不高于": a unit allowed more than the whole does not cover it.
    assert not ru.split_coverage(D(5), {1: D(6)}, [1], ru.Method.MAX, Comparison.LTE).covers


def test_parts_exceeding_their_whole():
    # 表2: six talent types under 人才资源总量 26.4: 10 + 8 + 5 + 2 + 1.5 + 0.5 = 27 > 26.4 by 0.6.
    check = ru.check_components(D("26.4"), [D(10), D(8), D(5), D(2), D("1.5"), D("0.5")])
    assert check.exceeds and check.excess == D("0.6")
    # Five of six reported, 25 ≤ 26.4: no warning, one part missing.
    check = ru.check_components(D("26.4"), [D(10), D(8), D(5), D(2), None, D(0)])
    assert not check.exceeds and check.missing == 1 and check.parts_total == D(25)


def test_sum_formula_needs_every_part():
    assert ru.total([D(1), D(2), D(3)]) == D(6)
    assert ru.total([D(1), None]) is None
