# Only the shared centre may hold the orientation service, and only one service may be it.

import bawaba.orgs.models
from django.db import migrations, models


def keep_one_orientation_service(apps, schema_editor):
    """Before the constraint: untick orientation outside the shared centre (an organisation admin could tick
    it before), then keep the first by code if several remain."""
    Service = apps.get_model("orgs", "Service")
    Service.objects.filter(is_orientation=True).exclude(organisation__kind="platform").update(is_orientation=False)
    extra = Service.objects.filter(is_orientation=True).order_by("-is_active", "code").values_list("pk", flat=True)[1:]
    Service.objects.filter(pk__in=list(extra)).update(is_orientation=False)


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='organisation',
            name='timezone',
            field=models.CharField(default='Africa/Algiers', max_length=64,
                                   validators=[bawaba.orgs.models.validate_timezone]),
        ),
        migrations.RunPython(keep_one_orientation_service, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='service',
            constraint=models.UniqueConstraint(condition=models.Q(('is_orientation', True)), fields=('is_orientation',),
                                               name='orgs_service_single_orientation',
                                               violation_error_message='There is already an orientation service.'),
        ),
    ]
