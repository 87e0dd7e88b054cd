"""Communes without a postal code get the one Algérie Poste's lists settle (see bawaba.geo.postcodes)."""

from django.db import migrations


def fill(apps, schema_editor):
    from bawaba.geo.postcodes import fill_postal_codes

    fill_postal_codes(apps.get_model("geo", "Region"), apps.get_model("geo", "Commune"))


class Migration(migrations.Migration):
    dependencies = [("geo", "0005_ops_commune_membership")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
