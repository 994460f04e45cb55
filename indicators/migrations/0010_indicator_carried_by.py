from django.db import migrations, models


class Migration(migrations.Migration):
    """The task ↔ indicator link, declared on this side (plans 0004 removed it from Task); the table stays."""

    dependencies = [
        ("indicators", "0009_reporting_basis"),
        ("plans", "0004_task_indicators_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="indicator",
                    name="carried_by",
                    field=models.ManyToManyField(
                        blank=True, db_table="plans_task_indicators", help_text="以该指标衡量进展的重点任务。",
                        related_name="indicators", to="plans.task", verbose_name="承载任务"),
                ),
            ],
            database_operations=[],
        ),
    ]
