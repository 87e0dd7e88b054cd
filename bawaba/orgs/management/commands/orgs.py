import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bawaba.orgs.models import Organisation
from bawaba.orgs.services import do_onboard_organisation


class Command(BaseCommand):
    help = "Onboard or list organisations: `bawaba orgs onboard spec.json`, `bawaba orgs list`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        onboard = sub.add_parser("onboard", help="create or update an organisation from a JSON file (- for stdin)")
        onboard.add_argument("spec")
        sub.add_parser("list", help="list organisations with their services")

    def handle(self, *args, action, **options):
        if action == "list":
            for org in Organisation.objects.prefetch_related("services"):
                self.stdout.write(f"{org.slug}\t{org.kind}\t{org.name_fr}")
                for service in org.services.all():
                    self.stdout.write(f"  {service.code}\t{service.name_fr}")
            return
        try:
            if options["spec"] == "-":
                spec = json.load(sys.stdin)
            else:
                with open(options["spec"], encoding="utf-8") as source:
                    spec = json.load(source)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read {options['spec']}: {exc}") from exc
        try:
            org = do_onboard_organisation(spec)
        except (ValidationError, KeyError) as exc:
            raise CommandError(f"onboarding refused: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(
            f"{org.slug}: {org.services.count()} services, {org.queues.count()} queues, {org.staff.count()} staff"
        ))
