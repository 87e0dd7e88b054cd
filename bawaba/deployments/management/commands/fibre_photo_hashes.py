"""Compute the perceptual hash of stored photos that have none yet: `manage.py fibre_photo_hashes`.

The migration that added the hashes ran the same backfill; run this again after restoring photo files that were
missing then (re-runnable: only photos whose hash is still NULL are read).
"""

from django.core.management.base import BaseCommand

from bawaba.deployments.field import photohash as field_photohash
from bawaba.deployments.models import Photo


class Command(BaseCommand):
    help = "Compute the perceptual hash of stored report photos that have none yet."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, batch_size=200, **options):
        hashed, missing = field_photohash.backfill(Photo, batch_size=batch_size,
                                             log=lambda line: self.stderr.write(line))
        self.stdout.write(self.style.SUCCESS(f"{hashed} photos hashed, {missing} files missing or unreadable."))
