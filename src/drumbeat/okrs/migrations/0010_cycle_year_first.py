"""Cycles list a year before the quarters it contains: by start, the longest first."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("okrs", "0009_plan_suggestion_stagnating_annual_direction"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="cycle",
            options={"ordering": ["start", "-end", "key"]},
        ),
    ]
