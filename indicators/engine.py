"""Target semantics: where an indicator stands against its target and the time-proportional path (序时进度).

Pure and typed: no ORM, no Django, no I/O. Callers turn model rows into `Spec` and `Observation` values and get an
`Evaluation` back. Everything is `Decimal`; percentages are stored as the number shown (35 for 35 %).

Kinds
-----
level       a stock reached by a year (人才资源总量 23.2 → 26.4 万人). progress = (actual − baseline) / (target −
            baseline), expected = share of the baseline→target span elapsed, or the milestone path when yearly
            milestones exist. Never actual / target: that would paint 23.2 → 26.4 as 88 % done on day one.
rate        a share or rate (%, ‰, per-10,000): like level; gaps of shares are in percentage points.
cumulative  a plan-period total ("累计招引400个"): the sum of reported period amounts since the plan start.
annual      a per-year quota ("每年引进10名以上"): this year's sum against the yearly target, expected = share of the
            year elapsed; every past year is judged on its own (see `Evaluation.years`).
growth      average annual growth ("年均增长8%以上"): the reported figure is the underlying level; the compound
            annual growth since the baseline is compared with the rate.
milestone   qualitative ("建立…制度"): a reported value ≥ 1 means done; not done after the target year is overdue.

Values of cumulative and annual indicators are the amount achieved *in* the period (本期新增). Within one year the
engine uses a whole-year figure when one exists (an official annual statistic supersedes quarterly estimates),
otherwise the finest set of sub-periods covering most of the year, so months and quarters are never double counted.

Comparisons: gte (higher is better), lte (lower is better), approx (within a relative tolerance, default ±5 %;
overshooting in the direction of travel still passes), range (passes at or above its lower bound), exact.

Status: achieved (final target met) · on_track (progress ≥ 95 % of expected) · lagging (85–95 %) · behind (< 85 %) ·
no_data · not_applicable (no target, "——"). Once the target date has passed the verdict is final: achieved or
not_achieved. Thresholds come from the plan.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from enum import StrEnum

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
RATIO_PLACES = Decimal("0.0001")


class Kind(StrEnum):
    LEVEL = "level"
    CUMULATIVE = "cumulative"
    ANNUAL = "annual"
    GROWTH = "growth"
    RATE = "rate"
    MILESTONE = "milestone"


class Comparison(StrEnum):
    GTE = "gte"
    LTE = "lte"
    APPROX = "approx"
    RANGE = "range"
    EXACT = "exact"


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    LAGGING = "lagging"
    BEHIND = "behind"
    NOT_ACHIEVED = "not_achieved"
    NO_DATA = "no_data"
    NOT_APPLICABLE = "not_applicable"


# Worst first: used to sort shortfall lists.
STATUS_SEVERITY: dict[Status, int] = {
    Status.NOT_ACHIEVED: 0,
    Status.BEHIND: 1,
    Status.LAGGING: 2,
    Status.NO_DATA: 3,
    Status.ON_TRACK: 4,
    Status.ACHIEVED: 5,
    Status.NOT_APPLICABLE: 6,
}

STATUS_LABELS: dict[Status, str] = {
    Status.ACHIEVED: "已完成",
    Status.ON_TRACK: "正常推进",
    Status.LAGGING: "滞后",
    Status.BEHIND: "严重滞后",
    Status.NOT_ACHIEVED: "未完成",
    Status.NO_DATA: "无数据",
    Status.NOT_APPLICABLE: "不适用",
}


@dataclass(frozen=True)
class Thresholds:
    on_track: Decimal = Decimal("0.95")
    lagging: Decimal = Decimal("0.85")
    tolerance: Decimal = Decimal("0.05")


@dataclass(frozen=True)
class Spec:
    """What an indicator promises. Years are calendar years; a baseline is the value at the end of its year."""

    kind: Kind
    comparison: Comparison
    start_year: int
    end_year: int
    target: Decimal | None
    target_year: int | None = None
    baseline: Decimal | None = None
    baseline_year: int | None = None
    target_upper: Decimal | None = None
    tolerance: Decimal | None = None
    is_share: bool = False
    unit: str = ""
    decimals: int = 2
    milestones: tuple[tuple[int, Decimal], ...] = ()

    @property
    def due_year(self) -> int:
        return self.target_year or self.end_year

    @property
    def due_date(self) -> dt.date:
        return dt.date(self.due_year, 12, 31)


@dataclass(frozen=True)
class Observation:
    """A reported value for a calendar period. `granularity`: 1 month, 2 quarter, 3 half-year, 4 year."""

    start: dt.date
    end: dt.date
    value: Decimal
    granularity: int = 2
    label: str = ""


@dataclass(frozen=True)
class YearResult:
    year: int
    actual: Decimal
    target: Decimal
    met: bool


@dataclass(frozen=True)
class Evaluation:
    status: Status
    explanation: str
    actual: Decimal | None = None
    actual_date: dt.date | None = None
    actual_label: str = ""
    completion: Decimal | None = None  # actual against the final target, as a ratio (1 = 100 %)
    expected: Decimal | None = None  # the value the time-proportional path expects at actual_date
    expected_progress: Decimal | None = None  # share of the way the path expects to be covered (ratio)
    progress: Decimal | None = None  # share of the way actually covered (ratio)
    gap: Decimal | None = None  # actual − expected in the indicator's unit (pp for shares); negative = short
    growth_rate: Decimal | None = None  # growth kind: compound annual growth so far, in %
    final: bool = False
    years: tuple[YearResult, ...] = field(default=())

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def severity(self) -> int:
        return STATUS_SEVERITY[self.status]


def _q(value: Decimal | None, places: Decimal = RATIO_PLACES) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(places, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None, decimals: int = 2) -> str:
    """Format a Decimal for explanations: fixed decimals, trailing zeros trimmed."""
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-decimals) if decimals > 0 else Decimal(1)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def pct(ratio: Decimal | None) -> str:
    return "—" if ratio is None else f"{fmt(ratio * HUNDRED, 1)}%"


def _gap_unit(spec: Spec) -> str:
    if spec.is_share and spec.unit == "‰":
        return "个千分点"
    if spec.is_share:
        return "个百分点"
    return spec.unit


def year_fraction(start: dt.date, end: dt.date, at: dt.date) -> Decimal:
    """Share of [start, end] elapsed at `at`, clamped to 0..1."""
    total = (end - start).days
    if total <= 0:
        return ONE
    done = (at - start).days
    return min(ONE, max(ZERO, Decimal(done) / Decimal(total)))


def _direction(spec: Spec) -> int:
    """+1 when more is better, −1 when less is better."""
    if spec.comparison == Comparison.LTE:
        return -1
    if spec.comparison in (Comparison.APPROX, Comparison.EXACT) and spec.baseline is not None and spec.target is not None:
        return -1 if spec.target < spec.baseline else 1
    return 1


def meets_target(spec: Spec, actual: Decimal, target: Decimal, thresholds: Thresholds) -> bool:
    if spec.comparison == Comparison.GTE or spec.comparison == Comparison.RANGE:
        return actual >= target
    if spec.comparison == Comparison.LTE:
        return actual <= target
    if spec.comparison == Comparison.EXACT:
        places = Decimal(1).scaleb(-spec.decimals)
        return actual.quantize(places) == target.quantize(places)
    tolerance = spec.tolerance if spec.tolerance is not None else thresholds.tolerance
    band = abs(target) * tolerance
    if _direction(spec) > 0:
        return actual >= target - band
    return actual <= target + band


def _status_from_ratio(ratio: Decimal, thresholds: Thresholds) -> Status:
    if ratio >= thresholds.on_track:
        return Status.ON_TRACK
    if ratio >= thresholds.lagging:
        return Status.LAGGING
    return Status.BEHIND


def _latest(observations: list[Observation]) -> Observation:
    # Latest period end wins; on the same end date the coarser (e.g. annual official) figure wins.
    return max(observations, key=lambda o: (o.end, o.granularity))


def _path_value(spec: Spec, start_date: dt.date, start_value: Decimal, at: dt.date) -> tuple[Decimal, Decimal]:
    """Expected value at `at` on the baseline → milestones → target path, and the expected share of the way."""
    assert spec.target is not None
    points: list[tuple[dt.date, Decimal]] = [(start_date, start_value)]
    for year, value in sorted(spec.milestones):
        milestone_date = dt.date(year, 12, 31)
        if start_date < milestone_date < spec.due_date:
            points.append((milestone_date, value))
    points.append((spec.due_date, spec.target))
    expected = points[-1][1]
    for (d0, v0), (d1, v1) in zip(points, points[1:]):
        if at <= d1:
            expected = v0 + (v1 - v0) * year_fraction(d0, d1, at)
            break
    span = spec.target - start_value
    share = ONE if span == 0 else (expected - start_value) / span
    return expected, share


def _finish(
    spec: Spec,
    thresholds: Thresholds,
    *,
    as_of: dt.date,
    actual: Decimal,
    actual_obs: Observation,
    target: Decimal,
    start_value: Decimal,
    expected: Decimal,
    expected_share: Decimal,
    what: str,
    years: tuple[YearResult, ...] = (),
) -> Evaluation:
    """Shared tail for level, rate and cumulative kinds: completion, progress, gap, status and the sentence."""
    unit = spec.unit
    gap_unit = _gap_unit(spec)
    direction = _direction(spec)
    span = target - start_value
    progress = None if span == 0 else (actual - start_value) / span
    if spec.comparison == Comparison.LTE:
        completion = None if actual == 0 else target / actual
    else:
        completion = None if target == 0 else actual / target
    gap = (actual - expected) * direction
    final = as_of >= spec.due_date
    met = meets_target(spec, actual, target, thresholds)
    target_text = f"{fmt(target, spec.decimals)}{unit}"
    actual_text = f"{what}{fmt(actual, spec.decimals)}{unit}"
    base = dict(
        actual=actual,
        actual_date=actual_obs.end,
        actual_label=actual_obs.label,
        completion=_q(completion),
        expected=_q(expected),
        expected_progress=_q(expected_share),
        progress=_q(progress),
        gap=_q(gap),
        final=final,
        years=years,
    )
    if met:
        over = ""
        if spec.comparison == Comparison.APPROX and spec.target_upper is None:
            band = abs(target) * (spec.tolerance if spec.tolerance is not None else thresholds.tolerance)
            if (actual - target) * direction > band:
                over = "，超出“左右”区间上沿"
        return Evaluation(Status.ACHIEVED, f"{actual_text}，已达到目标{target_text}{over}。", **base)
    if final:
        return Evaluation(
            Status.NOT_ACHIEVED,
            f"规划期已满，{actual_text}，未达到目标{target_text}，差{fmt(abs(actual - target), spec.decimals)}{gap_unit}。",
            **base,
        )
    if progress is None or span * direction <= 0:
        # Target already met at the start (or an unreachable direction): any shortfall now is a regression.
        return Evaluation(
            Status.BEHIND,
            f"{actual_text}，低于目标{target_text}（起点已达标，现出现回落）。",
            **base,
        )
    if expected_share <= 0:
        return Evaluation(Status.ON_TRACK, f"{actual_text}，尚处起始时点，序时进度为0。", **base)
    ratio = progress / expected_share
    status = _status_from_ratio(ratio, thresholds)
    sign = "超出" if gap >= 0 else "落后"
    sentence = (
        f"{actual_text}，目标{target_text}，完成进度{pct(progress)}，序时进度{pct(expected_share)}，"
        f"较序时{sign}{fmt(abs(gap), spec.decimals)}{gap_unit}。"
    )
    return Evaluation(status, sentence, **base)


def _evaluate_level(spec: Spec, obs: list[Observation], as_of: dt.date, th: Thresholds) -> Evaluation:
    assert spec.target is not None
    latest = _latest(obs)
    if spec.baseline is not None:
        start_value = spec.baseline
        start_date = dt.date(spec.baseline_year or (spec.start_year - 1), 12, 31)
    else:
        # No baseline printed: measure from zero at the plan start and say so; better than silence.
        start_value = ZERO
        start_date = dt.date(spec.start_year, 1, 1)
    expected, share = _path_value(spec, start_date, start_value, latest.end)
    evaluation = _finish(
        spec, th, as_of=as_of, actual=latest.value, actual_obs=latest, target=spec.target,
        start_value=start_value, expected=expected, expected_share=share, what="实际",
    )
    if spec.baseline is None and evaluation.status not in (Status.ACHIEVED,):
        return _with_note(evaluation, "（原文无基期值，按自零起算）")
    return evaluation


def _with_note(evaluation: Evaluation, note: str) -> Evaluation:
    from dataclasses import replace

    return replace(evaluation, explanation=evaluation.explanation.rstrip("。") + note + "。")


def yearly_sums(observations: list[Observation]) -> dict[int, tuple[Decimal, Observation]]:
    """Sum period amounts per calendar year without double counting overlapping granularities.

    Returns year → (sum, latest observation used). A whole-year figure wins; otherwise the granularity whose
    periods cover most days of the year, coarser on ties.
    """
    by_year: dict[int, dict[int, list[Observation]]] = defaultdict(lambda: defaultdict(list))
    for o in observations:
        by_year[o.end.year][o.granularity].append(o)
    result: dict[int, tuple[Decimal, Observation]] = {}
    for year, by_gran in by_year.items():
        def coverage(gran: int) -> tuple[int, int]:
            return (sum((o.end - o.start).days + 1 for o in by_gran[gran]), gran)

        best = max(by_gran, key=coverage)
        chosen = by_gran[best]
        result[year] = (sum((o.value for o in chosen), ZERO), _latest(chosen))
    return result


def _evaluate_cumulative(spec: Spec, obs: list[Observation], as_of: dt.date, th: Thresholds) -> Evaluation:
    assert spec.target is not None
    plan_start = dt.date(spec.start_year, 1, 1)
    # Periods after the target year do not count toward the plan-period total (as for annual), so a final verdict
    # stays final when later years are reported.
    in_plan = [o for o in obs if o.start >= plan_start and o.end <= spec.due_date]
    if not in_plan:
        return Evaluation(Status.NO_DATA, "规划期内尚无填报数据。")
    sums = yearly_sums(in_plan)
    total = sum((s for s, _ in sums.values()), ZERO)
    latest = _latest([o for _, o in sums.values()])
    expected, share = _path_value(spec, dt.date(spec.start_year - 1, 12, 31), ZERO, latest.end)
    return _finish(
        spec, th, as_of=as_of, actual=total, actual_obs=latest, target=spec.target, start_value=ZERO,
        expected=expected, expected_share=share, what="累计完成",
    )


def _evaluate_annual(spec: Spec, obs: list[Observation], as_of: dt.date, th: Thresholds) -> Evaluation:
    assert spec.target is not None
    in_plan = [o for o in obs if spec.start_year <= o.end.year <= spec.due_year]
    if not in_plan:
        return Evaluation(Status.NO_DATA, "规划期内尚无填报数据。")
    sums = yearly_sums(in_plan)
    current_year = max(sums)
    yearly_target = dict(spec.milestones).get(current_year, spec.target)
    years = tuple(
        YearResult(year, total, dict(spec.milestones).get(year, spec.target),
                   meets_target(spec, total, dict(spec.milestones).get(year, spec.target), th))
        for year, (total, _) in sorted(sums.items())
    )
    total, latest = sums[current_year]
    share = year_fraction(dt.date(current_year - 1, 12, 31), dt.date(current_year, 12, 31), latest.end)
    expected = yearly_target * share
    year_spec = Spec(**{**spec.__dict__, "target_year": current_year, "milestones": ()})
    evaluation = _finish(
        year_spec, th, as_of=min(as_of, dt.date(current_year, 12, 31)), actual=total, actual_obs=latest,
        target=yearly_target, start_value=ZERO, expected=expected, expected_share=share,
        what=f"{current_year}年完成",
    )
    from dataclasses import replace

    missed = [y.year for y in years if not y.met and y.year < current_year]
    final = as_of >= spec.due_date
    status = evaluation.status
    explanation = evaluation.explanation
    if missed:
        explanation = explanation.rstrip("。") + f"；{'、'.join(str(y) for y in missed)}年未完成年度任务。"
    if final:
        all_met = all(y.met for y in years) and len(years) == spec.due_year - spec.start_year + 1
        status = Status.ACHIEVED if all_met else Status.NOT_ACHIEVED
        if not all_met and len(years) < spec.due_year - spec.start_year + 1:
            explanation = explanation.rstrip("。") + "；部分年度无数据。"
    elif missed or status == Status.NOT_ACHIEVED:
        # A past year missed its quota (or the latest reported year closed short) but the plan continues: the
        # indicator is behind even if the current year is on pace; each year's verdict is in `years`.
        status = Status.BEHIND
    return replace(evaluation, status=status, explanation=explanation, years=years, final=final)


def compound_growth(start: Decimal, end: Decimal, years: Decimal) -> Decimal:
    """Average annual growth in % between two positive levels `years` apart."""
    with localcontext() as ctx:
        ctx.prec = 28
        return ((end / start).ln() / years).exp() * HUNDRED - HUNDRED


def _years_since(year: int, at: dt.date) -> Decimal:
    """Years from the end of `year` to `at`: whole calendar years plus the elapsed share of `at`'s own year.

    Days / 365.25 would put 2020-12-31 → 2022-12-31 at 1.9986 years and turn 100 → 116.64 into 8.01 % a year
    instead of 8.00 %; counting calendar years keeps year-end figures exact.
    """
    return Decimal(at.year - year - 1) + year_fraction(dt.date(at.year - 1, 12, 31), dt.date(at.year, 12, 31), at)


def _evaluate_growth(spec: Spec, obs: list[Observation], as_of: dt.date, th: Thresholds) -> Evaluation:
    assert spec.target is not None
    if spec.baseline is None or spec.baseline_year is None:
        return Evaluation(Status.NO_DATA, "缺少基期值，无法计算年均增长。")
    if spec.baseline <= 0:
        return Evaluation(Status.NO_DATA, "基期值不为正，无法计算年均增长。")
    latest = _latest(obs)
    elapsed_years = _years_since(spec.baseline_year, latest.end)
    total_years = Decimal(spec.due_year - spec.baseline_year)
    rate_target = spec.target
    final_level = spec.baseline * (ONE + rate_target / HUNDRED) ** int(total_years)
    final = as_of >= spec.due_date
    if latest.value <= 0:
        return Evaluation(Status.BEHIND, f"实际值{fmt(latest.value, spec.decimals)}不为正，无法计算增长。", final=final)
    base = dict(actual=latest.value, actual_date=latest.end, actual_label=latest.label, final=final)
    if elapsed_years <= 0:
        return Evaluation(Status.ON_TRACK, "尚处基期，暂无增长可计。", **base)
    rate = compound_growth(spec.baseline, latest.value, elapsed_years)
    with localcontext() as ctx:
        ctx.prec = 28
        expected_level = spec.baseline * ((ONE + rate_target / HUNDRED).ln() * elapsed_years).exp()
    # The comparison applies to the rates. `_direction` compares baseline (a level) with target (a rate), so judge
    # against a copy without the baseline: approx/exact then read "higher is better", lte reads "lower is better".
    lower_better = spec.comparison == Comparison.LTE
    rate_met = meets_target(replace(spec, baseline=None), rate, rate_target, th)
    gap = (rate_target - rate) if lower_better else (rate - rate_target)  # negative = short, as elsewhere
    if lower_better:
        ratio = ONE if rate <= rate_target else (rate_target / rate if rate_target > 0 else ZERO)
    else:
        ratio = ONE if rate_target == 0 else rate / rate_target
    completion = ratio if lower_better else (None if rate_target == 0 else rate / rate_target)
    base.update(
        completion=_q(completion), expected=_q(expected_level), expected_progress=_q(min(ONE, elapsed_years / total_years) if total_years else ONE),
        progress=_q(ratio), gap=_q(gap), growth_rate=_q(rate, Decimal("0.01")),
    )
    text = f"基期{spec.baseline_year}年{fmt(spec.baseline, spec.decimals)}{spec.unit}，现为{fmt(latest.value, spec.decimals)}{spec.unit}，年均增长{fmt(rate, 2)}%，目标{fmt(rate_target, 2)}%"
    # Reaching the final level early settles a "grow at least" target; a ceiling (lte) is only settled at the end.
    if (not lower_better and latest.value >= final_level) or (final and rate_met):
        return Evaluation(Status.ACHIEVED, text + "，已达到目标。", **base)
    if final:
        return Evaluation(Status.NOT_ACHIEVED, text + f"，规划期已满，差{fmt(abs(gap), 2)}个百分点。", **base)
    if lower_better or rate_target > 0:
        status = _status_from_ratio(ratio, th)
    else:
        status = Status.ON_TRACK if rate >= rate_target else Status.BEHIND
    above = rate >= rate_target
    return Evaluation(status, text + f"，{'高于' if above else '低于'}目标{fmt(abs(gap), 2)}个百分点。", **base)


def _evaluate_milestone(spec: Spec, obs: list[Observation], as_of: dt.date, th: Thresholds) -> Evaluation:
    latest = _latest(obs)
    done = latest.value >= (spec.target if spec.target is not None else ONE)
    base = dict(actual=latest.value, actual_date=latest.end, actual_label=latest.label, completion=ONE if done else ZERO)
    final = as_of >= spec.due_date
    if done:
        return Evaluation(Status.ACHIEVED, "已完成。", final=final, **base)
    if final:
        return Evaluation(Status.NOT_ACHIEVED, f"未完成，已逾期（时限{spec.due_year}年底）。", final=True, **base)
    return Evaluation(Status.ON_TRACK, f"尚未完成，时限{spec.due_year}年底。", **base)


_EVALUATORS = {
    Kind.LEVEL: _evaluate_level,
    Kind.RATE: _evaluate_level,
    Kind.CUMULATIVE: _evaluate_cumulative,
    Kind.ANNUAL: _evaluate_annual,
    Kind.GROWTH: _evaluate_growth,
    Kind.MILESTONE: _evaluate_milestone,
}


def evaluate(
    spec: Spec,
    observations: list[Observation] | tuple[Observation, ...],
    as_of: dt.date,
    thresholds: Thresholds | None = None,
) -> Evaluation:
    """Evaluate one indicator (or one unit's instance of it) as of a date.

    Only observations whose period has ended by `as_of` count. `as_of` past the target year makes the verdict final.
    """
    th = thresholds or Thresholds()
    if spec.kind != Kind.MILESTONE and spec.target is None:
        return Evaluation(Status.NOT_APPLICABLE, "原文未设定目标值。")
    usable = [o for o in observations if o.end <= as_of]
    if not usable:
        if spec.kind != Kind.MILESTONE and as_of >= spec.due_date:
            return Evaluation(Status.NO_DATA, "规划期已满，但无填报数据，无法判定。", final=True)
        return Evaluation(Status.NO_DATA, "尚无填报数据。")
    try:
        return _EVALUATORS[spec.kind](spec, usable, as_of, th)
    except (InvalidOperation, ZeroDivisionError) as exc:  # pragma: no cover - defensive: bad data must not crash a page
        return Evaluation(Status.NO_DATA, f"数据无法计算（{type(exc).__name__}）。")
