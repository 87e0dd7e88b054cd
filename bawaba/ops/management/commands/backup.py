"""`bawaba backup [PATH]`: one consistent, compressed, checksummed archive of the database and the stored files,
encrypted with BACKUP_ENCRYPTION_KEY when it is set (docs/operations.md, "Backup and restore")."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bawaba.ops import backup, streamcrypt


class Command(BaseCommand):
    help = "Write a backup archive of the database and the stored files."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="the archive to write (default: var/backups/bawaba-<time>...)")
        parser.add_argument("--new-key", action="store_true", help="print a new encryption key and stop")
        parser.add_argument("--no-encryption", action="store_true",
                            help="write a plain archive even when BACKUP_ENCRYPTION_KEY is set")
        parser.add_argument("--include-keys", action="store_true",
                            help="put the embedded default's key files in a plain archive too (keep it safe)")

    def handle(self, *args, **options):
        if options["new_key"]:
            self.stdout.write(streamcrypt.new_key())
            return
        key = None
        configured = os.environ.get("BACKUP_ENCRYPTION_KEY", "")
        if configured and not options["no_encryption"]:
            try:
                key = streamcrypt.parse_key(configured)
            except ValueError as exc:
                raise CommandError(f"BACKUP_ENCRYPTION_KEY: {exc}") from exc
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        default = Path(settings.VAR_DIR) / "backups" / f"bawaba-{stamp}.tar.gz{'.enc' if key else ''}"
        path = Path(options["path"] or default)
        include_keys = True if options["include_keys"] else None
        try:
            report = backup.create_backup(path, key=key, include_keys=include_keys)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{report.path}  {report.size} bytes  sha256 {report.sha256}")
        self.stdout.write(f"database: {report.engine}; files: {report.files}; "
                          f"encrypted: {'yes' if report.encrypted else 'no'}; "
                          f"key files: {'included' if report.keys_included else 'not included'}")
        if not report.keys_included:
            self.stderr.write("The key files of this machine are not in the archive: keep BAWABA_BIOMETRIC_KEYS, "
                              "HYBRIDMAIL_KEYS, HYBRIDMAIL_ID_KEY, SECRET_KEY and the seal keys safe elsewhere "
                              "(or encrypt the archive, which then carries them).")
