from django.core.management.base import BaseCommand

from bawaba.geo.loader import load_algeria, load_congo
from bawaba.geo.models import Commune, District, Region


class Command(BaseCommand):
    help = "Load or refresh reference geography from the pinned data packages: `bawaba geo load`."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"])

    def handle(self, *args, **options):
        dz = load_algeria(Region, District, Commune)
        cg = load_congo(Region)
        self.stdout.write(f"Algeria: {dz}; Congo: {cg}")
