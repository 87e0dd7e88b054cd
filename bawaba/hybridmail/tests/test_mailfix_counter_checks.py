"""A letter deposited at the counter passes the senders' checks (PDF, then the address in the envelope window),
and a scanned letter's window is read by OCR (Tesseract) — real malformed and scanned PDFs built here."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bawaba.hybridmail import pdfcheck, window
from bawaba.hybridmail.models import AssistedAct, CounterDeposit, Letter

from .fixtures_send import MALFORMED, sent_pdf
from .test_mailbox_assist import CHECK

needs_ocr = pytest.mark.skipif(not window.ocr_available(),
                               reason="tesseract or pdftoppm not installed (run scripts/ensure-tesseract)")


def scanned_pdf(lines, *, left_mm=25, top_mm=52, dpi=200) -> bytes:
    """An A4 'scan': the address drawn into a picture with Pillow, the picture put on the page with ReportLab;
    no text layer at all."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    width, height = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("DejaVuSans.ttf", round(dpi * 10 / 72))  # 10 pt
    y = round(top_mm / 25.4 * dpi)
    for line in lines:
        draw.text((round(left_mm / 25.4 * dpi), y), line, fill=0, font=font)
        y += round(dpi * 14 / 72)
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
    page.showPage()
    page.save()
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def checked(clerk_client, citizen, mail_products, alger_centre):
    assert clerk_client.post("/mail/assist/", CHECK).status_code == 302
    return clerk_client


@pytest.fixture
def paper_form(mail_products, alger_commune):
    """A paper letter to someone without a mailbox: the address and commune are given at the counter."""
    return {"product": mail_products["paper"].pk, "recipient_name": "Karim Benali",
            "recipient_address": "3 rue Larbi Ben M'hidi", "commune": alger_commune.pk}


@pytest.fixture
def karim_lines(alger_commune):
    return ("Karim Benali", "3 rue Larbi Ben M'hidi", f"{alger_commune.postal_code} {alger_commune.name_fr}")


def deposit(client, form, pdf):
    return client.post("/mail/assist/citizen/deposit/", {**form, "pdf": SimpleUploadedFile("lettre.pdf", pdf)})


def nothing_stored():
    return not Letter.objects.exists() and not CounterDeposit.objects.exists() and \
        not AssistedAct.objects.filter(kind="deposit").exists()


def test_a_counter_letter_whose_fonts_are_not_embedded_is_refused_with_the_reason(checked, paper_form, karim_lines):
    response = deposit(checked, paper_form, sent_pdf(karim_lines, font="helvetica"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "not embedded" in page and "Helvetica" in page and 'role="alert"' in page
    assert 'value="Karim Benali"' in page  # the form is shown again, filled in
    assert nothing_stored()


@pytest.mark.parametrize("case", ["encrypted", "javascript", "attachment", "truncated", "not_pdf"])
def test_malformed_counter_letters_are_refused_and_nothing_is_stored(checked, paper_form, karim_lines, case):
    response = deposit(checked, paper_form, MALFORMED[case](sent_pdf(karim_lines)))
    assert response.status_code in (400, 415)
    assert response.content.decode().count('role="alert"') == 1
    assert nothing_stored()


def test_the_counter_letter_window_must_name_the_recipient_and_their_commune(checked, paper_form, karim_lines,
                                                                             alger_commune):
    wrong_name = deposit(checked, paper_form, sent_pdf(("Amina Benali", *karim_lines[1:])))
    assert wrong_name.status_code == 400 and "does not name the recipient" in wrong_name.content.decode()
    outside = deposit(checked, paper_form, sent_pdf(karim_lines, window=(25, 150)))
    assert outside.status_code == 400 and "No address can be read" in outside.content.decode()
    other_commune = deposit(checked, paper_form, sent_pdf((*karim_lines[:2], "31000 Oran")))
    assert other_commune.status_code == 400 and "postcode" in other_commune.content.decode()
    assert nothing_stored()
    accepted = deposit(checked, paper_form, sent_pdf(karim_lines))
    assert accepted.status_code == 302
    letter = Letter.objects.get()
    assert letter.window == "din5008_b" and letter.window_text.startswith("Karim Benali")


def test_refusal_at_the_counter_is_in_the_clerks_language(checked, paper_form, karim_lines):
    checked.defaults["HTTP_ACCEPT_LANGUAGE"] = "ar"
    response = deposit(checked, paper_form, sent_pdf(karim_lines, font="helvetica"))
    assert response.status_code == 400 and "Helvetica" in response.content.decode()
    assert "not embedded" not in response.content.decode()


def test_a_letter_to_a_mailbox_holder_must_show_the_commune_the_register_knows(checked, mail_products, relative,
                                                                              poste, karim_lines):
    from django.utils import timezone

    from bawaba.hybridmail.models import Mailbox, OpenedVia

    Mailbox.objects.create(number="DZ0000000018", operator=poste, identity=relative, holder_name="Karim",
                           phone="+213770123456", opened_via=OpenedVia.SMS, opened_at=timezone.now())
    form = {"product": mail_products["ordinary"].pk, "recipient_name": "Karim Benali",
            "recipient_nin": "119920034567890123"}
    assert deposit(checked, form, sent_pdf(("Karim Benali", "Quelque part"))).status_code == 400
    assert deposit(checked, form, sent_pdf(karim_lines)).status_code == 302


@needs_ocr
def test_a_scanned_letters_window_is_read_by_ocr_and_marked(karim_lines):
    pdf = scanned_pdf(karim_lines)
    report = pdfcheck.check_pdf(pdf, max_pages=5)
    assert report.ok and not report.has_fonts and list(report.fragments) == []  # no text layer
    recipient = window.Recipient(name="Karim Benali", postcode=karim_lines[2][:5])
    reason, found, lines = window.find_address(report.fragments, recipient)
    assert reason is None and found.code == "din5008_b"
    assert lines[1:] and "Karim Benali" in lines[1] and lines[0].startswith(window.OCR_MARK)
    confidence = window.read_by_ocr("\n".join(lines))
    assert confidence is not None and 50 <= confidence <= 100
    assert window.read_by_ocr("\n".join(lines[1:])) is None  # a text address is not marked
    # OCR'd text is matched like text: another recipient is refused, with what was read.
    from django.utils import translation

    with translation.override("en"):
        reason, found, lines = window.find_address(report.fragments, window.Recipient(name="Amina Benali",
                                                                                     postcode="16000"))
    assert found is None and "does not name the recipient" in reason and lines[0].startswith(window.OCR_MARK)


@needs_ocr
def test_a_scanned_letter_in_the_right_window_is_read_too(karim_lines):
    pdf = scanned_pdf(karim_lines, left_mm=100, top_mm=56)
    recipient = window.Recipient(name="Karim Benali", postcode=karim_lines[2][:5])
    reason, found, _lines = window.find_address(pdfcheck.check_pdf(pdf, max_pages=5).fragments, recipient)
    assert reason is None and found.code == "dl_right"


@needs_ocr
def test_a_blank_scan_is_still_refused_as_having_no_address():
    from django.utils import translation

    report = pdfcheck.check_pdf(sent_pdf(text=False), max_pages=5)
    with translation.override("en"):
        reason, found, lines = window.find_address(report.fragments, window.Recipient(name="Amina Benali",
                                                                                     postcode="16000"))
    assert found is None and lines == [] and "no address could be read" in reason


@needs_ocr
def test_a_scanned_letter_is_deposited_at_the_counter_marked_as_read_by_ocr(checked, paper_form, karim_lines):
    response = deposit(checked, paper_form, scanned_pdf(karim_lines))
    assert response.status_code == 302, response.content.decode()[:2000]
    letter = Letter.objects.get()
    assert window.read_by_ocr(letter.window_text) is not None and "Karim Benali" in letter.window_text
    from bawaba.evidence.models import EvidenceRecord

    accepted = EvidenceRecord.objects.get(subject=letter.evidence_subject, event="SubmissionAcceptance")
    assert accepted.payload["window_ocr"] == window.read_by_ocr(letter.window_text)


def test_without_tesseract_a_scanned_letter_is_refused_saying_it_cannot_be_read_here(
        checked, paper_form, karim_lines, settings):
    settings.HYBRIDMAIL_TESSERACT = "/nonexistent/tesseract"
    assert not window.ocr_available()
    response = deposit(checked, paper_form, scanned_pdf(karim_lines))
    assert response.status_code == 400 and "cannot be read on this server" in response.content.decode()
    assert nothing_stored()
