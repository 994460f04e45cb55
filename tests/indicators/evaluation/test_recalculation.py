"""Plan-wide changes are re-evaluated in the background (issue 16): pages keep showing the previous verdicts,
labelled with the progress, until the worker is done; writes of figures re-evaluate their own pairs at once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from indicators.evaluation import services as verdicts
from indicators.evaluation.models import Recalculation, Verdict
from tests.worlds.dashboard import add_value

pytestmark = pytest.mark.django_db
D = Decimal
BACKGROUND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_running_recalculation_is_shown_with_its_progress(world, client_leader):
    Recalculation.objects.create(plan=world["plan"], state=Recalculation.State.RUNNING, total=10, done=4)
    for url in (reverse("dashboard:overview"), reverse("dashboard:plan", args=[world["plan"].code])):
        html = client_leader.get(url).content.decode()
        assert "正在重新计算：已完成 40%，以下为更新前的结果" in html, url


def test_with_a_worker_the_change_is_queued_and_the_previous_verdicts_stay(world, client_leader):
    plan = world["plan"]
    before = dict(Verdict.objects.filter(indicator__plan=plan, unit__isnull=True).values_list("pk", "status"))
    level = world["level"]
    level.target = D(150)  # 152 at 2023Y now beats the whole target
    level.save()
    with override_settings(TASKS=BACKGROUND):  # the enqueue waits for a commit this test never makes
        (job,) = verdicts.plans_changed(plan_ids=[plan.pk], reason="目标调整")
        assert job.state == Recalculation.State.PENDING
        assert (
            dict(Verdict.objects.filter(indicator__plan=plan, unit__isnull=True).values_list("pk", "status")) == before
        )  # nothing evaluated inside the request
        html = client_leader.get(reverse("dashboard:plan", args=[plan.code])).content.decode()
        assert "正在重新计算" in html
    verdicts.run(job.pk)  # what the worker does
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (Recalculation.State.DONE, 3, 3)
    status = Verdict.objects.get(indicator=level, unit__isnull=True, as_of=world["p2023"].end).status
    assert status == "achieved"
    assert "正在重新计算" not in client_leader.get(reverse("dashboard:plan", args=[plan.code])).content.decode()


def test_a_figure_is_evaluated_at_once_for_its_own_pair_and_later_dates(world, make_period):
    """No worker needed for a submission: its pair, at its period's end and every later date of the plan."""
    later = make_period("2024Y")
    add_value(world["share"], later, world["hr"], "29")
    dates = set(
        Verdict.objects.filter(indicator=world["share"], unit__isnull=True, as_of__gte=later.end).values_list(
            "as_of", flat=True
        )
    )
    assert later.end in dates
    assert Verdict.objects.get(indicator=world["share"], unit__isnull=True, as_of=later.end).status == "on_track"


# serialized_rollback: the flush after a transactional test recreates content types and loses the role groups of
# the data migration; restoring the serialized database keeps later transactional tests' start state the same.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_recalculation_spread_over_processes_writes_what_one_process_writes(world, settings, monkeypatch):
    """On PostgreSQL outside a transaction the chunks run in forked processes with their own connections; the
    verdicts are the same rows, and progress counts every indicator once. (SQLite runs the same chunks in turn.)"""
    plan = world["plan"]
    monkeypatch.setattr(verdicts, "CHUNK", 1)  # one indicator a chunk: several chunks for the processes

    def stored() -> list[tuple]:
        return sorted(
            Verdict.objects.filter(indicator__plan=plan).values_list(
                "indicator_id", "unit_id", "as_of", "status", "sort_ratio", "payload"
            ),
            key=lambda r: (r[0], r[1] or 0, r[2]),
        )

    settings.EVALUATION_PROCESSES = 1
    one = verdicts.recompute([plan.pk])
    alone = stored()
    settings.EVALUATION_PROCESSES = 2
    done: list[int] = []
    spread = verdicts.recompute([plan.pk], progress=done.append)
    assert spread == one == len(alone) > 0
    assert stored() == alone
    assert sum(done) == plan.indicators.count()


def _create_counted(world, period, value: str) -> tuple:
    """A counted figure written without evaluating (the write half of add_value), returned as figures_changed
    takes it."""
    from indicators.models import IndicatorValue

    IndicatorValue.objects.create(
        indicator=world["share"],
        period=period,
        department=world["hr"],
        value=D(value),
        basis="official",
        status="approved",
    )
    return (world["share"].pk, world["hr"].pk, period.end)


def test_a_large_write_is_refreshed_by_the_worker_after_commit(world, make_period, client_leader):
    """More pairs than EVALUATION_INLINE_PAIRS with a worker: the write evaluates nothing itself; one refresh per
    plan holds its pairs, pages label the plan as being refreshed, and the worker's run writes what an inline
    evaluation writes (the same pair, the same dates)."""
    plan = world["plan"]
    later = make_period("2024Y")
    figure = _create_counted(world, later, "29")
    with override_settings(TASKS=BACKGROUND, EVALUATION_INLINE_PAIRS=0):
        assert verdicts.figures_changed(figures=[figure], reason="导入") == 0
        (job,) = Recalculation.objects.filter(plan=plan, state=Recalculation.State.PENDING)
        assert job.figures == [[world["share"].pk, world["hr"].pk, later.end.isoformat()]]
        assert (job.state, job.total, job.reason) == (Recalculation.State.PENDING, 1, "导入")
        before = Verdict.objects.get(indicator=world["share"], unit__isnull=True, as_of=later.end)
        assert before.status == "behind"  # the new figure is not counted yet: the previous verdict stays
        html = client_leader.get(reverse("dashboard:plan", args=[plan.code])).content.decode()
        assert "正在重新计算：已完成 0%" in html
    verdicts.run(job.pk)  # what the worker does after the commit
    job.refresh_from_db()
    assert (job.state, job.done) == (Recalculation.State.DONE, 1)
    scheduled = sorted(
        Verdict.objects.filter(indicator=world["share"], as_of__gte=later.end).values_list(
            "unit_id", "as_of", "status", "payload"
        ),
        key=lambda r: (r[0] or 0, r[1]),
    )
    assert scheduled and Verdict.objects.get(indicator=world["share"], unit__isnull=True, as_of=later.end).status == (
        "on_track"
    )
    verdicts.figures_changed(figures=[figure])  # inline, as a form's submission: the same rows
    inline = sorted(
        Verdict.objects.filter(indicator=world["share"], as_of__gte=later.end).values_list(
            "unit_id", "as_of", "status", "payload"
        ),
        key=lambda r: (r[0] or 0, r[1]),
    )
    assert inline == scheduled
    assert "正在重新计算" not in client_leader.get(reverse("dashboard:plan", args=[plan.code])).content.decode()


def test_a_small_write_is_evaluated_in_its_own_transaction_even_with_a_worker(world, make_period):
    later = make_period("2024Y")
    figure = _create_counted(world, later, "29")
    with override_settings(TASKS=BACKGROUND):  # the default limit is far above one pair
        assert verdicts.figures_changed(figures=[figure]) > 0
    assert not Recalculation.objects.exclude(figures=[]).exists()
    assert Verdict.objects.filter(indicator=world["share"], unit__isnull=True, as_of=later.end).exists()


def test_a_plan_wide_run_covers_waiting_refreshes_but_a_refresh_covers_only_itself(world, make_period):
    plan = world["plan"]
    later = make_period("2024Y")
    figure = _create_counted(world, later, "29")
    with override_settings(TASKS=BACKGROUND, EVALUATION_INLINE_PAIRS=0):
        verdicts.figures_changed(figures=[figure])
        (wide,) = verdicts.plans_changed(plan_ids=[plan.pk], reason="目标调整")
    (pairs,) = Recalculation.objects.filter(state=Recalculation.State.PENDING).exclude(pk=wide.pk)
    verdicts.run(pairs.pk)
    wide.refresh_from_db()
    assert wide.state == Recalculation.State.PENDING  # the pairs' refresh did not do the plan's work
    verdicts.run(wide.pk)
    assert set(Recalculation.objects.values_list("state", flat=True)) == {Recalculation.State.DONE}
    with override_settings(TASKS=BACKGROUND, EVALUATION_INLINE_PAIRS=0):
        verdicts.figures_changed(figures=[figure])
        (wide,) = verdicts.plans_changed(plan_ids=[plan.pk], reason="基期值")
    verdicts.run(wide.pk)  # the plan-wide run reads every figure: the waiting refresh is done with it
    assert set(Recalculation.objects.values_list("state", flat=True)) == {Recalculation.State.DONE}
