"""The envelope windows hold the sourced address positions (DIN 5008 form B / DIN 680, the French right-window
block), and an address read by OCR from a scanned letter is flagged wherever a sender or a clerk sees it: the
letter page, the lists, the refusal reason, the API, the CSV and the evidence (fr/ar/en)."""

import csv
import io

import pytest

from bawaba.evidence.models import EvidenceRecord
from bawaba.hybridmail import pdfcheck, window
from bawaba.hybridmail.models import Letter, LetterState

from .fixtures_send import RECIPIENT, sent_pdf
from .test_mailfix_counter_checks import checked, deposit, karim_lines, needs_ocr, paper_form, scanned_pdf  # noqa: F401
from .test_send_views import api, api_token, post_letter, sender_client  # noqa: F401 (fixtures and helpers)

AMINA = (RECIPIENT["name"], RECIPIENT["address"], f"{RECIPIENT['postcode']} {RECIPIENT['commune']}")
BADGE = 'class="badge ocr"'


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_window_areas_hold_the_sourced_address_positions():
    din = window.WINDOW_BY_CODE["din5008_b"]
    # DIN 5008 form B's address field (Deutsche Post): 20 mm from the left, 45 mm from the top, 85 x 45 mm.
    assert (din.left, din.top, din.width, din.height) == (20, 45, 85, 45)
    # DIN 680's DL window, 90 x 45 mm, 20 mm from the left and 15 mm from the bottom of a 110 mm envelope: its
    # top is 50 mm down, inside the field once the 105 mm folded sheet sits at the bottom (5 mm lower).
    assert din.top <= 110 - 15 - 45 <= din.top + 5 and din.left == 20
    right = window.WINDOW_BY_CODE["dl_right"]
    # The French right-window address block: 85 x 33 mm, 110 mm from the left, 55 mm from the top.
    assert right.left <= 110 and right.top <= 55 and right.left + right.width >= 110 + 85
    assert right.top + right.height >= 55 + 33
    recipient = window.Recipient(name="Amina Benali", postcode="16000")
    # An address laid out where each source puts it is read in that window; one above the field is not.
    french = pdfcheck.check_pdf(sent_pdf(AMINA, window=(110, 58)), max_pages=5)
    assert window.find_address(french.fragments, recipient)[1].code == "dl_right"
    din_b = pdfcheck.check_pdf(sent_pdf(AMINA, window=(25, 66)), max_pages=5)  # below form B's 62.7 mm line
    assert window.find_address(din_b.fragments, recipient)[1].code == "din5008_b"
    above = pdfcheck.check_pdf(sent_pdf(AMINA, window=(25, 28)), max_pages=5)
    assert window.find_address(above.fragments, recipient)[1] is None


def test_a_typed_address_has_no_ocr_badge(sender_client, mailbox, good_letter_pdf):  # noqa: F811
    assert post_letter(sender_client, good_letter_pdf).status_code == 302
    letter = Letter.objects.get()
    assert letter.ocr_confidence is None and letter.window_address == letter.window_text
    page = sender_client.get(f"/mail/send/letters/{letter.reference}/").content.decode()
    assert BADGE not in page and "Amina Benali" in page


@needs_ocr
def test_a_sender_sees_that_a_scanned_letters_address_was_read_by_ocr(sender_client, client, mailbox, api_token):  # noqa: F811
    assert post_letter(sender_client, scanned_pdf(AMINA), idempotency_key="scan-1").status_code == 302
    letter = Letter.objects.get()
    assert letter.state == LetterState.DEPOSITED and letter.ocr_confidence is not None
    detail = sender_client.get(f"/mail/send/letters/{letter.reference}/").content.decode()
    assert BADGE in detail and 'id="ocr-notice"' in detail and f"confidence {letter.ocr_confidence} %" in detail
    shown = detail[detail.index('class="window-text"'):]
    assert "Amina Benali" in shown[:400] and "[OCR" not in detail  # the mark is a badge, not an address line
    assert BADGE in sender_client.get("/mail/send/letters/").content.decode()
    assert BADGE in sender_client.get(f"/mail/send/batches/{letter.batch.reference}/").content.decode()
    accepted = EvidenceRecord.objects.get(subject=letter.evidence_subject, event="SubmissionAcceptance")
    assert accepted.payload["window_ocr"] == letter.ocr_confidence
    read = api(client, api_token, "get", f"/mail/api/v1/letters/{letter.reference}").json()
    assert read["address_read_by_ocr"] is True and read["ocr_confidence"] == letter.ocr_confidence
    rows = list(csv.reader(io.StringIO(b"".join(sender_client.get("/mail/send/letters.csv").streaming_content)
                                       .decode("utf-8-sig")), delimiter=";"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["address_read_by_ocr"] == "yes" and row["ocr_confidence"] == str(letter.ocr_confidence)


@needs_ocr
@pytest.mark.parametrize("language,words", [
    ("en", ("Address read by OCR", "(Address read by OCR from a scanned page")),
    ("fr", ("Adresse lue par OCR", "(Adresse lue par OCR sur une page scannée")),
    ("ar", ("عنوان مقروء بالتعرف الضوئي", 'dir="rtl"')),
])
def test_a_scanned_letter_refused_for_its_address_says_it_was_read_by_ocr(sender_client, language, words):  # noqa: F811
    sender_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    other = ("Karim Haddad", *AMINA[1:])
    assert post_letter(sender_client, scanned_pdf(other), idempotency_key=f"scan-{language}").status_code == 302
    letter = Letter.objects.get()
    assert letter.state == LetterState.REFUSED and letter.refusal_code == "address_mismatch"
    assert letter.ocr_confidence is not None
    refused = EvidenceRecord.objects.get(subject=letter.evidence_subject, event="SubmissionRejection")
    assert refused.payload["window_ocr"] == letter.ocr_confidence
    detail = sender_client.get(f"/mail/send/letters/{letter.reference}/").content.decode()
    assert BADGE in detail and all(word in detail for word in words)
    if language != "en":
        assert "Address read by OCR" not in detail and "check that it is the recipient" not in detail
    home = sender_client.get("/mail/send/").content.decode()
    assert BADGE in home


@needs_ocr
def test_the_clerk_is_told_to_check_an_address_read_by_ocr_at_the_counter(checked, paper_form, karim_lines):  # noqa: F811
    checked.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = deposit(checked, paper_form, scanned_pdf(karim_lines))
    assert response.status_code == 302
    page = checked.get(response["Location"]).content.decode()
    assert "Adresse lue par OCR sur la lettre scannée" in page and "Karim Benali" in page


def test_address_lines_drop_only_the_ocr_mark():
    assert window.address_lines("[OCR 88%]\nKarim Benali\n16000 Alger") == ["Karim Benali", "16000 Alger"]
    assert window.address_lines("Karim Benali\n16000 Alger") == ["Karim Benali", "16000 Alger"]
    assert window.address_lines("") == []


def test_api_schema_describes_the_ocr_fields(client):
    schema = client.get("/mail/api/v1/openapi.json").json()
    letter = schema["components"]["schemas"]["LetterOut"]["properties"]
    assert "address_read_by_ocr" in letter and "ocr_confidence" in letter


def test_mailfix2_catalogues_are_complete_and_compiled_into_django_mo():
    import re
    from pathlib import Path

    from django.utils import translation

    root = Path(__file__).resolve().parent.parent / "locale"
    entry = re.compile(r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"\nmsgstr "(.*)"$', re.M)
    catalogues = {lang: {(c, k): v for c, k, v in entry.findall((root / lang / "LC_MESSAGES" / "mailfix2.po")
                                                                .read_text("utf-8")) if k}
                  for lang in ("fr", "ar")}
    assert catalogues["fr"].keys() == catalogues["ar"].keys() and len(catalogues["fr"]) >= 10
    for lang, entries in catalogues.items():
        for (context, msgid), msgstr in entries.items():
            assert msgstr and msgstr != msgid, msgid
            assert sorted(re.findall(r"%\(\w+\)s|%%", msgid)) == sorted(re.findall(r"%\(\w+\)s|%%", msgstr)), msgid
            with translation.override(lang):  # joined into django.po and compiled (the part alone is not loaded)
                shown = (translation.pgettext(context, msgid) if context else translation.gettext(msgid))
                assert shown == msgstr, msgid
