"""Every page in the URL configuration, measured as served (issue 16): `page:<url name>` rows in `bench`.

Each page is fetched with the pages' cache on, right after the data generation moved (`pagecache.changed()`), so its
first call (cold_ms) is the first view after a change and the timed calls are the warm views. A URL that needs an
object gets it from SAMPLES (the bench set's largest plan, a county, the open period …); one that answers GET with
405 is a write (measured by the write cases) and is listed as skipped; every other URL with parameters must be in
SAMPLES or SKIPPED with the reason — `tests/benchmarks/test_bench.py` holds the list complete.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from benchmarks.scale_sets import BenchSet
from indicators.models import Indicator, IndicatorValue, TaskProgress

# The admin's many generic pages: its large lists and one figure are measured; the rest differ only in the model.
ADMIN_MEASURED = {
    "admin:index",
    "admin:indicators_indicatorvalue_changelist",
    "admin:indicators_indicator_changelist",
    "admin:plans_plan_changelist",
    "admin:plans_department_changelist",
    "admin:indicators_indicatorvalue_change",
}
ADMIN_SKIPPED = "Django admin's generic page of one model: the large lists and one figure are measured"

SKIPPED: dict[str, str] = {
    "logout": "ends the session",
    "set_language": "POST only: sets the language and redirects",
    "excel:assessment": "the workbook download: measured as export, export_resident and export_all",
    "api-verdicts": "measured as api_verdicts (token, 500 verdicts a page)",
    "intake:review": "a draft held in the session of the upload that made it",
    "reporting:evidence": "a stored file download (no evidence files in generated data)",
    "reporting:review_progress": "one task progress report: the same view as review_value",
    "reporting:progress": "one task progress report: the same view as value",
    "api_token_revoke": "POST only: revokes a token",
    "unit-detail": "one row by id: as the list",
    "task-detail": "one row by id: as the list",
    "period-detail": "one row by id: as the list",
    "figure-detail": "one row by id: as the list",
    "task-progress-detail": "one row by id: as the list",
    "assessment-detail": "one row by id: as the list",
    "figure-submit": "POST only: submits a figure",
    "task-progress-submit": "POST only: submits a task report",
    "figure-batch": "POST only: writes a batch",
    "assessment:claim_evidence": "a stored file download (no evidence files in generated data)",
}
POST_ONLY = [
    "reporting:period_state",
    "assessment:scheme_status",
    "assessment:scheme_escalate",
    "assessment:self_assess",
    "assessment:claim_add",
    "assessment:item_review",
    "assessment:unit_action",
    "assessment:claim_withdraw",
    "assessment:claim_review",
    "assessment:bulletin_create",
    "assessment:bulletin_edit",
    "assessment:bulletin_publish",
    "assessment:notice_respond",
    "assessment:notice_close",
    "notifications:open",
    "dashboard:link",
]
SKIPPED.update(dict.fromkeys(POST_ONLY, "POST only: a write, measured by the write cases"))


class Objects:
    """The sample objects pages are opened on, read once from the bench set."""

    def __init__(self, s: BenchSet) -> None:
        self.s = s

    @cached_property
    def indicator(self) -> Indicator:
        found = Indicator.objects.filter(plan=self.s.largest_plan, per_unit=True).order_by("pk").first()
        return found or Indicator.objects.filter(plan=self.s.largest_plan).order_by("pk").first()  # type: ignore[return-value]  # a bench plan has indicators

    @cached_property
    def value(self) -> IndicatorValue | None:
        return (
            IndicatorValue.objects.filter(department=self.s.counties[0], indicator__plan=self.s.largest_plan)
            .order_by("-period__end", "pk")
            .first()
        )

    @cached_property
    def progress(self) -> TaskProgress | None:
        return TaskProgress.objects.filter(department=self.s.counties[0]).order_by("pk").first()

    @cached_property
    def scheme(self) -> Any:
        from assessment.models import AssessmentScheme

        return AssessmentScheme.objects.order_by("-pk").first()

    @cached_property
    def notice(self) -> Any:
        from assessment.models import SupervisionNotice

        return SupervisionNotice.objects.order_by("-pk").first()


def _value_url(name: str) -> Callable[[Objects], str | None]:
    return lambda o: reverse(name, args=[o.value.pk]) if o.value else None


# url name → (who opens it: leader, admin or reporter; the URL on the sample objects, or None when there is none)
SAMPLES: dict[str, tuple[str, Callable[[Objects], str | None]]] = {
    "home": ("leader", lambda o: reverse("home")),
    "dashboard:overview": ("leader", lambda o: reverse("dashboard:overview")),
    "dashboard:plan": ("leader", lambda o: reverse("dashboard:plan", args=[o.s.largest_plan.code])),
    "dashboard:indicator": ("leader", lambda o: reverse("dashboard:indicator", args=[o.indicator.pk])),
    "dashboard:baseline": ("admin", lambda o: reverse("dashboard:baseline", args=[o.indicator.pk])),
    "dashboard:split": ("admin", lambda o: reverse("dashboard:split", args=[o.indicator.pk])),
    "dashboard:department": ("leader", lambda o: reverse("dashboard:department", args=[o.s.counties[0].pk])),
    "reporting:my": ("reporter", lambda o: reverse("reporting:my")),
    "reporting:value": ("reporter", _value_url("reporting:value")),
    "reporting:review": ("admin", lambda o: reverse("reporting:review")),
    "reporting:review_value": ("admin", _value_url("reporting:review_value")),
    "reporting:overdue": ("admin", lambda o: reverse("reporting:overdue")),
    "reporting:periods": ("admin", lambda o: reverse("reporting:periods")),
    "excel:import": ("reporter", lambda o: reverse("excel:import")),
    "excel:template": (
        "reporter",
        lambda o: reverse("excel:template") + f"?unit={o.s.counties[0].pk}&period={o.s.open_period.code}",
    ),
    "assessment:scheme": ("admin", lambda o: reverse("assessment:scheme", args=[o.scheme.pk]) if o.scheme else None),
    "assessment:unit": (
        "admin",
        lambda o: reverse("assessment:unit", args=[o.scheme.pk, o.s.counties[0].pk]) if o.scheme else None,
    ),
    "assessment:bulletin": (
        "admin",
        lambda o: reverse("assessment:bulletin", args=[o.scheme.pk]) if o.scheme else None,
    ),
    "assessment:bulletin_xlsx": (
        "admin",
        lambda o: reverse("assessment:bulletin_xlsx", args=[o.scheme.pk]) if o.scheme else None,
    ),
    "assessment:notice": ("admin", lambda o: reverse("assessment:notice", args=[o.notice.pk]) if o.notice else None),
    "admin:indicators_indicatorvalue_change": (
        "admin",
        lambda o: reverse("admin:indicators_indicatorvalue_change", args=[o.value.pk]) if o.value else None,
    ),
    "plan-detail": ("admin", lambda o: reverse("plan-detail", args=[o.s.largest_plan.code])),
    "indicator-detail": ("admin", lambda o: reverse("indicator-detail", args=[o.indicator.pk])),
    "figure-list": ("admin", lambda o: reverse("figure-list") + f"?plan={o.s.largest_plan.code}"),
}


def url_names() -> Iterator[tuple[str, bool]]:
    """Every named URL of the configuration, with whether it takes parameters."""

    def walk(patterns: list[Any], namespace: str | None) -> Iterator[tuple[str, bool]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = ":".join(n for n in (namespace, p.namespace) if n) or None
                yield from walk(p.url_patterns, inner)
            elif isinstance(p, URLPattern) and p.name:
                takes = bool(p.pattern.regex.groups)
                yield (f"{namespace}:{p.name}" if namespace else p.name), takes

    seen: set[str] = set()
    for name, takes in walk(get_resolver().url_patterns, None):
        if name not in seen:
            seen.add(name)
            yield name, takes


def plan(name: str, takes_parameters: bool) -> str | None:
    """None when the page is measured; else why it is not."""
    if name.startswith("admin:") and name not in ADMIN_MEASURED:
        return ADMIN_SKIPPED
    if name in SKIPPED:
        return SKIPPED[name]
    if takes_parameters and name not in SAMPLES:
        return "no sample object named for it in benchmarks/allpages.py"
    return None


def default_url(name: str) -> Callable[[Objects], str | None]:
    return lambda o: reverse(name)


SKIPPED_ERROR = "skipped"
REDIRECTS = {"home"}  # answers with a redirect to the overview


def _as_staff(bench: Any, row: str, user: Any, url: str) -> Any:
    """The admin as 组织部's administrator opens it: the bench user made staff inside a rolled-back transaction."""
    type(user).objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    return bench.page(row, user, lambda: url, None)


def measure_all(bench: Any) -> None:
    """Add one `page:<name>` row per named URL to the bench's results (measured, or skipped with the reason)."""
    from benchmarks.measure import Result, in_rollback
    from talentplan import pagecache

    objects = Objects(bench.s)
    users = {"leader": bench.s.leader, "admin": bench.s.admin, "reporter": bench.s.reporter}
    for name, takes in url_names():
        row = f"page:{name}"
        if not (bench.wanted("pages") or bench.wanted(row)):
            continue
        reason = plan(name, takes)
        role, build = SAMPLES.get(name, ("admin", default_url(name)))
        url = None if reason else build(objects)
        if reason or url is None:
            bench.add(Result(row, error=SKIPPED_ERROR, note=reason or "no such object in this data set"))
            continue
        statuses = (302,) if name in REDIRECTS else (200,)
        if name.startswith("admin:"):
            result = in_rollback(functools.partial(_as_staff, bench, row, users[role], url))
        else:
            pagecache.changed()  # the first call is the first view after a change
            result = bench.page(row, users[role], lambda url=url: url, None, statuses=statuses)
        if result.error == "HTTP 405":
            result = Result(row, error=SKIPPED_ERROR, note="POST only: a write, measured by the write cases")
        bench.add(result)
