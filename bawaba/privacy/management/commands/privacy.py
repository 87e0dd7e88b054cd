"""`manage.py privacy retention|register`: apply the retention rules now; print the register as JSON."""

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Personal data: apply the retention rules now, or print the register of processing."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["retention", "register"])

    def handle(self, action, **_):
        if action == "retention":
            from bawaba.privacy.retention import apply_all

            for run in apply_all():
                self.stdout.write(f"{run.rule}: {json.dumps(run.counts)}")
        else:
            from bawaba.privacy.register import rows

            self.stdout.write(json.dumps(rows(), ensure_ascii=False, indent=2))
