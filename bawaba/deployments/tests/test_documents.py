"""PDF and UBL renderings of issued statements."""

import base64
import datetime as dt
import re
import zlib
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from bawaba.deployments import billing, documents

from .factories import accepted_line

pytestmark = pytest.mark.django_db
NS = {"inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


def at(month, day):
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)


@pytest.fixture
def statement(world):
    from bawaba.deployments.models import WorkOrder

    accepted_line(world, "GC-01", 10, at(3, 5))       # 12 000.00
    accepted_line(world, "CAB-01", "80.5", at(3, 20))  # 12 075.00
    accepted_line(world, "CAB-01", 20, at(3, 21))     # 3 000.00
    WorkOrder.objects.filter(pk=world.work_order.pk).update(due_on=dt.date(2026, 3, 1), state="completed",
                                                            completed_at=at(3, 3))
    return billing.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin, now=at(4, 1))


def pdf_text(data: bytes) -> str:
    """Concatenated, decompressed content streams (Helvetica text is stored literally)."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1).strip()
        if raw.endswith(b"~>"):  # ReportLab wraps compressed streams in ASCII85
            raw = base64.a85decode(raw[:-2].replace(b"\n", b""))
        try:
            chunks.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            chunks.append(raw.decode("latin-1"))
    return "\n".join(chunks)


def test_payment_statement_pdf_shows_the_amounts(statement):
    data = documents.payment_statement_pdf(statement)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert statement.net_amount == Decimal("25778.00")
    assert "25 778,00 DZD" in text  # net payable
    assert "27 075,00 DZD" in text  # gross
    assert statement.number in text
    assert "vingt-cinq mille sept cent soixante-dix-huit dinars alg" in text
    assert "WO-0001 : 2 jour\\(s\\) de retard, 2 000,00 DZD" in text  # parentheses escaped in PDF strings
    # Deterministic: rendering twice gives the same bytes.
    assert documents.payment_statement_pdf(statement) == data


def test_arabic_text_is_shaped_and_embedded_with_a_font(statement):
    data = documents.payment_statement_pdf(statement)
    assert b"DejaVuSans" in data
    shaped = documents.visual_arabic("دينار")
    assert shaped != "دينار" and "\ufe8d" <= shaped[0] <= "\ufefc"  # presentation forms, visual order


def test_work_statement_pdf(statement):
    data = documents.work_statement_pdf(statement.work_statement)
    assert data.startswith(b"%PDF-")
    assert "27 075,00 DZD" in pdf_text(data)


def test_ubl_invoice_parses_with_the_right_totals(statement):
    root = ET.fromstring(documents.payment_statement_ubl(statement))  # noqa: S314 - our own output
    assert root.tag == f"{{{NS['inv']}}}Invoice"

    def value(path):
        return root.find(path, NS).text

    assert value("cbc:UBLVersionID") == "2.1"
    assert value("cbc:ID") == statement.number
    assert value("cbc:InvoiceTypeCode") == "380"
    assert value("cbc:DocumentCurrencyCode") == "DZD"
    assert value("cac:InvoicePeriod/cbc:EndDate") == "2026-03-31"
    assert value("cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name") == statement.contractor.name_fr
    assert value("cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name") == "Algérie Télécom"
    totals = {child.tag.split("}")[1]: Decimal(child.text) for child in root.find("cac:LegalMonetaryTotal", NS)}
    assert totals["LineExtensionAmount"] == statement.gross_amount == Decimal("27075.00")
    assert totals["AllowanceTotalAmount"] == statement.penalty_amount == Decimal("2000.00")
    assert totals["TaxExclusiveAmount"] == totals["LineExtensionAmount"] - totals["AllowanceTotalAmount"]
    assert Decimal(value("cac:TaxTotal/cbc:TaxAmount")) == statement.vat_amount
    assert totals["TaxInclusiveAmount"] == totals["TaxExclusiveAmount"] + statement.vat_amount
    assert totals["PayableAmount"] == totals["TaxInclusiveAmount"] - totals["PrepaidAmount"] == statement.net_amount
    assert root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).get("currencyID") == "DZD"
    lines = root.findall("cac:InvoiceLine", NS)
    assert [line.find("cac:Item/cac:SellersItemIdentification/cbc:ID", NS).text for line in lines] == [
        "CAB-01", "GC-01"]
    assert sum(Decimal(line.find("cbc:LineExtensionAmount", NS).text) for line in lines) == statement.gross_amount
    cable = lines[0]
    assert cable.find("cbc:InvoicedQuantity", NS).text == "100.5"
    assert cable.find("cbc:InvoicedQuantity", NS).get("unitCode") == "MTR"
    assert value("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent") == "19"


def test_correction_is_a_corrected_invoice_referring_to_the_original(statement, world):
    correction = billing.do_issue_correction(statement, gross_adjustment="-1000", reason="Double count of trench",
                                             actor=world.billing_admin)
    root = ET.fromstring(documents.payment_statement_ubl(correction))  # noqa: S314 - our own output
    assert root.find("cbc:InvoiceTypeCode", NS).text == "384"
    assert root.find("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", NS).text == statement.number
    assert Decimal(root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text) == correction.net_amount
    assert "Double count of trench" in pdf_text(documents.payment_statement_pdf(correction))


def test_tax_identifiers_of_both_parties_are_on_the_e_invoice_and_the_pdf(world):
    from bawaba.orgs.models import Organisation

    Organisation.objects.filter(pk=world.contractor.pk).update(tax_identifier="001216098765432")
    Organisation.objects.filter(pk=world.operator.pk).update(tax_identifier="000016001234567")
    accepted_line(world, "GC-01", 10, at(3, 5))
    issued = billing.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin, now=at(4, 1))
    root = ET.fromstring(documents.payment_statement_ubl(issued))  # noqa: S314 - our own output
    seller = "cac:AccountingSupplierParty/cac:Party/"
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    assert root.find(seller + "cac:PartyTaxScheme/cbc:CompanyID", NS).text == "001216098765432"
    assert root.find(seller + "cac:PartyTaxScheme/cac:TaxScheme/cbc:ID", NS).text == "VAT"
    assert root.find(buyer + "cac:PartyLegalEntity/cbc:CompanyID", NS).text == "000016001234567"
    assert "NIF 001216098765432" in pdf_text(documents.payment_statement_pdf(issued))


def test_without_a_tax_identifier_no_empty_tax_element_is_written(statement):
    root = ET.fromstring(documents.payment_statement_ubl(statement))  # noqa: S314 - our own output
    assert root.find("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme", NS) is None


def test_documents_of_a_monthly_run_are_rendered_from_the_frozen_rows_alone(world):
    """The run stores complete rows (amounts, words, penalties, numbers) and renders nothing: a PDF or UBL
    asked for later, from the row read back, has the same bytes as one from the objects the run returned."""
    from bawaba.deployments.models import PaymentStatement

    accepted_line(world, "GC-01", 10, at(1, 5))
    issued = billing.do_issue_monthly_statements(2026, 1, world.billing_admin, now=at(2, 2))
    assert len(issued) == 1
    stored = PaymentStatement.objects.get(pk=issued[0].pk)
    assert stored.amount_in_words_fr == billing.amount_in_words(stored.net_amount, "fr")
    assert stored.amount_in_words_ar == billing.amount_in_words(stored.net_amount, "ar")
    for render in (documents.payment_statement_pdf, documents.payment_statement_ubl):
        assert render(stored) == render(issued[0]) == render(PaymentStatement.objects.get(pk=stored.pk))
    assert documents.work_statement_pdf(stored.work_statement) == documents.work_statement_pdf(
        issued[0].work_statement)
    assert stored.number in pdf_text(documents.payment_statement_pdf(stored))
