import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from bawaba.channels.email import ingest_email

EX_DATAERR = 65  # sysexits: the mail server bounces the message with our explanation


class Command(BaseCommand):
    help = "Intake adapters: `bawaba channels email < message.eml` (pipe from the mail server)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="channel", required=True)
        mail = sub.add_parser("email", help="read one RFC 5322 message on stdin or from files")
        mail.add_argument("files", nargs="*")

    def handle(self, *args, channel, files, **options):
        sources = files or ["-"]
        failed = 0
        for source in sources:
            if source == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(source, "rb") as handle:
                    raw = handle.read()
            try:
                outcome = ingest_email(raw)
            except ValidationError as exc:
                failed += 1
                self.stderr.write(f"{source}: refused: {' '.join(exc.messages)}")
                continue
            verb = "created" if outcome.created else "added to"
            self.stdout.write(f"{source}: {verb} {outcome.request.reference}")
        if failed:
            sys.exit(EX_DATAERR)
