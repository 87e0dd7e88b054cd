"""`bawaba open311 key issue|revoke|list`: Open311 api_keys of civic apps, from the command line."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bawaba.open311.models import App
from bawaba.open311.services import do_issue_key, do_revoke_key


class Command(BaseCommand):
    help = "Open311 api_keys of civic apps."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        key = actions.add_parser("key", help="Issue, revoke or list api_keys.")
        key_actions = key.add_subparsers(dest="key_action", required=True, metavar="ACTION")
        issue = key_actions.add_parser("issue", help="Issue a key; prints it once, alone on standard output.")
        issue.add_argument("--name", required=True, help="The app, e.g. 'FixMyCity'.")
        issue.add_argument("--email", default="", help="Its developers' contact address.")
        revoke = key_actions.add_parser("revoke", help="Stop accepting a key at once.")
        revoke.add_argument("prefix", help="The part between o311_ and the secret.")
        key_actions.add_parser("list", help="Apps and their key prefixes.")

    def handle(self, *args, action, key_action, **options):
        if key_action == "issue":
            try:
                _app, raw = do_issue_key(options["name"], contact_email=options["email"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            self.stdout.write(raw)
        elif key_action == "revoke":
            app = App.objects.filter(prefix=options["prefix"]).first()
            if app is None:
                raise CommandError(f"No app with key prefix {options['prefix']!r}.")
            do_revoke_key(app)
            self.stderr.write(f"Key o311_{app.prefix}_… of {app.name} revoked.")
        else:
            for app in App.objects.all():
                state = f"revoked {app.revoked_at:%Y-%m-%d}" if app.revoked_at else "active"
                self.stdout.write(f"{app.prefix}\t{state}\t{app.name}")
