from django.db import migrations, models


def recorded_when_finished(apps, schema_editor):
    """Orders completed before this field existed: their completion was recorded when they were completed (the
    decision time was all completed_at held then)."""
    WorkOrder = apps.get_model("deployments", "WorkOrder")
    WorkOrder.objects.filter(completed_at__isnull=False).update(completion_recorded_at=models.F("completed_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("deployments", "0004_issued_documents_snapshot"),
    ]

    operations = [
        migrations.AddField(
            model_name="workorder",
            name="completion_recorded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(recorded_when_finished, migrations.RunPython.noop),
    ]
