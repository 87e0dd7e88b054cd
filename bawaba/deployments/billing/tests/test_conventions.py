"""Fibre statements follow Algerian conventions: amounts "25 778,00 DA" / "دج", dates day first, typed text in
its own direction, on the page and in the PDF."""

import pytest

from bawaba.deployments.billing import documents as billing_documents
from bawaba.deployments.billing import statements as billing_statements

from .test_documents import pdf_text, statement  # noqa: F401 - the fixture: a statement issued on 1 April 2026

pytestmark = pytest.mark.django_db
NBSP = "\xa0"
ARABIC_REASON = "خطأ في حساب طول الخندق"


def page(client, language, statement):  # noqa: F811
    client.cookies["django_language"] = language
    response = client.get(f"/fibre/statements/{statement.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("language", "currency"), [("fr", "DA"), ("ar", "دج"), ("en", "DA")])
def test_statement_page_shows_amounts_with_grouped_digits_and_the_currency(world, statement, as_user, language,  # noqa: F811
                                                                           currency):
    html = page(as_user(world.worker), language, statement)
    breakdown = html[html.index('id="breakdown"'):html.index("</table>", html.index('id="breakdown"'))]
    assert f"25{NBSP}778,00{NBSP}{currency}" in breakdown  # net payable
    assert f"27{NBSP}075,00{NBSP}{currency}" in breakdown  # gross
    assert "25778" not in breakdown and "25,778.00" not in breakdown
    assert "01/04/2026 13:00" in html  # issued on 1 April at 12:00 UTC, in Algiers; never 04/01/2026
    assert "01/01/2026 – 31/03/2026" in html  # the period of the work statement


def test_a_negative_correction_reads_with_its_sign_and_an_arabic_reason_keeps_its_direction(world, statement,  # noqa: F811
                                                                                          as_user):
    correction = billing_statements.do_issue_correction(statement, gross_adjustment="-1000", reason=ARABIC_REASON,
                                             actor=world.billing_admin)
    client = as_user(world.worker)
    french = page(client, "fr", correction)
    assert f"-1{NBSP}000,00{NBSP}DA" in french
    assert f"<bdi>{ARABIC_REASON}</bdi>" in french
    arabic = page(client, "ar", correction)
    assert f"\u200e-1{NBSP}000,00{NBSP}دج" in arabic  # the minus stays in front on a right-to-left page


def test_statement_pdf_prints_amounts_in_dinars_and_dates_day_first(world, statement, as_user):  # noqa: F811
    response = as_user(world.worker).get(f"/fibre/statements/{statement.pk}/pdf/")
    text = pdf_text(response.content)
    assert "25 778,00 DA" in text and "27 075,00 DA" in text and "DZD" not in text
    assert "01/01/2026 - 31/03/2026" in text  # period
    assert "01/05/2026" in text  # payable by, 30 days after issue
    assert "Émis le : 01/04/2026" in text  # translated, day first (ReportLab prints the no-break space as a space)
    assert "2026-05-01" not in text


def test_arabic_typed_text_on_a_french_pdf_line_is_shaped_and_reads_right_to_left():
    line, latin = billing_documents.pdf_text_run(f"Motif : {ARABIC_REASON}")
    assert not latin  # drawn with the Arabic font
    assert line.startswith("Motif : ")  # the French part stays on the left, in reading order
    arabic = line[len("Motif : "):]
    assert all(not ("\u0600" <= char <= "\u06ff") for char in arabic if char != " ")  # presentation forms only
    assert arabic.split(" ")[-1] == billing_documents.visual_arabic("خطأ")  # the first Arabic word ends the line
    rtl, _ = billing_documents.pdf_text_run(ARABIC_REASON + " (WO-0001)")
    assert rtl.startswith("(WO-0001)")  # an Arabic sentence starts on the right: its Latin tail goes left
    assert billing_documents.pdf_text_run("Retenue de garantie") == ("Retenue de garantie", True)


def test_a_correction_pdf_draws_the_arabic_reason_with_the_arabic_font(world, statement):  # noqa: F811
    correction = billing_statements.do_issue_correction(statement, gross_adjustment="-1000", reason=ARABIC_REASON,
                                             actor=world.billing_admin)
    text = pdf_text(billing_documents.payment_statement_pdf(correction))
    assert "(1 000,00 DA) Tj" in text  # a credit note (avoir) states the credited amount, positive
    assert "/F3+0" in text and ARABIC_REASON not in text  # shaped glyphs of the embedded font, not raw letters
