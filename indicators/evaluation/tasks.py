"""Background work of the evaluation: run by `manage.py db_worker` (django-tasks' database backend)."""

from __future__ import annotations

from django_tasks import task

from indicators.evaluation import services


@task()
def recalculate(recalculation_id: int) -> None:
    services.run(recalculation_id)
