"""Issue the monthly statements: `manage.py fibre_statements 2026-10` (defaults to last month)."""

import datetime as dt
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bawaba.deployments.billing.statements import do_issue_monthly_statements


class Command(BaseCommand):
    help = "Issue work statements and payment statements for every contract with accepted work in the month."

    def add_arguments(self, parser):
        parser.add_argument("month", nargs="?", help="YYYY-MM (default: last month)")
        parser.add_argument("--workers", type=int, default=1, help="parallel worker processes (PostgreSQL)")

    def handle(self, *args, month=None, workers=1, **options):
        if month:
            try:
                year, number = (int(part) for part in month.split("-"))
                dt.date(year, number, 1)
            except ValueError as exc:
                raise CommandError("month must look like 2026-10") from exc
        else:
            last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
            year, number = last.year, last.month
        issued = do_issue_monthly_statements(year, number, None, workers=workers)
        totals: dict[str, Decimal] = {}  # per currency: a Congolese contract bills in XAF beside the dinars
        for statement in issued:
            totals[statement.currency] = totals.get(statement.currency, Decimal(0)) + statement.net_amount
        amounts = " + ".join(f"{amount} {code}" for code, amount in sorted(totals.items())) or "0 DZD"
        self.stdout.write(self.style.SUCCESS(f"{len(issued)} payment statements issued, net payable {amounts}."))
