"""Dashboard panels from the assessment app: 考核排名 on the overview, a unit's scores and 督办 on its page.

Kept beside the assessment selectors they read; the dashboard views call them. Constant queries: schemes are
scored in one batch (`results_for_schemes`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import models as auth
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from assessment import access as assessment_access
from assessment.models import AssessmentScheme, Bulletin, SchemeUnit, SupervisionNotice
from assessment.selectors import SchemeResult, UnitRow, open_notices, results_for_schemes
from indicators import engine
from indicators.access import unit_ids
from plans.models import Department, Plan

Status = engine.Status
User = auth.User | AnonymousUser


# --- assessment panels (考核排名 and 督办事项, from the assessment app) -----------------------------------------------
# Who sees what is the assessment app's rule (assessment.access), not the dashboards' "everyone reads everything":
# 组织部管理员 and 领导 see every scheme, unit and notice; a 填报员 sees, of the schemes out of draft that assess one of
# their units, their own units' rows only, with ranks only once the scheme's bulletin is published (as on the
# scheme page), and the notices addressed to their units.
NOTICE_LIMIT = 20  # on the overview; the full list is the assessment app's 督办 page


def ranks_visible(user: User, scheme: AssessmentScheme) -> bool:
    """Ranks of a scheme whose bulletin (通报) is not published are for 组织部 and 领导 only; units learn their rank
    from the published bulletin (assessment.access.get_bulletin_for_user, and the scheme page's rule). Needs the
    scheme fetched with select_related("bulletin") to stay query-free."""
    if assessment_access.sees_all_units(user):
        return True
    try:
        return scheme.bulletin.is_published
    except Bulletin.DoesNotExist:
        return False


@dataclass
class RankingPanel:
    """The latest assessment of one plan: its rows by overall rank (a reporter's own units only)."""

    scheme: AssessmentScheme
    result: SchemeResult
    rows: list[UnitRow]
    show_rank: bool

    @property
    def published(self) -> bool:
        bulletin = getattr(self.scheme, "bulletin", None)
        return bool(bulletin and bulletin.is_published)


@dataclass
class NoticeLine:
    notice: SupervisionNotice
    overdue: bool  # still awaiting the unit's answer after the deadline


@dataclass
class AssessmentPanels:
    rankings: list[RankingPanel]
    notices: list[NoticeLine]  # soonest deadline first (past deadlines lead); the overview lists `NOTICE_LIMIT`
    notice_total: int
    sees_all: bool


def notice_lines(notices: Iterable[SupervisionNotice]) -> list[NoticeLine]:
    today = timezone.localdate()
    return [NoticeLine(n, n.status == SupervisionNotice.Status.OPEN and n.deadline < today) for n in notices]


def _schemes() -> QuerySet[AssessmentScheme]:
    """Schemes that have results to show: out of draft (制定中 is still being set up) and with assessed units."""
    return (
        AssessmentScheme.objects.select_related("plan", "period", "bulletin")
        .exclude(status=AssessmentScheme.Status.DRAFT)
        .filter(Exists(SchemeUnit.objects.filter(scheme_id=OuterRef("pk"))))
    )


def assessment_overview(user: User) -> AssessmentPanels:
    """The latest scheme of each active plan with its ranking, and the open notices the user may read.

    Queries do not grow with schemes, units or notices: two here (schemes, notices), plus `results_for_schemes`'
    fixed batch (which repeats the engine's evaluation only per distinct assessment period end still being scored).
    """
    sees_all = assessment_access.sees_all_units(user)
    visible = assessment_access.schemes_visible_to(user).values("pk")
    latest: dict[int, AssessmentScheme] = {}
    for scheme in _schemes().filter(plan__status=Plan.Status.ACTIVE, pk__in=visible).order_by("-period__end", "pk"):
        latest.setdefault(scheme.plan_id, scheme)  # newest first: the first seen per plan is its latest
    chosen = sorted(latest.values(), key=lambda s: s.plan.code)
    results = results_for_schemes(chosen)
    mine = frozenset() if sees_all else unit_ids(user)
    rankings = [
        RankingPanel(
            s, results[s.pk], [r for r in results[s.pk].rows if sees_all or r.unit.pk in mine], ranks_visible(user, s)
        )
        for s in chosen
    ]
    notices = list(
        assessment_access.notices_visible_to(user)
        .exclude(status=SupervisionNotice.Status.CLOSED)
        .order_by("deadline", "pk")
    )  # open_notices()' order, within what the user may read
    return AssessmentPanels(rankings, notice_lines(notices[:NOTICE_LIMIT]), len(notices), sees_all)


@dataclass
class UnitSchemeLine:
    """The unit's result in one scheme (latest_unit_results' row, with the scheme it belongs to)."""

    scheme: AssessmentScheme
    row: UnitRow
    units: int  # assessed units in the scheme, for "第r名/共n个"
    group_units: int
    show_rank: bool


@dataclass
class UnitAssessmentPanels:
    visible: bool  # False: another unit's assessment, which a 填报员 may not read
    lines: list[UnitSchemeLine]
    notices: list[NoticeLine]


def department_assessment(department: Department, user: User) -> UnitAssessmentPanels:
    """The unit's score and rank in every non-draft scheme assessing it, newest first (what `latest_unit_results`
    gives, batched so the page's queries do not grow per scheme), and its open notices (`open_notices(unit)`)."""
    if not (assessment_access.sees_all_units(user) or department.pk in unit_ids(user)):
        return UnitAssessmentPanels(False, [], [])
    schemes = list(_schemes().filter(units__department=department).order_by("-period__end", "pk"))
    results = results_for_schemes(schemes)
    lines = []
    for scheme in schemes:
        result = results[scheme.pk]
        row = result.row_for(department.pk)
        if row is not None:
            group_units = sum(1 for r in result.rows if r.group == row.group)
            lines.append(UnitSchemeLine(scheme, row, len(result.rows), group_units, ranks_visible(user, scheme)))
    return UnitAssessmentPanels(True, lines, notice_lines(open_notices(department)))
