from django.db import migrations


def load(apps, schema_editor):
    from bawaba.geo.loader import load_algeria, load_congo

    Region = apps.get_model("geo", "Region")
    load_algeria(Region, apps.get_model("geo", "District"), apps.get_model("geo", "Commune"))
    load_congo(Region)


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
