"""Import sites and work orders for a contract: `manage.py fibre_import CT-2026-001 orders.xlsx`."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bawaba.deployments.models import Contract
from bawaba.deployments.work.importing import import_work_orders


class Command(BaseCommand):
    help = "Import sites and work orders from CSV or XLSX; nothing is stored if any row has an error."

    def add_arguments(self, parser):
        parser.add_argument("contract", help="Contract reference")
        parser.add_argument("file", type=Path)

    def handle(self, *args, contract, file, **options):
        try:
            target = Contract.objects.select_related("programme", "price_schedule_version").get(reference=contract)
        except Contract.DoesNotExist as exc:
            raise CommandError(f"No contract {contract}") from exc
        if not file.is_file():
            raise CommandError(f"No file {file}")
        with file.open("rb") as handle:
            try:
                result = import_work_orders(handle, contract=target, filename=file.name)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"line {error.row}, {error.column}: {error.message}")
            raise CommandError(f"{len(result.errors)} error(s) in {result.rows} row(s); nothing was imported.")
        self.stdout.write(self.style.SUCCESS(
            f"{result.created_work_orders} work orders, {result.created_items} items, "
            f"{result.created_sites} new sites ({result.reused_sites} existing)."))
