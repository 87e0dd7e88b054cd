"""A contract bills in its price schedule's currency: Congo-Brazzaville's administration-sites programme in CFA
francs (XAF, no decimals by ISO 4217) beside Algeria's FTTH in dinars (DZD, centimes). The statement, its amount
in words, its PDF and its e-invoices (UBL, Factur-X CII) all follow the contract."""

import datetime as dt
import io
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from bawaba.deployments.billing import frozen as billing_frozen
from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.billing.words import amount_in_words
from bawaba.deployments.common.money import currency_exponent, currency_quantum
from bawaba.deployments.models import IssuedFileKind, PriceSchedule, WorkOrder
from bawaba.deployments.tests.factories import accepted_line, identify

from .en16931 import facturx_failed_assertions, failed_assertions, report
from .test_public_documents import CII, UBL, stored

pytestmark = pytest.mark.django_db
WHOLE = Decimal("1")
CONGO_IDENTIFICATION = {"country": "CG", "legal_form": "SA", "address": "Avenue Amilcar Cabral, Brazzaville",
                        "statistical_identifier": "", "tax_article_number": ""}


def at(month, day):
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)


def pdf_words(data: bytes) -> str:
    """The PDF's text as pypdf extracts it, every run of spaces (no-break ones too) made one space."""
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def bill_in_cfa_francs(world):
    """The world's contract turned into a Congolese one: prices in XAF, both parties Congolese (NIU, RCCM),
    VAT 18.9 % (18 % plus the 5 % additional centimes on it)."""
    from bawaba.deployments.models import Contract

    PriceSchedule.objects.filter(pk=world.version.schedule_id).update(currency="XAF")
    identify(world.operator, **CONGO_IDENTIFICATION, tax_identifier="M2026000000001",
             trade_register_number="CG-BZV-01-2026-B14-00001")
    identify(world.contractor, **CONGO_IDENTIFICATION, tax_identifier="M2026000000123",
             trade_register_number="CG-BZV-01-2026-B12-00123")
    Contract.objects.filter(pk=world.contract.pk).update(vat_rate=Decimal("0.1890"))
    world.contract.refresh_from_db()
    return world


def issue_march_in_cfa_francs(congo):
    """March's work on the Congolese contract, issued on 1 April: net 13 819 FCFA."""
    accepted_line(congo, "GC-01", 10, at(3, 5))
    line = accepted_line(congo, "CAB-01", "10.125", at(3, 20))  # 10.125 m × 150 = 1 518.75 → 1 519 FCFA
    assert line.amount == Decimal("1519")
    accepted_line(congo, "SRV-01", 1, at(3, 21))
    WorkOrder.objects.filter(pk=congo.work_order.pk).update(due_on=dt.date(2026, 3, 1), state="completed",
                                                            completed_at=at(3, 3), completion_recorded_at=at(3, 3))
    return billing_statements.do_issue_statements(congo.contract, dt.date(2026, 3, 31), congo.billing_admin,
                                                  now=at(4, 1))


@pytest.fixture
def congo(world):
    return bill_in_cfa_francs(world)


@pytest.fixture
def congo_statement(congo):
    return issue_march_in_cfa_francs(congo)


def test_iso_4217_decimals_come_from_the_iso4217_package():
    assert currency_exponent("DZD") == 2 and currency_exponent("XAF") == 0 and currency_exponent("XOF") == 0
    assert currency_quantum("XAF") == Decimal("1") and currency_quantum("DZD") == Decimal("0.01")


def test_amounts_in_words_follow_the_currency():
    assert amount_in_words(Decimal("2500"), "fr", "XAF") == "deux mille cinq cents francs CFA"
    assert amount_in_words(Decimal("1"), "fr", "XAF") == "un franc CFA"
    assert amount_in_words(Decimal("3000000"), "fr", "XAF") == "trois millions de francs CFA"
    assert amount_in_words(Decimal("1518.75"), "fr", "XAF") == "mille cinq cent dix-neuf francs CFA"  # no centimes
    assert amount_in_words(Decimal("11"), "ar", "XAF") == "أحد عشر فرنكاً إفريقياً"
    assert amount_in_words(Decimal("2"), "ar", "XAF") == "فرنكان إفريقيان"
    # Dinars keep their centimes, and stay the default.
    assert amount_in_words(Decimal("1.50"), "fr", "DZD") == "un dinar algérien et cinquante centimes"
    assert amount_in_words(Decimal("1.50"), "fr") == "un dinar algérien et cinquante centimes"


def test_a_congolese_statement_is_in_whole_cfa_francs_with_its_words(congo_statement):
    statement = congo_statement
    assert statement.currency == "XAF" and statement.parties["currency"] == "XAF"
    # 12 000 + 1 519 + 1 500 = 15 019; retention 5 % = 750.95 → 751; advance recovery 10 % = 1 502 (1 501.9);
    # penalties 2 days × 1 000, capped at 10 % of the gross = 1 502; VAT 18.9 % of 13 517 = 2 554.713 → 2 555.
    assert statement.gross_amount == Decimal("15019")
    assert statement.retention_amount == Decimal("751")
    assert statement.advance_recovery_amount == Decimal("1502")
    assert statement.penalty_amount == Decimal("1502")
    assert statement.taxable_amount == Decimal("13517")
    assert statement.vat_amount == Decimal("2555")
    assert statement.net_amount == Decimal("13819")
    for name in ("gross_amount", "retention_amount", "advance_recovery_amount", "penalty_amount", "vat_amount",
                 "net_amount", "penalty_carried_amount", "penalty_due_amount"):
        value = getattr(statement, name)
        assert value == value.quantize(WHOLE), name
    assert statement.amount_in_words_fr == "treize mille huit cent dix-neuf francs CFA"
    assert statement.amount_in_words_ar == "ثلاثة عشر ألفاً و ثمانمائة و تسعة عشر فرنكاً إفريقياً"
    assert billing_frozen.verify(statement) == []


def test_the_congolese_pdf_prints_francs_cfa_not_dinars(congo_statement):
    flat = pdf_words(stored(congo_statement, IssuedFileKind.PDF))
    assert "treize mille huit cent dix-neuf francs CFA (13 819 FCFA)" in flat
    assert "15 019 FCFA" in flat and "1 519 FCFA" in flat
    assert " DA" not in flat and "dinar" not in flat and ",00" not in flat
    work = pdf_words(stored(congo_statement, IssuedFileKind.WORK_PDF))
    assert "15 019 FCFA" in work and " DA" not in work


def test_the_congolese_ubl_is_in_xaf_and_passes_the_schema_and_the_en16931_rules(congo_statement):
    from facturx import xml_check_xsd

    xml = stored(congo_statement, IssuedFileKind.UBL)
    assert xml_check_xsd(xml, flavor="ubl-2.1-invoice")
    failures = failed_assertions(xml)
    assert not failures, report(failures)
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    assert root.findtext("cbc:DocumentCurrencyCode", namespaces=UBL) == "XAF"
    amounts = [element for element in root.iter() if "currencyID" in element.attrib]
    assert amounts and {element.get("currencyID") for element in amounts} == {"XAF"}
    assert all("." not in element.text for element in amounts)  # no decimals in a currency without any
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=UBL) == "16072"  # 13 517 + 2 555
    assert root.findtext("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID",
                         namespaces=UBL) == "CGM2026000000123"
    assert "net à payer 13819 XAF" in root.findtext("cac:PaymentTerms/cbc:Note", namespaces=UBL)


def test_the_congolese_factur_x_is_in_xaf_and_passes_the_schema_and_the_rules(congo_statement):
    from facturx import get_xml_from_pdf, xml_check_xsd

    _name, xml = get_xml_from_pdf(io.BytesIO(stored(congo_statement, IssuedFileKind.FACTURX)), check_xsd=False)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    failures = facturx_failed_assertions(xml)
    assert not failures, report(failures)
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    assert root.findtext(".//ram:InvoiceCurrencyCode", namespaces=CII) == "XAF"
    summation = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert root.find(summation + "TaxTotalAmount", namespaces=CII).get("currencyID") == "XAF"
    assert root.findtext(summation + "GrandTotalAmount", namespaces=CII) == "16072"


def test_a_congolese_credit_is_a_credit_note_in_whole_francs(congo_statement, congo):
    from facturx import xml_check_xsd

    correction = billing_statements.do_issue_correction(congo_statement, gross_adjustment="-1000.40",
                                                        reason="Câble compté deux fois", actor=congo.billing_admin)
    assert correction.currency == "XAF"
    assert correction.gross_amount == Decimal("-1000")  # the adjustment rounded to the franc
    assert correction.vat_amount == Decimal("-189") and correction.retention_amount == Decimal("-50")
    assert correction.net_amount == Decimal("-1139")  # -1 000 + 50 - 189
    assert correction.amount_in_words_fr == "moins mille cent trente-neuf francs CFA"
    xml = stored(correction, IssuedFileKind.UBL)
    assert xml_check_xsd(xml, flavor="ubl-2.1-creditnote")
    failures = failed_assertions(xml)
    assert not failures, report(failures)
    assert b'<cbc:DocumentCurrencyCode>XAF</cbc:DocumentCurrencyCode>' in xml
    assert billing_frozen.verify(correction) == []


def test_an_algerian_statement_stays_in_dinars_with_centimes(world):
    accepted_line(world, "CAB-01", "10.125", at(3, 20))  # 1 518.75 DA: centimes kept
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                                       now=at(4, 1))
    assert statement.currency == "DZD" and statement.gross_amount == Decimal("1518.75")
    # retention 75.94, advance recovery 151.88 (151.875), VAT 19 % 288.56 (288.5625): net 1 579.49
    assert statement.net_amount == Decimal("1579.49")
    assert statement.amount_in_words_fr == (
        "mille cinq cent soixante-dix-neuf dinars algériens et quarante-neuf centimes")
    root = ET.fromstring(stored(statement, IssuedFileKind.UBL))  # noqa: S314 - our own output
    assert root.findtext("cbc:DocumentCurrencyCode", namespaces=UBL) == "DZD"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", namespaces=UBL) == "1518.75"
    assert "1 518,75 DA" in pdf_words(stored(statement, IssuedFileKind.PDF))


def test_the_api_names_the_currency_and_keeps_two_decimal_strings(congo_statement, congo, as_user):
    client = as_user(congo.billing_admin)
    body = client.get(f"/fibre/api/v1/statement/{congo_statement.number}").json()
    assert body["currency"] == "XAF" and body["netAmount"] == "13819.00" and body["grossAmount"] == "15019.00"
    assert body["amountInWordsFr"] == "treize mille huit cent dix-neuf francs CFA"


def test_the_statement_pages_show_the_congolese_amounts_in_fcfa(congo_statement, congo, as_user):
    client = as_user(congo.billing_admin)
    page = client.get(f"/fibre/statements/{congo_statement.pk}/").content.decode()
    assert "13\xa0819\xa0FCFA" in page and ",00\xa0FCFA" not in page and "\xa0DA<" not in page
    listing = client.get("/fibre/statements/").content.decode()
    assert "15\xa0019\xa0FCFA" in listing and ",00\xa0FCFA" not in listing


def test_a_congolese_payment_and_its_late_interest_are_in_whole_francs(congo_statement, congo):
    from bawaba.deployments.billing import payments as billing_payments

    due = congo_statement.due_on
    billing_payments.do_record_payment(congo_statement, amount="5000", paid_on=due + dt.timedelta(days=40),
                                       actor=congo.billing_admin, now=at(6, 20))
    debt = billing_payments.debt_of(congo_statement)
    interest = debt.late_interest(due + dt.timedelta(days=100))
    assert interest > 0 and interest == interest.quantize(WHOLE)
