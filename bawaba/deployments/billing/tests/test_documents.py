"""PDF and UBL renderings of issued statements."""

import base64
import datetime as dt
import re
import zlib
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from bawaba.deployments.billing import documents as billing_documents
from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.billing import words as billing_words
from bawaba.deployments.common import money as common_money
from bawaba.deployments.tests.factories import accepted_line

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
                                                            completed_at=at(3, 3), completion_recorded_at=at(3, 3))
    return billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin, now=at(4,
                                                                                                                    1))


def pdf_text(data: bytes) -> str:
    """Concatenated, decompressed content streams (Helvetica text is stored literally, octal escapes decoded:
    "D\\351compte" reads "Décompte"). ReportLab draws a no-break space as a space: PDF lines never wrap."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1).strip()
        if raw.endswith(b"~>"):  # ReportLab wraps compressed streams in ASCII85
            raw = base64.a85decode(raw[:-2].replace(b"\n", b""))
        try:
            chunks.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            chunks.append(raw.decode("latin-1"))
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), "\n".join(chunks))


def test_payment_statement_pdf_shows_the_amounts(statement):
    data = billing_documents.payment_statement_pdf(statement)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert statement.net_amount == Decimal("25778.00")
    assert "25 778,00 DA" in text  # net payable
    assert "27 075,00 DA" in text  # gross
    assert statement.number in text
    assert "vingt-cinq mille sept cent soixante-dix-huit dinars alg" in text
    assert "WO-0001 : 2 jour\\(s\\) de retard, 2 000,00 DA" in text  # parentheses escaped in PDF strings
    # Deterministic: rendering twice gives the same bytes.
    assert billing_documents.payment_statement_pdf(statement) == data


def test_arabic_text_is_shaped_and_embedded_with_a_font(statement):
    data = billing_documents.payment_statement_pdf(statement)
    assert b"DejaVuSans" in data
    shaped = billing_documents.visual_arabic("دينار")
    assert shaped != "دينار" and "\ufe8d" <= shaped[0] <= "\ufefc"  # presentation forms, visual order


def test_work_statement_pdf(statement):
    data = billing_documents.work_statement_pdf(statement.work_statement)
    assert data.startswith(b"%PDF-")
    assert "27 075,00 DA" in pdf_text(data)


def test_ubl_invoice_parses_with_the_right_totals(statement):
    root = ET.fromstring(billing_documents.payment_statement_ubl(statement))  # noqa: S314 - our own output
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
    # Retention and advance recovery are deducted at payment, not prepaid (issue 12 point 8): the amount due is
    # the invoice total; the net payable is in the payment terms.
    assert "PrepaidAmount" not in totals and totals["PayableAmount"] == totals["TaxInclusiveAmount"]
    assert f"net à payer {statement.net_amount:.2f} DZD" in value("cac:PaymentTerms/cbc:Note")
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
    correction = billing_statements.do_issue_correction(statement, gross_adjustment="1000",
                                                        reason="Double count of trench",
                                             actor=world.billing_admin)
    root = ET.fromstring(billing_documents.payment_statement_ubl(correction))  # noqa: S314 - our own output
    assert root.find("cbc:InvoiceTypeCode", NS).text == "384"
    assert root.find("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", NS).text == statement.number
    assert Decimal(root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text) == (
        correction.taxable_amount + correction.vat_amount)
    assert "Double count of trench" in pdf_text(billing_documents.payment_statement_pdf(correction))


def test_tax_identifiers_of_both_parties_are_on_the_e_invoice_and_the_pdf(world):
    from bawaba.orgs.models import Organisation

    Organisation.objects.filter(pk=world.contractor.pk).update(tax_identifier="001216098765432")
    Organisation.objects.filter(pk=world.operator.pk).update(tax_identifier="000016001234567")
    accepted_line(world, "GC-01", 10, at(3, 5))
    issued = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                                    now=at(4, 1))
    root = ET.fromstring(billing_documents.payment_statement_ubl(issued))  # noqa: S314 - our own output
    seller = "cac:AccountingSupplierParty/cac:Party/"
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    # VAT identifiers carry the ISO country prefix (EN 16931 BR-CO-09); the legal entity keeps the bare NIF.
    assert root.find(seller + "cac:PartyTaxScheme/cbc:CompanyID", NS).text == "DZ001216098765432"
    assert root.find(seller + "cac:PartyTaxScheme/cac:TaxScheme/cbc:ID", NS).text == "VAT"
    # The legal registration (BT-30, BT-47) is the trade register number.
    assert root.find(seller + "cac:PartyLegalEntity/cbc:CompanyID", NS).text == world.contractor.trade_register_number
    assert root.find(buyer + "cac:PartyTaxScheme/cbc:CompanyID", NS).text == "DZ000016001234567"
    assert root.find(buyer + "cac:PartyLegalEntity/cbc:CompanyID", NS).text == world.operator.trade_register_number
    assert "NIF : 001216098765432" in pdf_text(billing_documents.payment_statement_pdf(issued))


def test_without_a_tax_identifier_no_empty_tax_element_is_written(statement):
    statement.parties["contractor"]["tax_identifier"] = ""  # a statement issued before NIFs were required
    root = ET.fromstring(billing_documents.payment_statement_ubl(statement))  # noqa: S314 - our own output
    assert root.find("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme", NS) is None


def test_documents_of_a_monthly_run_are_rendered_from_the_frozen_rows_alone(world):
    """The run stores complete rows (amounts, words, penalties, numbers) and renders nothing: a PDF or UBL
    asked for later, from the row read back, has the same bytes as one from the objects the run returned."""
    from bawaba.deployments.models import PaymentStatement

    accepted_line(world, "GC-01", 10, at(1, 5))
    issued = billing_statements.do_issue_monthly_statements(2026, 1, world.billing_admin, now=at(2, 2))
    assert len(issued) == 1
    stored = PaymentStatement.objects.get(pk=issued[0].pk)
    assert stored.amount_in_words_fr == billing_words.amount_in_words(stored.net_amount, "fr")
    assert stored.amount_in_words_ar == billing_words.amount_in_words(stored.net_amount, "ar")
    for render in (billing_documents.payment_statement_pdf, billing_documents.payment_statement_ubl):
        assert render(stored) == render(issued[0]) == render(PaymentStatement.objects.get(pk=stored.pk))
    assert billing_documents.work_statement_pdf(stored.work_statement) == billing_documents.work_statement_pdf(
        issued[0].work_statement)
    assert stored.number in pdf_text(billing_documents.payment_statement_pdf(stored))


# --------------------------------------------------------------------------- issued documents never change


def render_all(statement, correction=None) -> list[bytes]:
    """Every document of a payment statement (and of a correction of it), as downloaded."""
    rendered = [billing_documents.payment_statement_pdf(statement),
                billing_documents.payment_statement_pdf(statement, lang="en"),
                billing_documents.payment_statement_ubl(statement),
                billing_documents.work_statement_pdf(statement.work_statement)]
    if correction is not None:
        rendered += [billing_documents.payment_statement_pdf(correction),
                     billing_documents.payment_statement_ubl(correction)]
    return rendered


def edit_everything_printed(world):
    """What the operator's administrators can still change once a statement is issued: the contract's terms and
    reference, the programme's name, both organisations' names, tax identifiers, country and time zone."""
    from bawaba.deployments.models import Contract, Programme
    from bawaba.orgs.models import Organisation

    contract = Contract.objects.get(pk=world.contract.pk)
    contract.retention_rate, contract.advance_recovery_rate = Decimal("0.07"), Decimal("0.20")
    contract.payment_terms_days, contract.vat_rate, contract.reference = 60, Decimal("0.09"), "CT-2026-001-BIS"
    contract.save()
    programme = Programme.objects.get(pk=world.programme.pk)
    programme.name_fr = "FTTH 2027 renommé"
    programme.save()
    for pk, name in ((world.contractor.pk, "Renamed SARL"), (world.operator.pk, "Opérateur renommé")):
        organisation = Organisation.objects.get(pk=pk)
        organisation.name_fr, organisation.name_ar = name, "اسم جديد"
        organisation.tax_identifier, organisation.country = "999999999999999", "TN"
        organisation.timezone = "Pacific/Kiritimati"  # UTC+14: another issue day if it were read live
        organisation.save()


def test_an_issued_statement_prints_the_same_after_the_contract_and_the_parties_change(world):
    from bawaba.deployments.models import PaymentStatement
    from bawaba.orgs.models import Organisation

    Organisation.objects.filter(pk=world.contractor.pk).update(tax_identifier="001216098765432")
    Organisation.objects.filter(pk=world.operator.pk).update(tax_identifier="000016001234567")
    contractor_name = Organisation.objects.get(pk=world.contractor.pk).name_fr
    accepted_line(world, "GC-01", 10, at(3, 5))
    accepted_line(world, "CAB-01", 20, at(3, 21))
    issued = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                                    now=at(4, 1))
    correction = billing_statements.do_issue_correction(issued, gross_adjustment="-1000",
                                                        reason="Double count of trench",
                                             actor=world.billing_admin)
    before = render_all(issued, correction)

    edit_everything_printed(world)

    statement = PaymentStatement.objects.get(pk=issued.pk)
    correction = PaymentStatement.objects.get(pk=correction.pk)
    assert render_all(statement, correction) == before  # byte for byte, PDF and UBL, statement and correction
    root = ET.fromstring(billing_documents.payment_statement_ubl(statement))  # noqa: S314 - our own output
    seller, buyer = "cac:AccountingSupplierParty/cac:Party/", "cac:AccountingCustomerParty/cac:Party/"
    assert root.find(seller + "cac:PartyName/cbc:Name", NS).text == contractor_name != "Renamed SARL"
    assert root.find(seller + "cac:PartyTaxScheme/cbc:CompanyID", NS).text == "DZ001216098765432"  # not TN
    assert root.find(seller + "cac:PostalAddress/cac:Country/cbc:IdentificationCode", NS).text == "DZ"
    assert root.find(buyer + "cac:PartyName/cbc:Name", NS).text == "Algérie Télécom"
    assert root.find(buyer + "cac:PartyTaxScheme/cbc:CompanyID", NS).text == "DZ000016001234567"
    assert root.find("cac:ContractDocumentReference/cbc:ID", NS).text == "CT-2026-001"
    assert root.find("cbc:IssueDate", NS).text == "2026-04-01"
    assert root.find("cbc:DueDate", NS).text == "2026-05-01"
    assert root.find("cac:PaymentTerms/cbc:Note", NS).text.endswith("le 2026-05-01 (30 jours)")
    text = pdf_text(billing_documents.payment_statement_pdf(statement))
    assert "Retenue de garantie \\(5 %\\)" in text and "FTTH 2027" in text and "renomm" not in text
    assert contractor_name in text and "NIF : 001216098765432" in text


def test_a_statement_issued_after_the_changes_prints_the_new_terms_and_names(world):
    accepted_line(world, "GC-01", 10, at(3, 5))
    billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin, now=at(4, 1))
    edit_everything_printed(world)
    accepted_line(world, "GC-01", 5, at(4, 10))

    april = billing_statements.do_issue_statements(world.contract, dt.date(2026, 4, 30), world.billing_admin,
                                                   now=at(5, 2))

    assert (april.retention_rate, april.advance_recovery_rate, april.payment_terms_days) == (
        Decimal("0.07"), Decimal("0.20"), 60)
    assert april.issued_on == dt.date(2026, 5, 3)  # the operator's day: 12:00 UTC is 02:00 on the 3rd at UTC+14
    root = ET.fromstring(billing_documents.payment_statement_ubl(april))  # noqa: S314 - our own output
    assert root.find("cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name", NS).text == "Renamed SARL"
    assert root.find("cac:ContractDocumentReference/cbc:ID", NS).text == "CT-2026-001-BIS"
    assert root.find("cac:PaymentTerms/cbc:Note", NS).text.endswith("le 2026-07-02 (60 jours)")
    assert "Retenue de garantie \\(7 %\\)" in pdf_text(billing_documents.payment_statement_pdf(april))
    assert "FTTH 2027 renomm" in pdf_text(billing_documents.work_statement_pdf(april.work_statement))


def test_the_printed_retention_rate_is_the_rate_the_retention_was_computed_with(world):
    from bawaba.deployments.models import Contract

    Contract.objects.filter(pk=world.contract.pk).update(retention_rate=Decimal("0.075"))
    accepted_line(world, "GC-01", 10, at(3, 5))  # 12 000.00
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                            now=at(4, 1))
    assert statement.retention_rate == Decimal("0.075")
    assert statement.retention_amount == common_money.money(statement.gross_amount * statement.retention_rate) == \
        Decimal("900.00")
    text = pdf_text(billing_documents.payment_statement_pdf(statement))
    assert "Retenue de garantie \\(7,5 %\\)" in text and "-900,00 DA" in text

    # A correction takes back at the rates of the statement it corrects, even after the contract changed.
    Contract.objects.filter(pk=world.contract.pk).update(retention_rate=Decimal("0.04"), vat_rate=Decimal("0.09"),
                                                         payment_terms_days=60)
    correction = billing_statements.do_issue_correction(statement, gross_adjustment="-1000",
                                                        reason="Trench measured twice",
                                             actor=world.billing_admin)
    assert correction.retention_rate == Decimal("0.075") and correction.retention_amount == Decimal("-75.00")
    assert correction.vat_rate == statement.vat_rate and correction.vat_amount == Decimal("-190.00")
    assert correction.payment_terms_days == statement.payment_terms_days
    assert correction.advance_recovery_rate == 0
    assert "Retenue de garantie \\(7,5 %\\)" in pdf_text(billing_documents.payment_statement_pdf(correction))
    assert "Retenue de garantie \\(7,5 %\\)" in pdf_text(billing_documents.payment_statement_pdf(statement))


def test_documents_read_neither_the_contract_nor_the_organisations(statement):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bawaba.deployments.models import PaymentStatement

    stored = PaymentStatement.objects.get(pk=statement.pk)
    with CaptureQueriesContext(connection) as queries:
        render_all(stored)
    live = ('"deployments_contract"', '"deployments_programme"', '"orgs_organisation"')
    assert [q["sql"] for q in queries if any(table in q["sql"] for table in live)] == []


@pytest.mark.django_db(transaction=True)
def test_statements_issued_before_the_snapshot_migration_are_filled_and_print_as_before(world):
    """Migration 0004 fills the snapshot of earlier statements: the parties as they are, the issue day, the
    payment terms from the due date and the retention rate that gives the stored retention amount."""
    from django.core.management import call_command

    from bawaba.deployments.models import Contract, PaymentStatement, WorkStatement

    accepted_line(world, "GC-01", 10, at(3, 5))
    accepted_line(world, "CAB-01", 20, at(3, 21))
    issued = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                                    now=at(4, 1))
    correction = billing_statements.do_issue_correction(issued, gross_adjustment="-1000",
                                                        reason="Double count of trench",
                                             actor=world.billing_admin)
    fields = ("issued_on", "parties", "retention_rate", "advance_recovery_rate", "payment_terms_days")

    def old_shape(parties):
        """What migration 0004 knew how to fill: the identification added later (0010) is not refilled."""
        organisation = ("slug", "name_fr", "name_ar", "tax_identifier", "country")
        return {"contract": parties["contract"], "programme": parties["programme"],
                **{role: {key: parties[role][key] for key in organisation} for role in ("operator", "contractor")}}

    def snapshot(pk):
        statement = PaymentStatement.objects.get(pk=pk)
        values = [getattr(statement, name) for name in fields]
        values[1] = old_shape(values[1])
        return (values, [statement.work_statement.issued_on, old_shape(statement.work_statement.parties)]
                if statement.work_statement_id else None)

    expected = {pk: snapshot(pk) for pk in (issued.pk, correction.pk)}
    before = render_all(issued, correction)
    # Terms changed since: the rate must come from the stored amounts, the terms from the due date.
    Contract.objects.filter(pk=world.contract.pk).update(retention_rate=Decimal("0.07"), payment_terms_days=60)

    call_command("migrate", "deployments", "0003", verbosity=0)
    call_command("migrate", verbosity=0)  # every app forward: those depending on deployments too

    assert {pk: snapshot(pk) for pk in expected} == expected
    assert expected[issued.pk][0][2:] == [Decimal("0.05"), Decimal("0.10"), 30]
    assert before  # statements filled by 0004 lack the later identification: their stored files are the proof
    assert WorkStatement.objects.get(pk=issued.work_statement_id).parties["contract"] == "CT-2026-001"
