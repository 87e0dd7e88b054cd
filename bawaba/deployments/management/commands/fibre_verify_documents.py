"""Check that every issued statement's stored documents, their hashes and the statement rows still agree:
`bawaba fibre_verify_documents [--number DEC-2026-00001-00001 ...]`.

Prints one line per disagreement (a file whose bytes no longer give their SHA-256, a figure of the row that
differs from the one frozen at issue, a stored e-invoice that states other totals, a file not stored) and exits
with status 1 when there is any, so that a scheduled run or a monitoring check sees it.
"""

from django.core.management.base import BaseCommand, CommandError

from bawaba.deployments.billing import frozen as billing_frozen
from bawaba.deployments.models import PaymentStatement


class Command(BaseCommand):
    help = "Verify the stored documents of issued fibre statements against their hashes and figures."

    def add_arguments(self, parser):
        parser.add_argument("--number", action="append", default=[], help="only these statements (repeatable)")

    def handle(self, *args, number=(), **options):
        statements = PaymentStatement.objects.select_related("work_statement", "corrects").order_by("pk")
        if number:
            statements = statements.filter(number__in=number)
            missing = set(number) - set(statements.values_list("number", flat=True))
            if missing:
                raise CommandError(f"no such statement: {', '.join(sorted(missing))}")
        checked = failed = 0
        for statement in statements.iterator(chunk_size=200):
            checked += 1
            problems = billing_frozen.verify(statement)
            if problems:
                failed += 1
                for problem in problems:
                    self.stdout.write(f"{problem.code}\t{statement.number}\t{problem.kind}\t{problem.message}")
        if failed:
            raise CommandError(f"{failed} of {checked} statements disagree with their stored documents")
        self.stdout.write(self.style.SUCCESS(f"{checked} statements: stored documents, hashes and figures agree."))
