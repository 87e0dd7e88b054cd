"""`bawaba lifeproof demo|verify|export|messages|purge|teach-routing|revoke|leave|import`: the command line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Proof of life: demo data, certificate verification, exports, messages and retention."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        demo = actions.add_parser("demo", help="Onboard the demo funds, teach the router, enrol demo pensioners.")
        demo.add_argument("--no-train", action="store_true", help="Record the routing corrections, do not retrain.")
        verify = actions.add_parser("verify", help="Say whether a certificate (PDF file or code) is genuine, "
                                                   "revoked or expired. Exit status 0 only when genuine.")
        verify.add_argument("target", help="a certificate PDF file, or its code (e.g. K7M2-9QXR)")
        verify.add_argument("--json", action="store_true", help="Print the result as JSON.")
        export = actions.add_parser("export", help="CSV of a campaign: proved, pending, late, to suspend.")
        export.add_argument("fund", help="the fund's slug (e.g. cnr)")
        export.add_argument("period", help="the campaign's period (e.g. 2027)")
        export.add_argument("--on", type=dt.date.fromisoformat, default=None, help="as on this day (YYYY-MM-DD)")
        actions.add_parser("messages", help="Send due invitations and reminders now (the daily job).")
        actions.add_parser("purge", help="Delete captured frames past their retention (the nightly job).")
        teach = actions.add_parser("teach-routing", help="Record a JSON-lines file of examples as agents' "
                                                         "corrections to the funds' listening centres.")
        teach.add_argument("file", type=Path)
        teach.add_argument("--agent", required=True, help="username of an agent of the shared centre")
        revoke = actions.add_parser("revoke", help="Revoke a certificate (e.g. issued on a mistaken identity).")
        revoke.add_argument("code", help="the certificate's code")
        revoke.add_argument("--reason", required=True)
        leave = actions.add_parser("leave", help="A pensioner leaves the fund: photo and face template deleted.")
        leave.add_argument("fund", help="the fund's slug (e.g. cnr)")
        leave.add_argument("pension_number")
        leave.add_argument("--reason", default="")
        imp = actions.add_parser("import", help="Import pensioners: CSV/XLSX file and a folder or ZIP of photos.")
        imp.add_argument("fund")
        imp.add_argument("file", type=Path)
        imp.add_argument("photos", type=Path)

    def handle(self, *args, action, **options):
        name = {"import": "import_"}.get(action, action.replace("-", "_"))
        return getattr(self, name)(**options)

    def demo(self, *, no_train=False, **_):
        from bawaba.lifeproof.demo import load_lifeproof_demo

        summary = load_lifeproof_demo(train=not no_train)
        self.stdout.write(self.style.SUCCESS(
            f"Funds {', '.join(summary.funds)}; {summary.corrections} routing corrections recorded; "
            f"{summary.pensioners} pensioners enrolled; {summary.campaigns} campaigns opened."))
        if summary.model:
            self.stdout.write(f"Routing model retrained: {summary.model}")

    def verify(self, *, target, json=False, **_):
        from bawaba.lifeproof import certificates

        path = Path(target)
        result = certificates.verify_pdf(path.read_bytes()) if path.suffix.lower() == ".pdf" or path.is_file() \
            else certificates.verify_code(target)
        payload = result.payload or {}
        if json:
            self.stdout.write(_json({"status": result.status, "code": payload.get("code"),
                                     "valid_until": payload.get("valid_until"), "name": payload.get("name")}))
        else:
            self.stdout.write(f"{result.status}: {result.label}")
            for key in ("code", "fund_name", "name", "pension_number", "proved_on", "valid_until"):
                if key in payload:
                    self.stdout.write(f"  {key}: {payload[key]}")
        if not result.genuine:
            sys.exit(2)

    def export(self, *, fund, period, on=None, **_):
        from bawaba.lifeproof.exports import campaign_csv
        from bawaba.lifeproof.models import Campaign

        try:
            campaign = Campaign.objects.get(organisation__slug=fund, period=period)
        except Campaign.DoesNotExist as exc:
            raise CommandError(f"no campaign {period} for fund {fund}") from exc
        self.stdout.write(campaign_csv(campaign, today=on), ending="")

    def messages(self, **_):
        from bawaba.lifeproof.proofs import send_campaign_messages

        self.stdout.write(str(send_campaign_messages()))

    def purge(self, **_):
        from bawaba.lifeproof.privacy import purge_frames

        self.stdout.write(f"{purge_frames()} attempts' frames deleted")

    def teach_routing(self, *, file, agent, **_):
        from bawaba.accounts.models import User
        from bawaba.lifeproof.demo import teach_routing

        count = teach_routing(User.objects.get(username=agent), path=file)
        self.stdout.write(f"{count} corrections recorded; run `bawaba routing train` to learn them")

    def revoke(self, *, code, reason, **_):
        from bawaba.lifeproof.certificates import do_revoke
        from bawaba.lifeproof.models import Certificate

        certificate = do_revoke(Certificate.objects.get(code=code.strip().upper()), reason=reason)
        self.stdout.write(f"{certificate.code}: revoked on {certificate.revoked_at:%d/%m/%Y %H:%M} ({reason})")

    def leave(self, *, fund, pension_number, reason="", **_):
        from bawaba.lifeproof.enrolment import do_pensioner_leaves
        from bawaba.lifeproof.models import Pensioner

        pensioner = Pensioner.objects.get(organisation__slug=fund, pension_number=pension_number.strip())
        do_pensioner_leaves(pensioner, reason=reason)
        self.stdout.write(f"{pension_number}: left the fund; reference photo and face template deleted")

    def import_(self, *, fund, file, photos, **_):
        from bawaba.lifeproof import enrolment
        from bawaba.orgs.models import Organisation

        organisation = Organisation.objects.get(slug=fund)
        images = enrolment.photos_from_folder(photos) if photos.is_dir() else enrolment.read_photos(photos.read_bytes())
        result = enrolment.import_pensioners(file.read_bytes(), images, organisation=organisation,
                                             filename=file.name)
        for error in result.errors:
            self.stderr.write(f"line {error.row} [{error.column}]: {error.message}")
        if not result.ok:
            raise ValidationError(f"nothing imported: {len(result.errors)} errors")
        self.stdout.write(self.style.SUCCESS(f"{result.created} pensioners enrolled"))


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
