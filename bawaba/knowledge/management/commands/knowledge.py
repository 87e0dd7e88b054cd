"""`bawaba knowledge load-demo` and `bawaba knowledge reindex`."""

from django.core.management.base import BaseCommand

from bawaba.knowledge.demo import load_demo_articles
from bawaba.knowledge.search import rebuild_index


class Command(BaseCommand):
    help = "Knowledge base: load the demo articles or rebuild the full-text index."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load-demo", "reindex"])

    def handle(self, *args, action, **options):
        if action == "load-demo":
            self.stdout.write(f"{load_demo_articles()} article(s) created or updated")
        else:
            self.stdout.write(f"{rebuild_index()} article(s) indexed")
