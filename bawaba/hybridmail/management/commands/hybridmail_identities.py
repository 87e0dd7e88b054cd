"""Load the national identity register: `manage.py hybridmail_identities register.xlsx --country DZ`."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bawaba.hybridmail.identities import import_identities, load_demo_identities


class Command(BaseCommand):
    help = ("Import identities (columns id_number, full_name, birth_date, kind, commune) from CSV or XLSX; nothing "
            "is stored if any row has an error. Identity numbers are kept only as keyed hashes.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--country", default="DZ", help="DZ (Algeria) or CG (Congo)")
        parser.add_argument("--source", default="", help="where the file came from (kept on each record)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
        parser.add_argument("--demo", action="store_true", help="load the demo identities instead of a file")

    def handle(self, *args, file, country, source, dry_run, demo, **options):
        if demo:
            self.stdout.write(self.style.SUCCESS(f"{load_demo_identities()} demo identities added."))
            return
        if file is None or not file.is_file():
            raise CommandError(f"No file {file}")
        if country.upper() not in ("DZ", "CG"):
            raise CommandError("--country must be DZ or CG")
        try:
            result = import_identities(file.read_bytes(), country=country, source=source or file.name,
                                       dry_run=dry_run)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"line {error.row}, {error.column}: {error.message}")
            raise CommandError(f"{len(result.errors)} error(s) in {result.rows} row(s); nothing was imported.")
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"{result.rows} rows checked; nothing stored (--dry-run)."))
            return
        self.stdout.write(self.style.SUCCESS(
            f"{result.rows} rows: {result.created} identities added, {result.updated} updated."))
