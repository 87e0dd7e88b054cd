"""Shared hybrid-mail fixtures: the post, a sending ministry, products and a tariff, an identity with a mailbox,
a print centre for Alger, and a letter maker. Each part's own fixtures live in fixtures_<part>.py."""

import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from bawaba.postal.tests import conftest as postal

from .fixtures_mailbox import *  # noqa: F403
from .fixtures_print import *  # noqa: F403
from .fixtures_send import *  # noqa: F403

PASSWORD = "correct horse 42"

# The post's own fixtures (its operators, network and counter clerk), shared rather than copied.
poste, sopeco, network, products, clerk = postal.poste, postal.sopeco, postal.network, postal.products, postal.clerk


@pytest.fixture(autouse=True)
def _language_reset_after_each_test():
    """A page requested in Arabic leaves Arabic active in the test's thread (LocaleMiddleware activates, nothing
    deactivates): tests that read translated text without a request would then depend on the order tests run in."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def ministry(db, poste):
    """A sending administration with one sender, at Algérie Poste."""
    from bawaba.hybridmail.models import SenderProfile
    from bawaba.orgs.services import do_add_staff, do_onboard_organisation

    org = do_onboard_organisation({"slug": "min-finances", "kind": "administration",
                                   "name_fr": "Ministère des Finances", "name_ar": "وزارة المالية",
                                   "services": [{"slug": "courrier", "name_fr": "Courrier"}]})
    profile = SenderProfile.objects.create(organisation=org, operator=poste,
                                           return_address="Ministère des Finances\nImmeuble Ahmed Francis\n16000 Alger")
    do_add_staff(org, {"username": "mf.sender", "roles": ["hybridmail.sender"], "password": PASSWORD})
    return profile


@pytest.fixture
def mail_products(poste, ministry):
    """Ordinary and registered letters (digital first, paper after 5 days), paper only, digital only, priced."""
    from bawaba.hybridmail.models import MailProduct, MailTariff, MailTariffLine, Path

    made = {
        "ordinary": MailProduct.objects.create(operator=poste, code="lettre", name_fr="Lettre hybride",
                                               path=Path.DIGITAL_THEN_PAPER),
        "registered": MailProduct.objects.create(operator=poste, code="recommande",
                                                 name_fr="Lettre recommandée hybride", registered=True,
                                                 path=Path.DIGITAL_THEN_PAPER, paper_after_days=5),
        "paper": MailProduct.objects.create(operator=poste, code="papier", name_fr="Lettre imprimée", path=Path.PAPER),
        "digital": MailProduct.objects.create(operator=poste, code="numerique", name_fr="Lettre numérique",
                                              path=Path.DIGITAL_ONLY),
    }
    tariff = MailTariff.objects.create(operator=poste, label="2026", valid_from=dt.date(2020, 1, 1))
    for product in made.values():
        MailTariffLine.objects.create(tariff=tariff, product=product, digital_price=Decimal("25.00"),
                                      paper_price=Decimal("120.00" if product.registered else "60.00"),
                                      extra_sheet_price=Decimal("10.00"))
    ministry.products.set(made.values())
    return made


@pytest.fixture
def alger_commune(db):
    from bawaba.geo.models import Commune

    return Commune.objects.filter(region__country="DZ", region__code="16").exclude(postal_code="").order_by(
        "postal_code").first()


@pytest.fixture
def citizen(db, alger_commune):
    """A citizen of the identity register (NIN 109870123456789012) without a mailbox yet."""
    from bawaba.hybridmail.identity import id_hash, last_digits
    from bawaba.hybridmail.models import IdentityRecord

    nin = "109870123456789012"
    return IdentityRecord.objects.create(country="DZ", id_hash=id_hash(nin), id_last_digits=last_digits(nin),
                                         full_name="Amina Benali", birth_date=dt.date(1987, 3, 14),
                                         commune=alger_commune, source="test")


@pytest.fixture
def mailbox(poste, citizen, alger_commune):
    from bawaba.hybridmail.models import Mailbox, OpenedVia
    from bawaba.hybridmail.references import mailbox_number

    return Mailbox.objects.create(number=mailbox_number("DZ"), operator=poste, identity=citizen,
                                  holder_name=citizen.full_name, phone="+213661234567", email="amina@example.dz",
                                  language="fr", commune=alger_commune, opened_via=OpenedVia.SMS,
                                  opened_at=timezone.now())


@pytest.fixture
def alger_centre(poste):
    from bawaba.geo.models import Region
    from bawaba.hybridmail.models import PrintCentre

    centre = PrintCentre.objects.create(operator=poste, code="alger", name_fr="Centre d'impression d'Alger")
    centre.regions.add(Region.objects.get(country="DZ", code="16"))
    return centre


def letter_pdf(lines=("Amina Benali", "12 rue Didouche Mourad", "16000 Alger"), pages=1) -> bytes:
    """A small A4 letter with the recipient's address in the DIN 5008 form B window (ReportLab, fonts embedded)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    height = A4[1]
    for number in range(pages):
        if number == 0:
            text = page.beginText(25 * mm, height - 50 * mm)  # window: 20 mm from the left, 45 mm from the top
            text.setFont("Helvetica", 10)
            for line in lines:
                text.textLine(line)
            page.drawText(text)
        page.setFont("Helvetica", 11)
        page.drawString(25 * mm, height - 110 * mm, f"Page {number + 1}")
        page.showPage()
    page.save()
    return buffer.getvalue()


@pytest.fixture
def make_letter(ministry, mail_products, alger_commune):
    """Store an accepted letter (content encrypted in the vault) and return it; not yet dispatched."""
    from bawaba.hybridmail import references, vault
    from bawaba.hybridmail.identity import id_hash
    from bawaba.hybridmail.models import Batch, BatchKind, Letter

    def make(product="registered", *, nin="109870123456789012", commune=alger_commune, pdf=None, now=None):
        now = now or timezone.now()
        pdf = pdf or letter_pdf()
        product = mail_products[product]
        batch = Batch.objects.create(reference=references.batch_reference(), sender=ministry.organisation,
                                     operator=ministry.operator, product=product, kind=BatchKind.PDF, created_at=now,
                                     letters_total=1, letters_accepted=1)
        reference = references.letter_reference()
        path = vault.store(f"letters/{reference}.bin", pdf, bound_to=reference)
        return Letter.objects.create(
            reference=reference, batch=batch, sender=ministry.organisation, operator=ministry.operator,
            product=product, recipient_name="Amina Benali", recipient_id_hash=id_hash(nin) if nin else "",
            recipient_phone="+213661234567", recipient_address="12 rue Didouche Mourad\n16000 Alger",
            recipient_postcode=commune.postal_code if commune else "", recipient_commune=commune,
            content_path=path, sha256=hashlib.sha256(pdf).hexdigest(), size_bytes=len(pdf), pages=1, sheets=1,
            created_at=now)

    return make
