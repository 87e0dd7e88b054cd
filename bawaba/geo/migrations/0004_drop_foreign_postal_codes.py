"""Postal codes joined by name across wilayas upstream are emptied (see loader.checked_postal_code)."""

from django.db import migrations


def drop(apps, schema_editor):
    from bawaba.geo.loader import drop_foreign_postal_codes

    drop_foreign_postal_codes(apps.get_model("geo", "Region"), apps.get_model("geo", "Commune"))


class Migration(migrations.Migration):
    dependencies = [("geo", "0003_french_names_with_accents")]
    operations = [migrations.RunPython(drop, migrations.RunPython.noop)]
