import datetime as dt
import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bawaba.orgs.models import Organisation
from bawaba.orgs.services import do_extend_holidays, do_onboard_organisation


class Command(BaseCommand):
    help = ("Onboard or list organisations, or load a year of public holidays: `bawaba orgs onboard spec.json`, "
            "`bawaba orgs list`, `bawaba orgs holidays --year 2027`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        onboard = sub.add_parser("onboard", help="create or update an organisation from a JSON file (- for stdin)")
        onboard.add_argument("spec")
        sub.add_parser("list", help="list organisations with their services")
        holidays = sub.add_parser(
            "holidays",
            help="load a year of public holidays (from the holidays package) for every organisation that lacks it",
        )
        holidays.add_argument("--year", type=int, default=dt.date.today().year + 1, help="default: next year")
        holidays.add_argument("--organisation", help="only this organisation (its slug)")

    def handle(self, *args, action, **options):
        if action == "holidays":
            return self.load_holidays(options["year"], options.get("organisation"))
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
        if not isinstance(spec, dict):
            raise CommandError("onboarding refused: the specification must be a JSON object (see docs/operations.md)")
        try:
            org = do_onboard_organisation(spec)
        except (ValidationError, KeyError) as exc:
            raise CommandError(f"onboarding refused: {exc}") from exc
        except (ValueError, TypeError, AttributeError) as exc:
            # A value of the wrong shape (hours "8h", an SLA target that is not an object…): nothing was
            # stored (one transaction); say what was read instead of printing a traceback.
            raise CommandError(f"onboarding refused: a value has the wrong form ({exc}); nothing was stored. "
                               "See docs/operations.md for the format.") from exc
        self.stdout.write(self.style.SUCCESS(
            f"{org.slug}: {org.services.count()} services, {org.queues.count()} queues, {org.staff.count()} staff"
        ))

    def load_holidays(self, year, slug):
        if not 1900 <= year <= 2200:
            raise CommandError(f"year out of range: {year}")
        organisations = Organisation.objects.filter(is_active=True)
        if slug:
            organisations = Organisation.objects.filter(slug=slug)
            if not organisations.exists():
                raise CommandError(f"no organisation {slug}")
        for org in organisations:
            created = do_extend_holidays(org, year)
            note = f"{created} holidays added" if created else "already loaded, left as is"
            self.stdout.write(f"{org.slug}\t{year}\t{note}")
