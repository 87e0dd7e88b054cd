"""The hybrid-mail part of `bawaba demo load` (after the postal demo, whose operators, offices, postal products and
S10 ranges it uses): Algérie Poste and SOPECO each with mail products and a tariff, a sending ministry, citizens
of the identity register with mailboxes, print centres with their staff, and letters in every state with their
evidence, all written through hybrid mail's own functions (dispatch, runs, reports, reconciliation, postal
tracking).

Everything is marked as demo: print centres and identities carry ``is_demo``; organisations, products, tariffs,
senders and batches are named "(démo)"/"DEMO". Names, national identity numbers (18 digits, not real), phones and
addresses are made up; places (wilayas, communes, Congolese departments) come from bawaba.geo.

Congo has no communes in bawaba.geo (departments only): SOPECO's demo letters name their department
(`Letter.recipient_region`), by which `dispatch.centre_for` routes them to the Brazzaville centre.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import random
from collections import Counter
from decimal import Decimal

from django.db import transaction

PASSWORD = "bawaba-demo"  # noqa: S105 - the published demo password, as for the other demo logins
SYSTEM = ("system:hybridmail-demo", "platform")


@dataclasses.dataclass
class MailSummary:
    skipped: str = ""
    letters: Counter = dataclasses.field(default_factory=Counter)
    runs: int = 0
    mailboxes: int = 0


def demo_logins() -> list[dict]:
    return [
        {"username": "poste.print-alger", "roles": ["hybridmail.print"], "organisation": "algerie-poste",
         "try": "Print runs of the Alger centre: download a run's PDF and manifest, scan a sheet's code."},
        {"username": "poste.print-oran", "roles": ["hybridmail.print"], "organisation": "algerie-poste",
         "try": "The Oran centre: Alger's runs answer 404 here."},
        {"username": "poste.mail-supervisor", "roles": ["hybridmail.supervisor"], "organisation": "algerie-poste",
         "try": "Hybrid mail: centres and coverage, letters no centre covers (Tamanrasset), runs and reconciliation."},
        {"username": "sopeco.print-bzv", "roles": ["hybridmail.print"], "organisation": "sopeco",
         "try": "SOPECO's Brazzaville print centre: Congolese addresses (quartier, BP, landmark) in the manifest."},
        {"username": "sopeco.mail-supervisor", "roles": ["hybridmail.supervisor"], "organisation": "sopeco",
         "try": "SOPECO's hybrid mail, in FCFA."},
        {"username": "mf-demo.sender", "roles": ["hybridmail.sender"], "organisation": "ministere-finances-demo",
         "try": "A ministry sending letters through Algérie Poste and SOPECO."},
        {"username": "poste.office-alger", "roles": ["hybridmail.office_manager"], "organisation": "algerie-poste",
         "try": "The cyber-postes of the Alger main office: terminals, bookings and sessions, CSV export."},
    ]


def letter_pdf(lines: list[str], pages: int = 1, subject: str = "") -> bytes:
    """A demo A4 letter with the address in the DIN 5008 form B window (ReportLab, standard fonts)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    height = A4[1]
    for number in range(pages):
        if number == 0:
            text = page.beginText(25 * mm, height - 50 * mm)
            text.setFont("Helvetica", 10)
            for line in lines:
                text.textLine(line)
            page.drawText(text)
            page.setFont("Helvetica-Bold", 12)
            page.drawString(25 * mm, height - 105 * mm, subject[:80])
        page.setFont("Helvetica", 11)
        page.drawString(25 * mm, height - 120 * mm, f"DEMO — page {number + 1}/{pages}")
        page.showPage()
    page.save()
    return buffer.getvalue()


class _Builder:
    def __init__(self, rng: random.Random, now: dt.datetime, summary: MailSummary):
        self.rng, self.now, self.summary = rng, now, summary
        self.counter = 0

    def operator_setup(self, operator, *, currency: str, code_prefix: str):
        from bawaba.postal.models import Product

        from .models import MailProduct, MailTariff, MailTariffLine, Path

        registered_postal = Product.objects.filter(organisation=operator, code="registered").first()
        products = {
            "ordinary": MailProduct.objects.create(operator=operator, code="lettre-demo",
                                                   name_fr="Lettre hybride (démo)", name_ar="رسالة هجينة (تجريبي)",
                                                   name_en="Hybrid letter (demo)",
                                                   path=Path.DIGITAL_THEN_PAPER),
            "registered": MailProduct.objects.create(
                operator=operator, code="recommande-demo", name_fr="Lettre recommandée hybride (démo)",
                name_ar="رسالة مضمونة هجينة (تجريبي)", name_en="Hybrid registered letter (demo)", registered=True,
                path=Path.DIGITAL_THEN_PAPER, paper_after_days=5, postal_product=registered_postal),
            "paper": MailProduct.objects.create(operator=operator, code="papier-demo", name_fr="Lettre imprimée (démo)",
                                                name_en="Printed letter (demo)", path=Path.PAPER),
        }
        tariff = MailTariff.objects.create(operator=operator, label=f"{code_prefix} hybride (démo)",
                                           valid_from=self.now.date() - dt.timedelta(days=60), currency=currency)
        scale = Decimal("1") if currency == "DZD" else Decimal("8")
        for key, product in products.items():
            paper = Decimal("120") if key == "registered" else Decimal("60")
            MailTariffLine.objects.create(tariff=tariff, product=product, digital_price=Decimal("25") * scale,
                                          paper_price=paper * scale, extra_sheet_price=Decimal("10") * scale)
        return products, tariff

    def centre(self, operator, code, name, region, office):
        from .models import PrintCentre

        centre = PrintCentre.objects.create(operator=operator, code=code, name_fr=name, office=office, is_demo=True)
        centre.regions.add(region)
        return centre

    def staff(self, org, username, roles, centre=None):
        from django.contrib.auth.hashers import make_password

        from bawaba.orgs.services import do_add_staff

        from .models import PrintCentreStaff

        user = do_add_staff(org, {"username": username, "roles": roles, "password_hash": make_password(PASSWORD)})
        if centre is not None:
            PrintCentreStaff.objects.create(user=user, centre=centre)
        return user

    def identity(self, country, name, commune=None):
        from .identity import id_hash, last_digits
        from .models import IdentityRecord

        nin = "9" + "".join(str(self.rng.randrange(10)) for _ in range(17))
        record = IdentityRecord.objects.create(country=country, id_hash=id_hash(nin, country=country),
                                               id_last_digits=last_digits(nin), full_name=name, commune=commune,
                                               source="demo", is_demo=True)
        return record, nin

    def mailbox(self, operator, identity, phone, commune=None, language="fr"):
        from .models import Mailbox, OpenedVia
        from .references import mailbox_number

        self.summary.mailboxes += 1
        return Mailbox.objects.create(number=mailbox_number(identity.country), operator=operator, identity=identity,
                                      holder_name=identity.full_name, phone=phone, language=language, commune=commune,
                                      opened_via=OpenedVia.SMS, opened_at=self.now - dt.timedelta(days=30))

    def letter(self, sender, product, *, name, lines, nin="", phone="", commune=None, country="DZ", quartier="",
               po_box="", landmark="", pages=1, subject="", age_days=3, region=None):
        from bawaba.evidence.events import Event
        from bawaba.evidence.services import record_evidence

        from . import references, vault
        from .identity import id_hash
        from .models import Batch, BatchKind, Letter

        at = self.now - dt.timedelta(days=age_days, minutes=self.rng.randrange(600))
        address_lines = [x for x in lines if x]
        pdf = letter_pdf([name, *address_lines, *[x for x in (quartier, f"BP {po_box}" if po_box else "",
                                                              landmark) if x]], pages=pages, subject=subject)
        batch = Batch.objects.create(reference=references.batch_reference(), sender=sender.organisation,
                                     operator=sender.operator, product=product, kind=BatchKind.PDF, created_at=at,
                                     label="DEMO", letters_total=1, letters_accepted=1, checked_at=at)
        reference = references.letter_reference()
        letter = Letter.objects.create(
            reference=reference, batch=batch, sender=sender.organisation, operator=sender.operator, product=product,
            subject=subject, recipient_name=name, recipient_id_hash=id_hash(nin, country=country) if nin else "",
            recipient_phone=phone, recipient_address="\n".join(address_lines),
            recipient_postcode=commune.postal_code if commune is not None else "", recipient_commune=commune,
            recipient_quartier=quartier, recipient_po_box=po_box, recipient_landmark=landmark,
            recipient_country=country, recipient_region=region,
            content_path=vault.store(f"letters/{reference}.bin", pdf, bound_to=reference),
            sha256=hashlib.sha256(pdf).hexdigest(), size_bytes=len(pdf), pages=pages, sheets=(pages + 1) // 2,
            created_at=at)
        record_evidence(Event.SUBMISSION_ACCEPTANCE, subject=letter.evidence_subject, actor=SYSTEM,
                        content_hash=letter.sha256, payload={"batch": batch.reference, "demo": True}, at=at)
        return letter


def _cyber_postes(b: _Builder, poste, office) -> None:
    """The Alger main office's public terminals, their manager, and a week of sessions: ended ones, one under way
    and one booked for later, so that the manager's page has something true to show."""
    from bawaba.postal.models import PostalStaff

    from .apps import OFFICE_MANAGER
    from .models import Terminal, TerminalSession

    manager = b.staff(poste, "poste.office-alger", [OFFICE_MANAGER])
    PostalStaff.objects.update_or_create(user=manager, defaults={"office": office})
    terminals = [Terminal.objects.create(office=office, label=f"Cyber-poste {n}") for n in (1, 2, 3)]
    citizens = ["Amina Benali", "Karim Haddad", "Nadia Belkacem", "Yacine Mebarki", "Leila Brahimi"]
    sessions = []
    for day in range(7, 0, -1):
        opening = (b.now - dt.timedelta(days=day)).replace(hour=9, minute=0, second=0, microsecond=0)
        for slot in range(b.rng.randint(2, 5)):
            starts = opening + dt.timedelta(minutes=45 * slot)
            used = b.rng.choice([20, 30, 40])
            sessions.append(TerminalSession(
                terminal=terminals[slot % len(terminals)], citizen_name=b.rng.choice(citizens),
                starts_at=starts, ends_at=starts + dt.timedelta(minutes=45), started_at=starts,
                ended_at=starts + dt.timedelta(minutes=used), booked_by=manager))
    under_way = b.now - dt.timedelta(minutes=10)
    sessions.append(TerminalSession(terminal=terminals[0], citizen_name="Samir Ouali", starts_at=under_way,
                                    ends_at=under_way + dt.timedelta(minutes=45), started_at=under_way,
                                    booked_by=manager))
    sessions.append(TerminalSession(terminal=terminals[1], citizen_name="Meriem Saidi",
                                    starts_at=b.now + dt.timedelta(hours=2), ends_at=b.now + dt.timedelta(hours=3),
                                    booked_by=manager))
    TerminalSession.objects.bulk_create(sessions)


def load_hybridmail_demo(*, now: dt.datetime, seed: int = 42) -> MailSummary:
    """Load the hybrid-mail demo once (nothing changes when demo print centres exist already, or when the postal
    demo, whose operators and offices it uses, is missing)."""
    from bawaba.geo.models import Commune, Region
    from bawaba.orgs.models import Organisation
    from bawaba.postal.models import Office

    from .models import PrintCentre

    summary = MailSummary()
    if PrintCentre.objects.filter(is_demo=True).exists():
        summary.skipped = "exists"
        return summary
    poste = Organisation.objects.filter(slug="algerie-poste").first()
    sopeco = Organisation.objects.filter(slug="sopeco").first()
    if poste is None or sopeco is None or not Office.objects.filter(is_demo=True, organisation=sopeco).exists():
        summary.skipped = "no postal demo"
        return summary
    builder = _Builder(random.Random(seed), now, summary)
    with transaction.atomic():
        _load(builder, poste, sopeco, Region, Commune, Office)
    # The mailbox notices of the simulated past were queued: recorded as sent then, as the postal demo does.
    from bawaba.demo.loader import record_history_messages_as_sent

    record_history_messages_as_sent()
    from .models import Letter, PrintRun

    summary.letters = Counter(Letter.objects.filter(batch__label="DEMO").values_list("state", flat=True))
    summary.runs = PrintRun.objects.filter(centre__is_demo=True).count()
    return summary


def _load(b: _Builder, poste, sopeco, Region, Commune, Office):  # noqa: N803 - models passed in
    from bawaba.evidence.events import Event
    from bawaba.orgs.services import do_onboard_organisation
    from bawaba.postal import events as postal_codes
    from bawaba.postal.tracking import EventInput, record_events

    from . import dispatch, lifecycle, paper_tracking, printing, runs
    from .models import LetterState, PieceState, SenderProfile
    from .printing import ReportRow

    now = b.now
    # The story's days: letters accepted 5-7 days ago, dispatched 4 days ago, printed in runs 3 days ago, reported
    # by the centres 2 days ago, delivered by the postman yesterday.
    dispatched = now - dt.timedelta(days=4)
    dz_products, _dz_tariff = b.operator_setup(poste, currency="DZD", code_prefix="Tarif")
    cg_products, _cg_tariff = b.operator_setup(sopeco, currency="XAF", code_prefix="Tarif")
    ministry = do_onboard_organisation({
        "slug": "ministere-finances-demo", "kind": "administration", "name_fr": "Ministère des Finances (démo)",
        "name_ar": "وزارة المالية (تجريبي)", "name_en": "Ministry of Finance (demo)",
        "services": [{"slug": "courrier", "name_fr": "Courrier"}]})
    dz_sender = SenderProfile.objects.create(organisation=ministry, operator=poste, return_address=(
        "Ministère des Finances (démo)\nImmeuble Ahmed Francis\n16000 Alger"))
    dz_sender.products.set(dz_products.values())
    cg_org = do_onboard_organisation({
        "slug": "fonction-publique-cg-demo", "kind": "administration", "country": "CG",
        "name_fr": "Ministère de la Fonction publique du Congo (démo)",
        "services": [{"slug": "courrier", "name_fr": "Courrier"}]})
    cg_sender = SenderProfile.objects.create(organisation=cg_org, operator=sopeco, return_address=(
        "Ministère de la Fonction publique (démo)\nBP 2099\nBrazzaville"))
    cg_sender.products.set(cg_products.values())
    b.staff(ministry, "mf-demo.sender", ["hybridmail.sender"])

    alger, oran = Region.objects.get(country="DZ", code="16"), Region.objects.get(country="DZ", code="31")
    bzv = Region.objects.get(country="CG", code="CG-BZV")

    def main_office(org, region):
        return Office.objects.filter(organisation=org, region=region, is_demo=True, kind="post_office").order_by(
            "code").first()

    alger_centre = b.centre(poste, "alger", "Centre d'impression d'Alger (démo)", alger, main_office(poste, alger))
    oran_centre = b.centre(poste, "oran", "Centre d'impression d'Oran (démo)", oran, main_office(poste, oran))
    bzv_centre = b.centre(sopeco, "bzv", "Centre d'impression de Brazzaville (démo)", bzv, main_office(sopeco, bzv))
    alger_printer = b.staff(poste, "poste.print-alger", ["hybridmail.print"], alger_centre)
    b.staff(poste, "poste.print-oran", ["hybridmail.print"], oran_centre)
    b.staff(poste, "poste.mail-supervisor", ["hybridmail.supervisor"])
    bzv_printer = b.staff(sopeco, "sopeco.print-bzv", ["hybridmail.print"], bzv_centre)
    b.staff(sopeco, "sopeco.mail-supervisor", ["hybridmail.supervisor"])
    _cyber_postes(b, poste, main_office(poste, alger))

    communes = list(alger.communes.exclude(postal_code="").order_by("postal_code")[:6])
    oran_commune = oran.communes.exclude(postal_code="").order_by("postal_code").first()
    far = Commune.objects.filter(region__country="DZ", region__code="11").exclude(postal_code="").first()
    streets = ["12 rue Didouche Mourad", "5 boulevard de l'ALN", "Cité 500 Logements, bât. 3", "8 rue Larbi Ben M'hidi"]
    people = ["Amina Benali", "Karim Haddad", "Nadia Belkacem", "Yacine Mebarki", "Leila Brahimi", "Samir Ouali",
              "Sofiane Touati", "Meriem Saidi"]

    def dz_address(i, commune):
        return [streets[i % len(streets)], f"{commune.postal_code} {commune.name_fr}"]

    # Citizens with a mailbox: letters go to their mailbox first.
    holders = []
    for i in range(4):
        identity, nin = b.identity("DZ", people[i], communes[i % len(communes)])
        holders.append((b.mailbox(poste, identity, f"+21366{1000000 + i * 7919:07d}", communes[i % len(communes)],
                                  language="ar" if i % 2 else "fr"), nin))
    cg_identity, cg_nin = b.identity("CG", "Grâce Mabiala")
    cg_box = b.mailbox(sopeco, cg_identity, "+242066001122")

    def dz_letter(product, i, *, nin="", commune=None, pages=1, subject="Avis d'imposition 2026 (démo)",
                  age_days=0):
        commune = commune or communes[i % len(communes)]
        return b.letter(dz_sender, dz_products[product], name=people[i % len(people)], lines=dz_address(i, commune),
                        nin=nin, phone=f"+21355{2000000 + i:07d}", commune=commune, pages=pages, subject=subject,
                        age_days=age_days or 5 + i % 3)

    quartiers = [("Poto-Poto", "2512", "derrière la station Total"), ("Moungali", "", "en face de l'école primaire"),
                 ("Bacongo", "1044", "à côté du marché Total"), ("Talangaï", "", "près de l'église catholique")]

    def cg_letter(product, i, *, nin="", pages=1):
        quartier, bp, landmark = quartiers[i % len(quartiers)]
        letter = b.letter(cg_sender, cg_products[product], name=["Junior Nkounkou", "Prisca Moukoko", "Exaucé Massamba",
                                                                 "Nadège Kimbembe"][i % 4],
                          lines=["Brazzaville"], nin=nin, phone=f"+24206{5000000 + i:07d}", country="CG",
                          quartier=quartier, po_box=bp, landmark=landmark, pages=pages, region=bzv,
                          subject="Convocation au concours (démo)", age_days=5 + i % 3)
        return letter

    # Refused at submission (mail-send's checks would say why).
    refused = dz_letter("ordinary", 0)
    from .models import Letter

    # A refusal happens at submission, before any move: set directly, with its evidence.
    Letter.objects.filter(pk=refused.pk).update(state=LetterState.REFUSED, refusal_code="no_address",
                                                refusal_reason="No address in the envelope window (demo).")
    from bawaba.evidence.services import record_evidence

    record_evidence(Event.SUBMISSION_REJECTION, subject=refused.evidence_subject, actor=SYSTEM,
                    content_hash=refused.sha256, payload={"reason": "no_address", "demo": True})
    dz_letter("ordinary", 1)  # accepted, not dispatched yet

    # Digital: deposited, opened by the holder, opened by nobody yet.
    for i, (box, nin) in enumerate(holders):
        letter = dz_letter("registered" if i % 2 else "ordinary", i, nin=nin)
        dispatch.dispatch(letter, now=dispatched)
        if i in (0, 3):
            lifecycle.move(letter, LetterState.OPENED, event=Event.CONTENT_ACCESS_TRACKING,
                           actor=(f"mailbox:{box.number}", "holder"), now=now - dt.timedelta(days=3),
                           payload={"by": "holder"})
    cg_digital = cg_letter("ordinary", 0, nin=cg_nin)
    dispatch.dispatch(cg_digital, now=dispatched)
    assert cg_box.pk

    # A registered letter not opened in 5 days went to paper on the timer.
    box, nin = holders[1]
    late = dz_letter("registered", 5, nin=nin, age_days=10)
    dispatch.dispatch(late, now=now - dt.timedelta(days=9))
    dispatch.send_unopened_to_paper(now=now - dt.timedelta(days=3, hours=1))

    # Paper: recipients without a mailbox in Alger and Oran; one in Tamanrasset, which no centre covers.
    paper = [dz_letter("registered" if i % 3 == 0 else "paper", i, pages=1 + i % 3) for i in range(2, 14)]
    paper.append(dz_letter("paper", 3, commune=oran_commune))
    for letter in paper:
        dispatch.dispatch(letter, now=dispatched)
    if far is not None:
        dispatch.dispatch(dz_letter("paper", 4, commune=far, subject="Convocation (démo)"), now=dispatched)
    cg_paper = [cg_letter("registered" if i % 2 else "paper", i, pages=1 + i % 2) for i in range(1, 6)]
    for letter in cg_paper:
        dispatch.dispatch(letter, now=dispatched)  # routed by the department (no communes for Congo)

    built = runs.build_runs(now=now - dt.timedelta(days=3))
    # The Alger centre reports: every state of the paper path, and one failure reprinted in a new run.
    alger_run = next(r for r in built.runs if r.centre_id == alger_centre.pk)
    codes = {p.sequence: p for p in alger_run.piece_set.select_related("letter", "letter__postal_item")}
    report_at = now - dt.timedelta(days=2)
    plan = {1: "handed", 2: "handed", 3: "handed", 4: "handed", 5: "enveloped", 6: "printed", 7: "failed"}
    rows = []
    for sequence, state in plan.items():
        if sequence in codes:
            rows.append(ReportRow(runs.code_text(alger_run.number, sequence, 1, 1), state,
                                  "print_error" if state == "failed" else ""))
    printing.do_report([alger_centre], rows, actor=alger_printer, source="web", now=report_at)
    runs.build_runs(now=report_at, centre=alger_centre)  # the failed piece, printed again
    # Brazzaville: everything handed.
    bzv_run = next((r for r in built.runs if r.centre_id == bzv_centre.pk), None)
    if bzv_run is not None:
        printing.do_report([bzv_centre], [ReportRow(f"{bzv_run.number} {p.sequence}", PieceState.HANDED)
                                          for p in bzv_run.piece_set.all()], actor=bzv_printer, source="file",
                           now=report_at)
    # The postman: two registered letters delivered, one returned to sender.
    handed = [codes[s].letter for s in (1, 2, 3, 4) if s in codes]
    registered = [letter for letter in handed if letter.postal_item_id]
    for index, letter in enumerate(registered[:3]):
        letter.refresh_from_db()
        item = letter.postal_item
        when = now - dt.timedelta(days=1, hours=index)
        code, reason, action = ((postal_codes.UNSUCCESSFUL, "UNK", "RTS") if index == 2
                                else (postal_codes.DELIVERED, "", ""))
        result = record_events(item.organisation, [EventInput(
            number=item.number, code=code, occurred_at=when, reason_code=reason, action_code=action,
            signatory="" if reason else letter.recipient_name, device="demo")],
            source="postman", office=item.delivery_office, now=when)
        for event in result.created:
            paper_tracking.close_from_event(letter, event)
    return b
