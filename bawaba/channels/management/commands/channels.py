import logging
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from bawaba.channels.email import ingest_email

log = logging.getLogger(__name__)

EX_DATAERR = 65  # sysexits: the mail server bounces the message with our explanation
EX_TEMPFAIL = 75  # sysexits: the mail server keeps the message and tries again later


class Command(BaseCommand):
    help = "Intake adapters: `bawaba channels email < message.eml` (pipe from the mail server)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="channel", required=True)
        mail = sub.add_parser("email", help="read one RFC 5322 message on stdin or from files")
        mail.add_argument("files", nargs="*")

    def handle(self, *args, channel, files, **options):
        sources = files or ["-"]
        refused = failed = 0
        for source in sources:
            if source == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(source, "rb") as handle:
                    raw = handle.read()
            try:
                outcome = ingest_email(raw)
            except ValidationError as exc:
                refused += 1
                self.stderr.write(f"{source}: refused: {' '.join(exc.messages)}")
                continue
            except Exception:
                # A fault on our side (database down, a bug): not the sender's doing, so no bounce, and the
                # other files of the batch are still read.
                failed += 1
                log.exception("could not store the e-mail %s", source)
                self.stderr.write(f"{source}: failed, to be tried again")
                continue
            verb = "created" if outcome.created else "added to"
            kept = f" ({len(outcome.refused)} attachment(s) not kept)" if outcome.refused else ""
            self.stdout.write(f"{source}: {verb} {outcome.request.reference}{kept}")
        if refused:
            sys.exit(EX_DATAERR)
        if failed:
            sys.exit(EX_TEMPFAIL)
