from django.db import migrations


def load(apps, schema_editor):
    # The loader now writes French place names with their accents (Béjaïa, Sétif): rename what 0002 loaded.
    from bawaba.geo.loader import add_accents

    add_accents(apps.get_model("geo", "Region"), apps.get_model("geo", "District"), apps.get_model("geo", "Commune"))


class Migration(migrations.Migration):
    dependencies = [("geo", "0002_load_reference_geography")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
