"""`bawaba restore ARCHIVE`: rebuild the platform from a backup on an empty machine (docs/operations.md)."""

import os

from django.core.management.base import BaseCommand, CommandError

from bawaba.ops import backup, streamcrypt


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and the stored-files directories."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that already holds data, and files that differ")
        parser.add_argument("--check", action="store_true", help="only check the archive (checksums, key)")

    def handle(self, *args, **options):
        key = None
        if os.environ.get("BACKUP_ENCRYPTION_KEY"):
            try:
                key = streamcrypt.parse_key(os.environ["BACKUP_ENCRYPTION_KEY"])
            except ValueError as exc:
                raise CommandError(f"BACKUP_ENCRYPTION_KEY: {exc}") from exc
        try:
            if options["check"]:
                import tempfile
                from pathlib import Path

                with tempfile.TemporaryDirectory() as work:
                    manifest = backup.unpack(Path(options["archive"]), Path(work), key=key)
                self.stdout.write(f"archive is whole: {len(manifest['files'])} members, {manifest['engine']}, "
                                  f"taken {manifest['created_at']}")
                return
            report = backup.restore_backup(options["archive"], key=key, force=options["force"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored the {report.engine} backup of {report.created_at}: {report.files} files")
