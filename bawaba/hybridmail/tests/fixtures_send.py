"""Fixtures of the send part of hybrid mail (imported by conftest.py): letters drawn with an embedded font (the
shared `letter_pdf` uses ReportLab's Helvetica, which is not embedded and so is refused by the checks), and
malformed PDFs built for real with pypdf and ReportLab."""

import io

import pytest

A4 = (595.2756, 841.8898)
MM = 72 / 25.4


def sent_pdf(lines=("Amina Benali", "12 rue Didouche Mourad", "16000 Alger Centre"), *, pages=1, size=A4,
             window=(25, 52), font="embedded", text=True) -> bytes:
    """An A4 letter whose address starts at `window` (mm from the left, from the top)."""
    from reportlab.pdfgen import canvas

    from bawaba.hybridmail import merge

    regular, _bold = merge.fonts()
    face = regular if font == "embedded" else "Helvetica"
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=size)
    for number in range(pages):
        if number == 0 and text:
            y = size[1] - window[1] * MM
            for line in lines:
                page.setFont(face, 10)
                page.drawString(window[0] * MM, y, merge.visual(line))
                y -= 13
        if text:
            page.setFont(face, 11)
            page.drawString(25 * MM, size[1] - 120 * MM, f"Page {number + 1}")
        else:  # a "scan": a grey image, no text at all
            from PIL import Image
            from reportlab.lib.utils import ImageReader

            image = Image.new("L", (60, 80), 200)
            page.drawImage(ImageReader(image), 0, 0, width=size[0], height=size[1])
        page.showPage()
    page.save()
    return buffer.getvalue()


def rewritten(data: bytes, change) -> bytes:
    """The PDF copied by pypdf with `change(writer)` applied (JavaScript, attachments, encryption...)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def open_action_js(writer):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('hi')")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def names_js(writer):
    """A document-level script in the /Names /JavaScript tree (what Acrobat runs when the file opens)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    action = writer._add_object(DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                                  NameObject("/JS"): TextStringObject("app.alert('hi')")}))
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("hello"), action])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


MALFORMED = {
    "encrypted": lambda good: rewritten(good, lambda w: w.encrypt(user_password="", owner_password="x")),
    "javascript": lambda good: rewritten(good, names_js),
    "openaction_js": lambda good: rewritten(good, open_action_js),
    "attachment": lambda good: rewritten(good, lambda w: w.add_attachment("facture.exe", b"MZ\x90\x00")),
    "truncated": lambda good: good[: len(good) // 2],
    "garbage_xref": lambda good: good.replace(b"xref", b"xrex").replace(b"startxref", b"startxrex"),
    "not_pdf": lambda good: b"PK\x03\x04 this is a zip, not a letter",
}


@pytest.fixture
def good_letter_pdf():
    return sent_pdf()


@pytest.fixture
def sender_user(ministry):
    from bawaba.accounts.models import User

    return User.objects.get(username="mf.sender")


@pytest.fixture
def run_merge_jobs(monkeypatch):
    """Mail-merge jobs run in the test's process as a Huey worker would run them (without turning the whole queue
    immediate: the evidence stamper would then call the time-stamping authority on every commit)."""
    from bawaba.hybridmail import senders, tasks_send

    ran = []

    def run(batch_id, index):
        ran.append((batch_id, index))
        return senders.make_chunk(batch_id, index)

    monkeypatch.setattr(tasks_send, "make_merge_chunk", run)
    return ran


RECIPIENT = {"name": "Amina Benali", "address": "12 rue Didouche Mourad", "postcode": "16000",
             "commune": "Alger Centre", "nin": "109870123456789012", "phone": "0661234567"}


def mail_sender_world(poste) -> str:
    """A sending ministry at `poste` with a product, a tariff and one letter sent; returns an API token of the
    ministry (for the API fuzz tests, which have none of this conftest's fixtures)."""
    import datetime as dt
    from decimal import Decimal

    from bawaba.accounts.models import User
    from bawaba.api.services import do_create_token
    from bawaba.hybridmail import senders
    from bawaba.hybridmail.models import MailProduct, MailTariff, MailTariffLine, SenderProfile
    from bawaba.orgs.services import do_onboard_organisation

    org = do_onboard_organisation({"slug": "min-fuzz", "kind": "administration", "name_fr": "Ministère",
                                   "services": [{"slug": "courrier", "name_fr": "Courrier"}]})
    profile = SenderProfile.objects.create(organisation=org, operator=poste, return_address="Ministère\n16000 Alger")
    product = MailProduct.objects.create(operator=poste, code="lettre", name_fr="Lettre hybride")
    tariff = MailTariff.objects.create(operator=poste, label="fuzz", valid_from=dt.date(2020, 1, 1))
    MailTariffLine.objects.create(tariff=tariff, product=product, digital_price=Decimal("25"),
                                  paper_price=Decimal("60"))
    profile.products.add(product)
    token, secret = do_create_token(org, "Fuzzing")
    senders.submit_pdfs(profile, User.objects.get(pk=token.user_id), "lettre",
                        [senders.PdfLetterIn("a.pdf", sent_pdf(), RECIPIENT)])
    return secret
