"""Perceptual hashes of the photos stored before they were computed at upload (see photohash.backfill)."""

from django.db import migrations


def backfill(apps, schema_editor):
    from bawaba.deployments import photohash

    photohash.backfill(apps.get_model("deployments", "Photo"))


class Migration(migrations.Migration):
    dependencies = [("deployments", "0006_photo_perceptual_hash")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
