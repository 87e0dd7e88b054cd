"""Issue 12, points 5 to 9: documents a public buyer accepts, Factur-X, frozen documents, e-invoice semantics,
PDF presentation."""

import datetime as dt
import io
import re
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bawaba.deployments.billing import documents as billing_documents
from bawaba.deployments.billing import frozen as billing_frozen
from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.common.errors import Conflict
from bawaba.deployments.models import IssuedFile, IssuedFileKind, PaymentStatement
from bawaba.deployments.tests.factories import accepted_line, identify

from .en16931 import facturx_failed_assertions, failed_assertions, report
from .test_documents import pdf_text

pytestmark = pytest.mark.django_db
UBL = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
       "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
CII = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
       "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
       "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"}


def at(month, day):
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)


@pytest.fixture
def issued(world):
    """A regular statement with retention, advance recovery and a penalty (net 25 778,00 DA)."""
    from bawaba.deployments.models import Contract, WorkOrder

    Contract.objects.filter(pk=world.contract.pk).update(approval_reference="Visa CMO n° 12/2026 du 03/02/2026")
    world.contract.refresh_from_db()
    accepted_line(world, "GC-01", 10, at(3, 5))
    accepted_line(world, "CAB-01", "80.5", at(3, 20))
    accepted_line(world, "CAB-01", 20, at(3, 21))
    WorkOrder.objects.filter(pk=world.work_order.pk).update(due_on=dt.date(2026, 3, 1), state="completed",
                                                            completed_at=at(3, 3), completion_recorded_at=at(3, 3))
    return billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin, now=at(4,
                                                                                                                    1))


def stored(statement, kind) -> bytes:
    return bytes(IssuedFile.objects.get(statement=statement, kind=kind).content)


def credit(issued, world, **adjustments):
    return billing_statements.do_issue_correction(issued, reason="Double count of trench", actor=world.billing_admin,
                                       **{"gross_adjustment": "-1000", **adjustments})


# --------------------------------------------------------------------------- 5. identification


def test_issuing_refuses_a_contractor_without_its_mandatory_identifiers(world):
    from django.utils import translation

    identify(world.contractor, statistical_identifier="", tax_article_number="")
    accepted_line(world, "GC-01", 10, at(3, 5))
    with translation.override("en"), pytest.raises(Conflict) as refused:
        billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin, now=at(4, 1))
    assert "statistical identifier (NIS)" in str(refused.value) and "tax article number (AI)" in str(refused.value)
    assert not PaymentStatement.objects.exists()


def test_issuing_refuses_an_operator_without_its_identifiers_and_says_so_in_french(world):
    from django.utils import translation

    identify(world.operator, trade_register_number="", address="")
    accepted_line(world, "GC-01", 10, at(3, 5))
    with translation.override("fr"), pytest.raises(Conflict) as refused:
        billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin, now=at(4, 1))
    assert "L'opérateur Algérie Télécom" in str(refused.value) and "numéro du registre du commerce" in str(
        refused.value)


def test_a_monthly_run_skips_a_contract_whose_parties_are_incomplete_and_issues_the_others(world):
    identify(world.contractor, legal_form="")
    accepted_line(world, "GC-01", 10, at(1, 5))
    assert billing_statements.do_issue_monthly_statements(2026, 1, world.billing_admin, now=at(2, 2)) == []


@pytest.mark.parametrize(("field", "value", "ok"), [
    ("tax_identifier", "000016001234567", True), ("tax_identifier", "00001600123456", False),
    ("tax_identifier", "0000160012345AB", False), ("statistical_identifier", "098116010203040", True),
    ("statistical_identifier", "9811601", False), ("trade_register_number", "16/00-1234567 B 12", True),
    ("trade_register_number", "16/00-1234567B12", True), ("trade_register_number", "1234567", False),
    ("tax_article_number", "16012345678", True), ("tax_article_number", "16-012", False),
])
def test_algerian_identifier_formats(field, value, ok):
    from bawaba.orgs.identifiers import identifier_errors

    assert (identifier_errors("DZ", {field: value}) == {}) is ok


def test_onboarding_takes_the_identifiers_and_refuses_a_malformed_one(orgs):
    from bawaba.orgs.services import do_onboard_organisation

    org = do_onboard_organisation({"slug": "new-co", "kind": "contractor", "name_fr": "New Co", "legal_form": "EURL",
                                   "address": "Oran", "tax_identifier": "0016 0000 0000 099",
                                   "statistical_identifier": "098100000000099", "tax_article_number": "31000000099",
                                   "trade_register_number": "31/00-0000099 b 20"})
    assert org.tax_identifier == "001600000000099" and org.trade_register_number == "31/00-0000099 B 20"
    assert org.missing_identifiers() == []
    with pytest.raises(ValidationError) as refused:
        do_onboard_organisation({"slug": "bad-co", "kind": "contractor", "name_fr": "Bad", "tax_identifier": "123"})
    assert "tax_identifier" in refused.value.message_dict


def test_the_organisation_admin_page_asks_for_the_identification(client, platform_admin):
    client.force_login(platform_admin)
    page = client.get("/admin/orgs/organisation/add/")
    assert page.status_code == 200
    for name in ("legal_form", "address", "statistical_identifier", "trade_register_number", "tax_article_number"):
        assert f'name="{name}"' in page.content.decode()


def test_the_pdf_carries_both_parties_identification_the_contract_approval_the_sum_in_words_and_signatures(issued):
    text = pdf_text(stored(issued, IssuedFileKind.PDF))
    for party in (issued.parties["contractor"], issued.parties["operator"]):
        for key in ("legal_form", "tax_identifier", "statistical_identifier", "trade_register_number",
                    "tax_article_number"):
            assert party[key] in text, key
    assert "Adresse : Route nationale n\xb0 5, Bab Ezzouar, Alger" in text
    assert "Visa CMO n\xb0 12/2026 du 03/02/2026" in text
    assert "Arr\xeat\xe9 le pr\xe9sent d\xe9compte \xe0 la somme de vingt-cinq mille sept cent" in text
    assert "soixante-dix-huit dinars alg\xe9riens) Tj" in text and "(\\(25 778,00 DA\\).) Tj" in text
    for block in ("L'entrepreneur", "L'inspecteur", "Les services de l'op\xe9rateur"):
        assert block in text


# --------------------------------------------------------------------------- 6. Factur-X


def _facturx_xml(statement) -> bytes:
    from facturx import get_xml_from_pdf

    _name, xml = get_xml_from_pdf(io.BytesIO(stored(statement, IssuedFileKind.FACTURX)), check_xsd=False)
    return xml


def _assert_facturx_valid(statement) -> ET.Element:
    from facturx import xml_check_xsd
    from pypdf import PdfReader

    pdf = stored(statement, IssuedFileKind.FACTURX)
    assert b"<pdfaid:part>3</pdfaid:part>" in pdf or b'pdfaid:part="3"' in pdf  # PDF/A-3 identification (XMP)
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {font.get_object()["/BaseFont"] for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all(name.startswith("/AAAAAA+DejaVuSans") for name in fonts)  # every font embedded
    intent = reader.trailer["/Root"]["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object()["/N"] == 3
    xml = _facturx_xml(statement)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")  # raises on a schema error
    failures = facturx_failed_assertions(xml)
    assert not failures, report(failures)
    return ET.fromstring(xml)  # noqa: S314 - our own output


def test_statement_as_factur_x_en16931_passes_the_xsd_and_the_rules_the_package_ships(issued):
    root = _assert_facturx_valid(issued)
    assert root.findtext(".//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", namespaces=CII) == (
        "urn:cen.eu:en16931:2017")
    assert root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=CII) == "380"
    summation = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert Decimal(root.findtext(summation + "GrandTotalAmount", namespaces=CII)) == Decimal("29839.25")
    assert Decimal(root.findtext(summation + "DuePayableAmount", namespaces=CII)) == Decimal("29839.25")


def test_credit_note_as_factur_x_passes(issued, world):
    correction = credit(issued, world)
    root = _assert_facturx_valid(correction)
    assert root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=CII) == "381"


def test_the_shipped_rules_catch_a_broken_total(issued):
    """The check can fail: a CII whose grand total is off by a centime breaks BR-CO-15."""
    xml = _facturx_xml(issued).replace(b"<ram:GrandTotalAmount>29839.25", b"<ram:GrandTotalAmount>29839.26")
    assert "BR-CO-15" in {failure.id for failure in facturx_failed_assertions(xml)}


# --------------------------------------------------------------------------- 7. frozen documents


def test_every_document_is_stored_with_its_hash_at_issue_and_downloads_serve_those_bytes(issued, client, world):
    files = {found.kind: found for found in IssuedFile.objects.filter(statement=issued)}
    assert set(files) == {"figures", "pdf", "ubl", "facturx", "work_pdf"}
    for found in files.values():
        assert billing_frozen.sha256(bytes(found.content)) == found.sha256
    assert billing_frozen.verify(issued) == []
    client.force_login(world.billing_admin)
    for name, kind in (("statement_pdf", "pdf"), ("statement_ubl", "ubl"), ("statement_facturx", "facturx"),
                       ("work_statement_pdf", "work_pdf")):
        response = client.get(f"/fibre/statements/{issued.pk}/" + {
            "statement_pdf": "pdf/", "statement_ubl": "ubl/", "statement_facturx": "facturx/",
            "work_statement_pdf": "work-statement.pdf"}[name])
        assert response.status_code == 200 and response.content == bytes(files[kind].content), name


def _sql(statement, sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_figure_edited_in_the_database_is_detected_by_the_command_and_the_page(issued, client, world):
    table = PaymentStatement._meta.db_table
    _sql(issued, f"UPDATE {table} SET vat_amount = %s WHERE id = %s", [Decimal("4864.25"), issued.pk])  # noqa: S608
    statement = PaymentStatement.objects.get(pk=issued.pk)
    problems = billing_frozen.verify(statement)
    assert {(p.code, p.kind) for p in problems} >= {("figure", "vat_amount"), ("document", "ubl"),
                                                    ("document", "facturx")}
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 statements disagree"):
        call_command("fibre_verify_documents", stdout=out)
    assert f"figure\t{issued.number}\tvat_amount" in out.getvalue()
    client.force_login(world.billing_admin)
    page = client.get(f"/fibre/statements/{issued.pk}/").content.decode()
    assert 'id="verification"' in page and "vat_amount" in page


def test_stored_bytes_edited_in_the_database_are_detected(issued):
    found = IssuedFile.objects.get(statement=issued, kind=IssuedFileKind.PDF)
    tampered = bytes(found.content) + b"\n% edited"
    assert tampered != bytes(found.content)
    _sql(issued, f"UPDATE {IssuedFile._meta.db_table} SET content = %s WHERE id = %s",  # noqa: S608
         [tampered, found.pk])
    problems = billing_frozen.verify(issued)
    assert [(p.code, p.kind) for p in problems] == [("hash", "pdf")]
    with pytest.raises(CommandError):
        call_command("fibre_verify_documents", number=[issued.number], stdout=io.StringIO())


def test_the_command_passes_on_untouched_documents(issued, world):
    credit(issued, world)
    out = io.StringIO()
    call_command("fibre_verify_documents", stdout=out)
    assert "2 statements: stored documents, hashes and figures agree." in out.getvalue()


def test_stored_files_cannot_be_changed_through_the_orm(issued):
    from bawaba.deployments.models import ImmutableDocumentError

    found = IssuedFile.objects.filter(statement=issued).first()
    with pytest.raises(ImmutableDocumentError):
        IssuedFile.objects.filter(pk=found.pk).update(content=b"x")
    with pytest.raises(ImmutableDocumentError):
        found.delete()


# --------------------------------------------------------------------------- 8. e-invoice semantics


def test_a_credit_is_a_credit_note_with_positive_amounts_valid_under_en16931(issued, world):
    correction = credit(issued, world)
    document = stored(correction, IssuedFileKind.UBL)
    root = ET.fromstring(document)  # noqa: S314 - our own output
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=UBL) == "381"
    line = root.find("cac:CreditNoteLine", UBL)
    assert line.findtext("cbc:CreditedQuantity", namespaces=UBL) == "1"
    assert line.findtext("cbc:LineExtensionAmount", namespaces=UBL) == "1000.00"
    assert Decimal(root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=UBL)) == Decimal("1190.00")
    assert not [value for value in root.iter() if (value.text or "").startswith("-")]
    fatal = [failure for failure in failed_assertions(document) if failure.fatal]
    assert not fatal, report(fatal)


def test_retention_and_advance_recovery_are_not_prepaid_amounts(issued):
    root = ET.fromstring(stored(issued, IssuedFileKind.UBL))  # noqa: S314 - our own output
    totals = root.find("cac:LegalMonetaryTotal", UBL)
    assert totals.find("cbc:PrepaidAmount", UBL) is None
    assert totals.findtext("cbc:PayableAmount", namespaces=UBL) == totals.findtext("cbc:TaxInclusiveAmount",
                                                                                  namespaces=UBL) == "29839.25"
    terms = root.findtext("cac:PaymentTerms/cbc:Note", namespaces=UBL)
    assert "Retenue de garantie 1353.75 DZD" in terms and "remboursement d'avance 2707.50 DZD" in terms
    assert "net à payer 25778.00 DZD" in terms


def test_a_penalty_refund_is_a_charge_not_a_negative_allowance(issued, world):
    correction = billing_statements.do_issue_correction(issued, gross_adjustment="0", penalty_adjustment="-500",
                                             reason="Penalty waived", actor=world.billing_admin)
    root = ET.fromstring(stored(correction, IssuedFileKind.UBL))  # noqa: S314 - our own output
    charge = root.find("cac:AllowanceCharge", UBL)
    assert charge.findtext("cbc:ChargeIndicator", namespaces=UBL) == "true"
    assert charge.findtext("cbc:Amount", namespaces=UBL) == "500.00"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:ChargeTotalAmount", namespaces=UBL) == "500.00"
    cii = ET.fromstring(_facturx_xml(correction))  # noqa: S314 - our own output
    assert cii.findtext(".//ram:SpecifiedTradeAllowanceCharge/ram:ChargeIndicator/udt:Indicator",
                        namespaces=CII) == "true"


def test_the_pdf_line_and_the_ubl_line_of_a_correction_agree_in_sign(issued, world):
    mixed = billing_statements.do_issue_correction(issued, gross_adjustment="-1000", penalty_adjustment="-2000",
                                        reason="Trench double counted; penalty refunded", actor=world.billing_admin)
    root = ET.fromstring(stored(mixed, IssuedFileKind.UBL))  # noqa: S314 - our own output
    assert root.findtext("cbc:InvoiceTypeCode", namespaces=UBL) == "384"  # its total is positive: an invoice
    line = root.find("cac:InvoiceLine", UBL)
    assert (line.findtext("cbc:InvoicedQuantity", namespaces=UBL),
            line.findtext("cac:Price/cbc:PriceAmount", namespaces=UBL),
            line.findtext("cbc:LineExtensionAmount", namespaces=UBL)) == ("-1", "1000.00", "-1000.00")
    text = pdf_text(stored(mixed, IssuedFileKind.PDF))
    assert re.search(r"\(-1\) Tj.*?\(1 000,00 DA\) Tj.*?\(-1 000,00 DA\) Tj", text, re.S)
    credit_note = pdf_text(stored(credit(issued, world), IssuedFileKind.PDF))
    assert "Avoir" in credit_note and "(-1 000,00 DA)" not in credit_note


# --------------------------------------------------------------------------- 9. presentation


def test_french_pdf_labels_are_all_french_and_amounts_carry_da(issued):
    text = pdf_text(stored(issued, IssuedFileKind.PDF))
    assert "\xc9mis le : 01/04/2026" in text and "Issued on" not in text
    for english in ("Total of the lines", "Retention", "deducted at payment", "Client (", "Legal form", "Address:",
                    "The contractor", "Net payable"):
        assert english not in text, english
    assert "(1 200,00 DA) Tj" in text and "(15 075,00 DA) Tj" in text  # unit price and line amount, grouped


def test_arabic_keeps_brackets_around_latin_text_and_vowel_marks():
    assert "(WO-0001)" in billing_documents.visual_arabic("كشف (WO-0001) رقم")
    assert billing_documents.visual_arabic("مؤسسة fibre-co-1 (NIF 123)").startswith("fibre-co-1 (NIF 123)")
    assert "\u064b" in billing_documents.visual_arabic("ألفاً")  # tanwin al-fath kept
    assert billing_documents.visual_arabic("(ألفاً)").startswith("(")


def test_no_rule_crosses_the_table_header(issued):
    text = pdf_text(stored(issued, IssuedFileKind.PDF))
    header = re.search(r"1 0 0 1 [\d.]+ ([\d.]+) Tm \(Montant HT\)", text)
    rule = re.search(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", text[header.end():])
    header_y, rule_y = float(header.group(1)), float(rule.group(2))
    assert rule_y < header_y - 2  # under the header's baseline and descenders, not through its letters


def test_ubl_invoice_and_credit_note_pass_the_oasis_ubl_21_schema(issued, world):
    """The OASIS UBL 2.1 XSD shipped by factur-x (element order, types): the invoice and the credit note."""
    from facturx import xml_check_xsd

    assert xml_check_xsd(stored(issued, IssuedFileKind.UBL), flavor="ubl-2.1-invoice")
    assert xml_check_xsd(stored(credit(issued, world), IssuedFileKind.UBL), flavor="ubl-2.1-creditnote")


def test_a_statement_issued_before_documents_were_stored_gets_them_frozen_once(issued, client, world):
    _sql(issued, f"DELETE FROM {IssuedFile._meta.db_table} WHERE statement_id = %s", [issued.pk])  # noqa: S608
    assert [p.code for p in billing_frozen.verify(issued)] == ["missing"] * 5
    client.force_login(world.billing_admin)
    page = client.get(f"/fibre/statements/{issued.pk}/").content.decode()
    assert "Verified" in page or "V\xe9rifi\xe9" in page
    first = stored(issued, IssuedFileKind.PDF)
    assert client.get(f"/fibre/statements/{issued.pk}/pdf/").content == first
    assert IssuedFile.objects.filter(statement=issued).count() == 5


# --------------------------------------------------------------------------- 13. incentive bonuses, paid


@pytest.fixture
def with_bonus(world):
    """A statement of 13 500 excl. tax with a first-time-right bonus of 2 % (270) and an early-completion
    bonus (2 000): both paid with it."""
    from bawaba.deployments.models import IncentiveKind, IncentiveRule, WorkOrder, WorkOrderState

    IncentiveRule.objects.create(contract=world.contract, kind=IncentiveKind.FIRST_TIME_RIGHT,
                                 threshold=Decimal("0.90"), rate=Decimal("0.02"))
    IncentiveRule.objects.create(contract=world.contract, kind=IncentiveKind.EARLY_COMPLETION,
                                 amount=Decimal("2000"), days_early=5)
    accepted_line(world, "GC-01", 10, at(3, 5))  # 12 000
    accepted_line(world, "SRV-01", 1, at(3, 5))  # 1 500
    WorkOrder.objects.filter(pk=world.work_order.pk).update(
        state=WorkOrderState.COMPLETED, completed_at=at(3, 10), due_on=dt.date(2026, 3, 31))
    return billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin, now=at(4,
                                                                                                                    1))


def test_a_bonus_is_paid_in_the_vat_base_and_the_net_payable(with_bonus):
    s = with_bonus
    assert s.bonus_amount == Decimal("2270.00") and s.gross_amount == Decimal("13500.00")
    assert s.taxable_amount == s.gross_amount + s.bonus_amount - s.penalty_amount
    assert s.vat_amount == (s.taxable_amount * s.vat_rate).quantize(Decimal("0.01"))
    assert s.net_amount == (s.gross_amount + s.bonus_amount - s.retention_amount - s.advance_recovery_amount
                            - s.penalty_amount + s.vat_amount)
    assert s.retention_amount == (s.gross_amount * s.retention_rate).quantize(Decimal("0.01"))  # on the work only


def test_a_bonus_is_a_charge_with_its_reason_code_in_the_ubl_and_the_cii_with_the_same_totals(with_bonus):
    from .test_ubl_en16931 import assert_valid

    ubl = assert_valid(with_bonus)  # EN 16931 rules on the UBL
    charges = [c for c in ubl.findall("cac:AllowanceCharge", UBL) if c.findtext("cbc:ChargeIndicator", namespaces=UBL)
               == "true"]
    assert sorted(Decimal(c.findtext("cbc:Amount", namespaces=UBL)) for c in charges) == [Decimal("270.00"),
                                                                                         Decimal("2000.00")]
    assert {c.findtext("cbc:AllowanceChargeReasonCode", namespaces=UBL) for c in charges} == {"ZZZ"}
    total = with_bonus.taxable_amount + with_bonus.vat_amount
    assert Decimal(ubl.findtext("cac:LegalMonetaryTotal/cbc:ChargeTotalAmount", namespaces=UBL)) == Decimal("2270.00")
    assert Decimal(ubl.findtext("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", namespaces=UBL)) == (
        with_bonus.taxable_amount)
    assert Decimal(ubl.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=UBL)) == total
    cii = _assert_facturx_valid(with_bonus)  # XSD and the EN 16931 rules on the CII
    summation = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert Decimal(cii.findtext(summation + "ChargeTotalAmount", namespaces=CII)) == Decimal("2270.00")
    assert Decimal(cii.findtext(summation + "GrandTotalAmount", namespaces=CII)) == total
    assert {c.findtext("ram:ReasonCode", namespaces=CII)
            for c in cii.findall(".//ram:SpecifiedTradeAllowanceCharge", CII)} == {"ZZZ"}


def test_a_bonus_is_printed_with_its_explanation(with_bonus):
    text = pdf_text(stored(with_bonus, IssuedFileKind.PDF))
    assert "Prime d'incitation 1" in text and "Primes d'incitation, pay" in text
    assert "WO-0001" in text  # the early-completion bonus's explanation names the work order
    assert "2 000,00 DA" in text and "270,00 DA" in text  # each bonus, as a charge of the totals
    assert "25 778,00" not in text


def test_an_edited_bonus_is_detected_by_the_verification(with_bonus):
    from bawaba.deployments.models import StatementIncentive

    assert billing_frozen.verify(with_bonus) == []
    bonus = StatementIncentive.objects.filter(statement=with_bonus).first()
    _sql(with_bonus, f"UPDATE {StatementIncentive._meta.db_table} SET amount = %s WHERE id = %s",  # noqa: S608
         [Decimal("9999.00"), bonus.pk])
    problems = billing_frozen.verify(PaymentStatement.objects.get(pk=with_bonus.pk))
    assert ("figure", "incentives") in {(p.code, p.kind) for p in problems}
    assert {("document", "ubl"), ("document", "facturx")} <= {(p.code, p.kind) for p in problems}


# --------------------------------------------------------------------------- issuing speed: files after commit


def test_documents_are_rendered_after_the_issuing_transaction_from_the_figures_it_froze(world, monkeypatch):
    """The figures are hashed in the transaction that holds the contract's lock; the files are rendered right
    after it commits, in the same call."""
    depth_outside = len(connection.atomic_blocks)
    seen = {}
    render = billing_frozen.render_files

    def spy(statement, *args, **kwargs):
        seen["depth"] = len(connection.atomic_blocks)
        seen["figures"] = IssuedFile.objects.filter(statement=statement, kind=IssuedFileKind.FIGURES).exists()
        return render(statement, *args, **kwargs)

    monkeypatch.setattr(billing_frozen, "render_files", spy)
    accepted_line(world, "GC-01", 10, at(3, 5))
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                                       now=at(4, 1))
    assert seen == {"depth": depth_outside, "figures": True}
    assert billing_frozen.verify(statement) == []
    correction = credit(statement, world, gross_adjustment="-100")
    assert seen["depth"] == depth_outside and billing_frozen.verify(correction) == []


def test_a_statement_whose_files_were_not_written_is_reported_then_completed_from_its_unchanged_figures(world,
                                                                                                       monkeypatch):
    def crash(statements, now=None):
        raise RuntimeError("the process died after the commit")

    monkeypatch.setattr(billing_statements, "store_documents", crash)
    accepted_line(world, "GC-01", 10, at(3, 5))
    with pytest.raises(RuntimeError):
        billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin, now=at(4, 1))
    monkeypatch.undo()
    statement = PaymentStatement.objects.get(contract=world.contract)  # issued: its figures are frozen
    assert {(p.code, p.kind) for p in billing_frozen.verify(statement)} == {
        ("missing", "pdf"), ("missing", "ubl"), ("missing", "facturx"), ("missing", "work_pdf")}
    with pytest.raises(CommandError, match="1 of 1 statements disagree"):
        call_command("fibre_verify_documents", stdout=io.StringIO())
    billing_frozen.stored_file(statement, IssuedFileKind.PDF)  # the first download writes them, figures unchanged
    assert billing_frozen.verify(statement) == []


def test_missing_files_are_not_written_from_edited_figures(world, monkeypatch):
    monkeypatch.setattr(billing_statements, "store_documents", lambda statements, now=None: None)
    accepted_line(world, "GC-01", 10, at(3, 5))
    statement = billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin,
                                                       now=at(4, 1))
    _sql(statement, f"UPDATE {PaymentStatement._meta.db_table} SET net_amount = %s WHERE id = %s",  # noqa: S608
         [Decimal("1.00"), statement.pk])
    statement = PaymentStatement.objects.get(pk=statement.pk)
    with pytest.raises(IssuedFile.DoesNotExist):
        billing_frozen.stored_file(statement, IssuedFileKind.PDF)
    assert ("figure", "net_amount") in {(p.code, p.kind) for p in billing_frozen.verify(statement)}


def test_a_correction_is_dated_at_the_moment_given(issued, world):
    correction = billing_statements.do_issue_correction(issued, gross_adjustment="-100", reason="Measured twice",
                                             actor=world.billing_admin, now=at(4, 9))
    assert correction.issued_at == at(4, 9) and correction.issued_on == dt.date(2026, 4, 9)
