from django.db import migrations


class Migration(migrations.Migration):
    """The task ↔ indicator link moves to `indicators.Indicator.carried_by` (indicators 0010), keeping its table, so
    that plans no longer refers to indicators. State only: no row moves."""

    dependencies = [
        ("plans", "0003_assignment_printed_role"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="task", name="indicators")],
            database_operations=[],
        ),
    ]
