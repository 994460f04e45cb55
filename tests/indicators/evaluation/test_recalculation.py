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
