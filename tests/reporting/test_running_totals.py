"""A year-to-date or plan-to-date figure typed into a 本期新增 field is asked about (issue 15 §3), in the form and in
the import preview, and the department confirms or corrects it. Nothing is refused outright."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from excel.importer import run_import
from indicators.models import Indicator, IndicatorValue, ReviewStatus
from indicators.validation import running_total_suspected
from plans.models import ReportingPeriod
from tests.worlds.excel import COL, FIRST_DATA_ROW, edit_template, load, template_bytes
from tests.worlds.reporting import World, value_row

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize(
    ("value", "year", "count", "plan", "like"),
    [
        ("5", "2", 1, "2", None),  # Q1 = 2, then 5: 5 < 1.6 × 2 = 3.2? no — 5 ≥ 3.2 → asked (see next case)
        ("3", "2", 1, "2", None),  # 3 < 3.2: an amount a little above the last quarter's
        ("120", "100", 1, "100", None),  # a quarter 20 % above the last one is common
        ("160", "100", 1, "100", D(100)),  # ≥ 1.6 × 100: looks like Q1 + Q2
        ("90", "180", 2, "180", None),  # after two quarters (180), a third of 90 is an amount
        ("200", "180", 2, "180", D(180)),  # ≥ their sum: a running total
        ("1026", "0", 0, "1080", None),  # first quarter of a later year, below the plan's running total
        ("2106", "0", 0, "1080", D(1080)),  # the plan's running total typed again
        ("0", "100", 2, "100", None),
    ],
)
def test_the_rule(value, year, count, plan, like):
    if (value, year) == ("5", "2"):
        like = D(2)  # 5 ≥ 1.6 × 2 = 3.2
    assert running_total_suspected(D(value), D(year), count, D(plan)) == like


def _recruits(world: World) -> Indicator:
    """引进人才: a plan-period total (累计) reported as 本期新增; 2025Q1 = 100 approved."""
    IndicatorValue.objects.create(
        indicator=world.recruits, period=world.q1, department=world.a, value=D(100), status=ReviewStatus.APPROVED
    )
    return world.recruits


def test_form_asks_to_confirm_a_running_total_then_saves(world: World) -> None:
    recruits = _recruits(world)
    client = world.client(world.rep_a)
    # Q1 100 + Q2 150 typed as the year so far (the note answers the ±50 % rule, asked first)
    post = world.value_post(indicator=recruits, value="250", note="二季度集中引进")
    response = client.post(reverse("reporting:save_value"), post)
    content = response.content.decode()
    assert response.status_code == 200 and "像是累计数" in content and "确认为本期新增数" in content
    assert not IndicatorValue.objects.filter(indicator=recruits, period=world.q2).exists()
    response = client.post(reverse("reporting:save_value"), {**post, "confirm_amount": "on"})
    assert response.status_code == 302
    assert value_row(world, recruits).value == D(250)


def test_form_takes_an_amount_without_asking(world: World) -> None:
    recruits = _recruits(world)
    response = world.client(world.rep_a).post(
        reverse("reporting:save_value"), world.value_post(indicator=recruits, value="150", note="二季度")
    )
    assert response.status_code == 302 and value_row(world, recruits).value == D(150)


def test_a_level_is_never_asked(world: World) -> None:
    # 人才资源总量 is a stock reported as 期末数: 26 after 25 is the level, not a sum
    response = world.client(world.rep_a).post(reverse("reporting:save_value"), world.value_post(value="26"))
    assert response.status_code == 302


def test_import_preview_lists_suspected_running_totals_and_applies_once_confirmed(wuxing, make_period, client):
    plan = wuxing.plan
    total = plan.indicators.filter(kind="cumulative").order_by("order").first()
    assert total is not None and total.reporting_basis == "period"
    earlier = make_period("2024Y", state=ReportingPeriod.State.LOCKED)
    IndicatorValue.objects.create(
        indicator=total, period=earlier, department=wuxing.unit, value=D(300), status=ReviewStatus.APPROVED
    )
    data = template_bytes(wuxing)
    ws = load(data)["实际值填报"]
    row = next(
        r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(row=r, column=COL["name"]).value == total.name
    )
    data = edit_template(data, {(row, "value"): 330})  # 2025Q1: the running total 300 + 30 typed
    preview = run_import(user=wuxing.reporter, data=data, filename="t.xlsx")
    assert not preview.issues and len(preview.confirmations) == 1
    assert preview.confirmations[0].row == row and "像是累计数" in preview.confirmations[0].message
    not_confirmed = run_import(user=wuxing.reporter, data=data, filename="t.xlsx", apply=True)
    assert (
        not not_confirmed.applied and not IndicatorValue.objects.filter(indicator=total, period=wuxing.period).exists()
    )
    confirmed = run_import(user=wuxing.reporter, data=data, filename="t.xlsx", apply=True, confirmed=True)
    assert confirmed.applied and IndicatorValue.objects.get(indicator=total, period=wuxing.period).value == D(330)
    client.force_login(wuxing.reporter)
    upload = client.post(reverse("excel:upload"), {"file": _file(data)})
    assert "疑似填写了累计数" in upload.content.decode() and "已逐行核对以上疑似累计数" in upload.content.decode()


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "t.xlsx", data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
