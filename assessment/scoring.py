"""Assessment arithmetic (考核计分): pure and typed — no ORM, no Django, no I/O.

Callers (assessment.selectors) turn rows into plain values, call these functions and get `Line`s back: one line per
item per unit, each with its points, its maximum and a sentence that explains every point (得分反查).

Rules of the arithmetic
-----------------------
* Every amount is a `Decimal` quantized to `PLACES` (0.01) with ROUND_HALF_UP as soon as it is produced; a unit's total
  is the plain sum of its lines' points, so the lines always add up to the total exactly.
* Indicator items: full points when the engine says achieved or on track; otherwise points × ratio, where the ratio is
  the engine's progress against 序时进度 (or its completion, per scheme), clamped to [floor, 1]. A cap above 1 lets a
  target met ahead of schedule earn more than full points, never more than points × cap.
* Task items: points × the ratio configured for the latest approved progress status (done / in progress / ...).
* A plan-level indicator or a task is shared by role: the lead unit's maximum is points × lead share, each responsible
  unit's maximum is points × responsible share (each one, not split between them). Units with no role are not
  assessed on the item.
* Bonus items: approved quantity × points each, up to the item's cap; the sum of all bonus items is then held to the
  scheme's bonus cap by one explicit negative line (so the reduction is visible, not hidden in the items).
* Deductions: count × points each, up to the item's cap, as negative points.
* Veto items carry no points; a triggered veto marks the unit failed whatever its score and ranks it after every unit
  that was not vetoed.
* Ranking is competition ranking: equal scores share a rank and the next rank skips (1, 1, 3).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TypeVar

from indicators import engine
from indicators.evaluation.explain import status_label
from indicators.evaluation.numbers import number, percent

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
PLACES = Decimal("0.01")

K = TypeVar("K", bound=Hashable)


class ItemKind(StrEnum):
    INDICATOR = "indicator"
    TASK = "task"
    BONUS = "bonus"
    DEDUCTION = "deduction"
    VETO = "veto"
    BONUS_CAP = "bonus_cap"  # the line that holds the bonus total to the scheme's cap


class Basis(StrEnum):
    PROGRESS = "progress"  # progress ÷ 序时进度 (what the engine's status is judged on)
    COMPLETION = "completion"  # actual ÷ target


class UnitRole(StrEnum):
    OWN = "own"  # a per-unit indicator: the unit answers for its own figure, full points
    LEAD = "lead"
    RESPONSIBLE = "responsible"


KIND_LABELS = {
    ItemKind.INDICATOR: "指标",
    ItemKind.TASK: "重点任务",
    ItemKind.BONUS: "加分",
    ItemKind.DEDUCTION: "扣分",
    ItemKind.VETO: "一票否决",
    ItemKind.BONUS_CAP: "加分封顶",
}
ROLE_TEXT = {UnitRole.OWN: "本单位", UnitRole.LEAD: "牵头单位", UnitRole.RESPONSIBLE: "责任单位"}
TASK_STATUS_TEXT = {"done": "已完成", "in_progress": "推进中", "delayed": "滞后", "not_started": "未启动"}
GOOD_STATUSES = frozenset({engine.Status.ACHIEVED, engine.Status.ON_TRACK})


def q(value: Decimal) -> Decimal:
    """Quantize an amount of points the one way used everywhere."""
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """Points as printed in explanations: two decimals, trailing zeros trimmed (12.50 → 12.5, 10.00 → 10)."""
    return number(value, 2)


def pct(ratio: Decimal) -> str:
    return percent(ratio)


@dataclass(frozen=True)
class Rules:
    """A scheme's scoring settings (all configurable per scheme)."""

    basis: Basis = Basis.PROGRESS
    floor: Decimal = ZERO  # least share of the points a judged indicator earns when below on-track
    cap: Decimal = ONE  # most share of the points any indicator earns (above 1 rewards being ahead)
    lead_share: Decimal = Decimal("0.6")
    responsible_share: Decimal = Decimal("0.4")
    task_ratios: Mapping[str, Decimal] = field(
        default_factory=lambda: {
            "done": ONE,
            "in_progress": Decimal("0.8"),
            "delayed": Decimal("0.4"),
            "not_started": ZERO,
        }
    )
    bonus_cap: Decimal | None = None  # None: no overall cap on bonus points
    red_ratio: Decimal = Decimal("0.6")  # lines below this share of their maximum are "red" in bulletins

    def share(self, role: UnitRole) -> Decimal:
        if role == UnitRole.LEAD:
            return self.lead_share
        if role == UnitRole.RESPONSIBLE:
            return self.responsible_share
        return ONE


@dataclass(frozen=True)
class Line:
    """One item's result for one unit."""

    key: str  # the item's id (or "bonus_cap")
    name: str
    kind: ItemKind
    points: Decimal
    max: Decimal  # best attainable: role share of the points; bonus: the item cap; deduction and veto: 0
    explanation: str
    computed: Decimal | None = None  # what the rules gave before a reviewer's override (None: not overridden)
    red: bool = False
    vetoed: bool = False
    status: str = ""  # engine status or task progress status, for display

    def __post_init__(self) -> None:
        # Every amount leaves this module quantized, so "0" and "0.00" never both appear in reports.
        object.__setattr__(self, "points", q(self.points))
        object.__setattr__(self, "max", q(self.max))

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind.value,
            "points": str(self.points),
            "max": str(self.max),
            "explanation": self.explanation,
            "computed": None if self.computed is None else str(self.computed),
            "red": self.red,
            "vetoed": self.vetoed,
            "status": self.status,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Line:
        computed = data.get("computed")
        return cls(
            key=str(data["key"]),
            name=str(data["name"]),
            kind=ItemKind(str(data["kind"])),
            points=Decimal(str(data["points"])),
            max=Decimal(str(data["max"])),
            explanation=str(data["explanation"]),
            computed=None if computed is None else Decimal(str(computed)),
            red=bool(data.get("red")),
            vetoed=bool(data.get("vetoed")),
            status=str(data.get("status") or ""),
        )


def status_ratio(kind: engine.Kind | str, evaluation: engine.Evaluation, basis: Basis) -> Decimal | None:
    """The ratio an indicator's points are proportional to, read off the engine's evaluation.

    With the progress basis this is the same ratio the engine judges the status on: progress ÷ expected progress for
    level, rate, cumulative and annual kinds; for growth the engine's progress is already the rate against the
    target rate; a milestone is done (1) or not (0).
    """
    kind = engine.Kind(kind)
    if basis == Basis.COMPLETION or kind == engine.Kind.MILESTONE:
        return evaluation.completion
    if kind == engine.Kind.GROWTH:
        return evaluation.progress
    if evaluation.progress is None or not evaluation.expected_progress:
        return None
    return evaluation.progress / evaluation.expected_progress


def _red(points: Decimal, maximum: Decimal, rules: Rules) -> bool:
    return maximum > 0 and points < q(maximum * rules.red_ratio)


def score_indicator(
    *,
    key: str,
    name: str,
    points: Decimal,
    role: UnitRole,
    status: engine.Status,
    ratio: Decimal | None,
    detail: str,
    rules: Rules,
) -> Line:
    """An indicator item for one unit. `detail` is the engine's sentence, repeated so the score can be traced."""
    share = rules.share(role)
    maximum = q(points * share)
    head = f"{ROLE_TEXT[role]}满分{fmt(maximum)}分" + ("" if share == ONE else f"（{fmt(points)}分×{pct(share)}）")
    label = status_label(status)
    basis_text = "完成率" if rules.basis == Basis.COMPLETION else "序时完成比"
    if status == engine.Status.NOT_APPLICABLE:
        return Line(key, name, ItemKind.INDICATOR, ZERO, ZERO, f"{detail}不计分。", status=status.value)
    if status == engine.Status.NO_DATA:
        pts = ZERO
        why = "无已报送数据，不得分"
    elif status in GOOD_STATUSES:
        fraction = ONE if ratio is None else min(max(ratio, ONE), max(rules.cap, ONE))
        pts = q(maximum * fraction)
        if fraction > ONE:
            capped = "（封顶）" if fraction == rules.cap and ratio is not None and ratio > rules.cap else ""
            why = f"{label}，{basis_text}{pct(ratio or ONE)}，按{pct(fraction)}{capped}计{fmt(pts)}分"
        else:
            why = f"{label}，得满分{fmt(pts)}分"
    elif ratio is None:
        pts = q(maximum * rules.floor)
        why = f"{label}，无法计算{basis_text}，按保底{pct(rules.floor)}计{fmt(pts)}分"
    else:
        fraction = min(max(ratio, rules.floor), ONE)
        pts = q(maximum * fraction)
        if ratio < rules.floor:
            why = f"{label}，{basis_text}{pct(ratio)}，低于保底{pct(rules.floor)}，按保底计{fmt(pts)}分"
        else:
            why = f"{label}，{basis_text}{pct(ratio)}，按比例计{fmt(pts)}分"
    return Line(
        key,
        name,
        ItemKind.INDICATOR,
        pts,
        maximum,
        f"{head}；{detail.rstrip('。')}；{why}。",
        red=_red(pts, maximum, rules) or status in (engine.Status.BEHIND, engine.Status.NOT_ACHIEVED),
        status=status.value,
    )


def score_task(
    *,
    key: str,
    name: str,
    points: Decimal,
    role: UnitRole,
    progress_status: str | None,
    period_label: str = "",
    rules: Rules,
) -> Line:
    """A task item for one unit, from its latest approved progress report (None: nothing approved)."""
    share = rules.share(role)
    maximum = q(points * share)
    head = f"{ROLE_TEXT[role]}满分{fmt(maximum)}分" + ("" if share == ONE else f"（{fmt(points)}分×{pct(share)}）")
    if progress_status is None:
        pts = ZERO
        why = "无审核通过的进展报告，不得分"
    else:
        ratio = rules.task_ratios.get(progress_status, ZERO)
        pts = q(maximum * ratio)
        when = f"{period_label}" if period_label else ""
        state = TASK_STATUS_TEXT.get(progress_status, progress_status)
        why = f"{when}审核通过的进展为“{state}”，按{pct(ratio)}计{fmt(pts)}分"
    return Line(
        key,
        name,
        ItemKind.TASK,
        pts,
        maximum,
        f"{head}；{why}。",
        red=_red(pts, maximum, rules),
        status=progress_status or "",
    )


@dataclass(frozen=True)
class Claim:
    description: str
    quantity: int


def score_bonus(
    *, key: str, name: str, cap: Decimal, unit_points: Decimal, approved: Sequence[Claim], pending: int = 0
) -> Line:
    """A bonus item: approved claims × points each, held to the item's cap. Pending claims are named, not counted."""
    raw = q(sum((unit_points * c.quantity for c in approved), ZERO))
    pts = min(raw, q(cap))
    parts = [f"{c.description}{c.quantity}人×{fmt(unit_points)}分" for c in approved]
    text = "；".join(parts) if parts else "无审核通过的加分申报"
    if raw > pts:
        text += f"；合计{fmt(raw)}分，超过本项上限{fmt(cap)}分，计{fmt(pts)}分"
    else:
        text += f"；计{fmt(pts)}分（本项上限{fmt(cap)}分）"
    if pending:
        text += f"；另有{pending}项申报待审核，暂不计分"
    return Line(key, name, ItemKind.BONUS, pts, q(cap), text + "。")


def cap_bonus(lines: Iterable[Line], bonus_cap: Decimal | None) -> Line | None:
    """The negative line that holds the bonus total to the scheme's cap, or None when within the cap."""
    if bonus_cap is None:
        return None
    total = sum((line.points for line in lines if line.kind == ItemKind.BONUS), ZERO)
    cap = q(bonus_cap)
    if total <= cap:
        return None
    cut = total - cap
    return Line(
        "bonus_cap",
        "加分封顶",
        ItemKind.BONUS_CAP,
        -cut,
        ZERO,
        f"加分合计{fmt(total)}分，超过加分上限{fmt(cap)}分，核减{fmt(cut)}分。",
    )


def score_deduction(*, key: str, name: str, cap: Decimal, unit_points: Decimal, count: int, what: str) -> Line:
    """A deduction: count × points each, at most the cap, as negative points."""
    raw = q(unit_points * count)
    cut = min(raw, q(cap))
    if count == 0:
        text = f"{what}0次，不扣分。"
    elif raw > cut:
        text = f"{what}{count}次×{fmt(unit_points)}分＝{fmt(raw)}分，超过本项最多扣{fmt(cap)}分，扣{fmt(cut)}分。"
    else:
        text = f"{what}{count}次×{fmt(unit_points)}分，扣{fmt(cut)}分。"
    return Line(key, name, ItemKind.DEDUCTION, -cut, ZERO, text, red=cut > 0)


def score_veto(*, key: str, name: str, vetoed: bool, reason: str = "") -> Line:
    text = f"触发一票否决：{reason.strip() or '（未写明原因）'}，本次考核认定为不合格。" if vetoed else "未触发。"
    return Line(key, name, ItemKind.VETO, ZERO, ZERO, text, red=vetoed, vetoed=vetoed)


def override(line: Line, reviewed: Decimal, rules: Rules, note: str = "", self_score: Decimal | None = None) -> Line:
    """A reviewer's final figure for an item replaces the computed one; both stay in the explanation.

    A confirmation that changes nothing is still written out when the unit's self-score or a note differs, so the
    line tells the whole story (计算 → 自评 → 核定).
    """
    reviewed = q(reviewed)
    if reviewed == line.points and (self_score is None or q(self_score) == reviewed) and not note.strip():
        return line
    said = f"单位自评{fmt(self_score)}分；" if self_score is not None and q(self_score) != reviewed else ""
    why = f"（{note.strip()}）" if note.strip() else ""
    verb = "维持" if reviewed == line.points else "核定为"
    text = line.explanation.rstrip("。") + f"；{said}组织部审核{verb}{fmt(reviewed)}分{why}。"
    if reviewed == line.points:
        return replace(line, explanation=text)
    if line.kind == ItemKind.DEDUCTION:
        red = reviewed < 0
    else:
        behind = line.status in (engine.Status.BEHIND.value, engine.Status.NOT_ACHIEVED.value)
        red = _red(reviewed, line.max, rules) or (line.kind == ItemKind.INDICATOR and behind)
    return replace(line, points=reviewed, explanation=text, computed=line.points, red=red)


def allowed_range(line: Line, item_cap: Decimal, rules: Rules) -> tuple[Decimal, Decimal] | None:
    """Bounds for a self-score or a reviewed score of an item (None: the item takes no score, e.g. a veto).

    Deductions are entered as negative points down to minus the item's cap; an indicator may go above its maximum
    only as far as the scheme's cap allows.
    """
    if line.kind == ItemKind.DEDUCTION:
        return -q(item_cap), ZERO
    if line.kind == ItemKind.INDICATOR:
        return ZERO, q(line.max * max(rules.cap, ONE))
    if line.kind in (ItemKind.TASK, ItemKind.BONUS):
        return ZERO, line.max
    return None


def total(lines: Iterable[Line]) -> Decimal:
    return sum((line.points for line in lines), ZERO)


def base_max(lines: Iterable[Line]) -> Decimal:
    """The unit's full score before bonuses: the sum of its indicator and task maxima."""
    return sum((line.max for line in lines if line.kind in (ItemKind.INDICATOR, ItemKind.TASK)), ZERO)


def rank(entries: Sequence[tuple[K, Decimal, bool]]) -> dict[K, int]:
    """Competition ranking (1, 1, 3) of (key, score, vetoed); vetoed units come after every unit not vetoed."""
    result: dict[K, int] = {}
    clear = [e for e in entries if not e[2]]
    failed = [e for e in entries if e[2]]
    for offset, block in ((0, clear), (len(clear), failed)):
        scores = sorted((score for _, score, _ in block), reverse=True)
        for key, score, _ in block:
            # 1 + the number of units strictly ahead: equal scores share a rank, the next rank skips.
            result[key] = offset + 1 + sum(1 for s in scores if s > score)
    return result
