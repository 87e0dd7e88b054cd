"""PDF checks and the envelope window, on real files built for each case (fixtures_send.py)."""

import pytest

from bawaba.hybridmail import pdfcheck, window

from .fixtures_send import MALFORMED, sent_pdf

US_LETTER = (612, 792)


def codes(data, max_pages=5):
    return [p.code for p in pdfcheck.check_pdf(data, max_pages=max_pages).problems]


def test_a_letter_with_embedded_fonts_passes_and_its_window_is_read(good_letter_pdf):
    report = pdfcheck.check_pdf(good_letter_pdf, max_pages=5)
    assert report.ok and report.pages == 1 and report.has_fonts
    lines = window.read_windows(report.fragments)["din5008_b"]
    assert lines == ["Amina Benali", "12 rue Didouche Mourad", "16000 Alger Centre"]


@pytest.mark.parametrize("case, code", [
    ("encrypted", "encrypted"), ("javascript", "javascript"), ("openaction_js", "javascript"),
    ("attachment", "attachment"), ("truncated", "corrupt"), ("garbage_xref", "corrupt"), ("not_pdf", "not_pdf"),
])
def test_malformed_files_are_refused_with_their_reason(good_letter_pdf, case, code):
    found = codes(MALFORMED[case](good_letter_pdf))
    assert found and found[0] == code


def test_page_size_page_count_fonts_and_file_size(settings):
    assert codes(sent_pdf(size=US_LETTER)) == ["not_a4"]
    assert codes(sent_pdf(size=(596.5, 843))) == []  # within ±2 mm of A4
    assert codes(sent_pdf(pages=3), max_pages=2) == ["too_many_pages"]
    assert codes(sent_pdf(font="helvetica")) == ["fonts_not_embedded"]
    settings.HYBRIDMAIL_MAX_PDF_BYTES = 1000
    assert codes(sent_pdf()) == ["too_large"]


def test_refusal_reasons_are_translated(good_letter_pdf):
    from django.utils import translation

    with translation.override("fr"):
        message = pdfcheck.check_pdf(MALFORMED["encrypted"](good_letter_pdf), max_pages=5).first().message
    assert "chiffré" in message


def test_a_scanned_page_passes_the_checks_but_has_no_address_to_read():
    report = pdfcheck.check_pdf(sent_pdf(text=False), max_pages=5)
    assert report.ok and not report.has_fonts
    reason, found, lines = window.find_address(report.fragments, window.Recipient(name="Amina Benali",
                                                                                  postcode="16000"))
    assert found is None and lines == [] and ("window" in reason or "fenêtre" in reason)


def test_the_address_must_be_inside_the_window_and_name_the_recipient():
    recipient = window.Recipient(name="Amina Benali", postcode="16000", commune_names=("Alger Centre",))
    outside = pdfcheck.check_pdf(sent_pdf(window=(25, 150)), max_pages=5)
    assert window.find_address(outside.fragments, recipient)[1] is None
    right = pdfcheck.check_pdf(sent_pdf(window=(100, 57)), max_pages=5)
    assert window.find_address(right.fragments, recipient)[1].code == "dl_right"
    other = window.Recipient(name="Karim Haddad", postcode="16000")
    reason, found, _lines = window.find_address(pdfcheck.check_pdf(sent_pdf(), max_pages=5).fragments, other)
    assert found is None and "Karim Haddad" in reason
    wrong_code = window.Recipient(name="Amina Benali", postcode="31000")
    assert window.find_address(pdfcheck.check_pdf(sent_pdf(), max_pages=5).fragments, wrong_code)[1] is None


def test_arabic_and_congo_addresses_are_matched():
    arabic = sent_pdf(lines=("أمينة بن علي", "حي 200 مسكن", "16000 الجزائر الوسطى"))
    report = pdfcheck.check_pdf(arabic, max_pages=5)
    assert window.find_address(report.fragments, window.Recipient(name="أمينة بن علي", postcode="16000"))[1]
    congo = sent_pdf(lines=("Jean Mabiala", "Quartier Moungali", "BP 2045", "Brazzaville"))
    report = pdfcheck.check_pdf(congo, max_pages=5)
    found = window.find_address(report.fragments, window.Recipient(name="Jean Mabiala", country="CG",
                                                                   quartier="Moungali", po_box="2045"))
    assert found[1] is not None
    missing = window.find_address(report.fragments, window.Recipient(name="Jean Mabiala", country="CG",
                                                                     quartier="Poto-Poto"))
    assert missing[1] is None and "quartier" in missing[0]
