"""E-invoices of payment statements: one reading of a statement (EDocument) written as UBL 2.1 and as CII
(Factur-X, EN 16931 profile), and printed by the PDF, so the three agree line by line and in sign.

EN 16931 semantics (docs/deployments.md, "Documents"):
- A document whose total with VAT is negative is a credit note (UBL CreditNote, CII type code 381) stating
  positive amounts; every other one is an invoice (380; a correction is a corrected invoice, 384).
- A line keeps a positive price (BR-27); an amount that goes the other way than the document is quantity -1.
- Late penalties are a document-level allowance (they lower the VAT base: taxable = gross - penalties); a
  penalty refund is a charge, never a negative allowance (BR-31/BR-36 want positive amounts).
- An incentive bonus (incentives.py) is a price supplement for the work: a document-level charge (BG-21)
  with reason code ZZZ ("mutually defined", UNTDID 7161: the contract defines it) and its reason, taxed at
  the statement's rate; one charge per bonus, so the UBL, the CII and the PDF state the same amounts.
- Retention and advance recovery are not "paid amounts" (BT-113 is money already paid for this invoice):
  they are deducted when the operator pays, so the amount due (BT-115) is the total with VAT and the
  deductions and the net payable are written in the payment terms and a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from xml.etree import ElementTree as ET

from ..common.money import ZERO, currency_text, price_text
from ..work.models import Unit
from .models import PaymentStatement, PaymentStatementKind, explain
from .rows import statement_rows

# The document's currency (BT-5) is the contract's, frozen on the statement (IssuedDocument.currency): DZD in
# Algeria, XAF in Congo-Brazzaville; amounts are written with its ISO 4217 decimals (2 for DZD, 0 for XAF).
# UN/ECE Recommendation 20 unit codes.
UNIT_CODES = {Unit.EACH: "C62", Unit.METRE: "MTR", Unit.KILOMETRE: "KMT", Unit.SPLICE: "C62", Unit.HOME: "C62",
              Unit.PACKAGE: "LS"}
INVOICE, CORRECTED_INVOICE, CREDIT_NOTE = "380", "384", "381"


@dataclass(frozen=True)
class Line:
    code: str
    label_fr: str
    label_ar: str
    unit: str
    quantity: Decimal  # negative when the line goes against the document (a credit on an invoice)
    unit_price: Decimal  # never negative
    amount: Decimal  # quantity x price, in the document's sense


@dataclass(frozen=True)
class AllowanceCharge:
    charge: bool
    reason: str
    amount: Decimal  # positive
    reason_code: str = ""  # UNTDID 7161 (charges) when the reason has one
    explanation: str = ""  # what the PDF prints under it (the bonus's computation)


@dataclass(frozen=True)
class EDocument:
    """A payment statement as its e-invoices and PDF state it; amounts in the document's sense (a credit
    note's are positive)."""

    statement: PaymentStatement
    type_code: str
    sign: int  # +1 invoice, -1 credit note: document amount = sign x statement amount
    lines: list[Line]
    allowances: list[AllowanceCharge] = field(default_factory=list)

    @property
    def credit_note(self) -> bool:
        return self.type_code == CREDIT_NOTE

    @property
    def currency(self) -> str:
        return self.statement.currency

    def signed(self, value: Decimal) -> Decimal:
        return self.sign * value

    @property
    def line_total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def allowance_total(self) -> Decimal:
        return sum((a.amount for a in self.allowances if not a.charge), ZERO)

    @property
    def charge_total(self) -> Decimal:
        return sum((a.amount for a in self.allowances if a.charge), ZERO)

    @property
    def tax_exclusive(self) -> Decimal:
        return self.line_total - self.allowance_total + self.charge_total

    @property
    def tax(self) -> Decimal:
        return self.signed(self.statement.vat_amount)

    @property
    def tax_inclusive(self) -> Decimal:
        return self.tax_exclusive + self.tax

    @property
    def retention(self) -> Decimal:
        return self.signed(self.statement.retention_amount)

    @property
    def advance_recovery(self) -> Decimal:
        return self.signed(self.statement.advance_recovery_amount)

    @property
    def net(self) -> Decimal:
        """Net payable (credited, for a credit note) once retention and advance recovery are deducted."""
        return self.signed(self.statement.net_amount)


def _rows(statement: PaymentStatement):

    return statement_rows(statement.work_statement) if statement.work_statement_id else []


BONUS_CODE = "ZZZ"  # UNTDID 7161 "mutually defined": the contract's incentive rule
BONUS_REASONS = {"first_time_right": "Prime d'incitation : travaux conformes du premier coup",
                 "early_completion": "Prime d'incitation : achèvement anticipé"}


def _bonus_charges(statement: PaymentStatement, sign: int) -> list[AllowanceCharge]:
    """One charge per bonus awarded on the statement, with its explanation; their sum is the row's bonus."""

    charges = []
    for incentive in statement.incentives.all():
        amount = sign * incentive.amount
        charges.append(AllowanceCharge(charge=amount > 0, reason=BONUS_REASONS.get(incentive.kind, "Prime"),
                                       amount=abs(amount), reason_code=BONUS_CODE, explanation=explain(incentive)))
    return charges


def e_document(statement: PaymentStatement) -> EDocument:
    total = statement.taxable_amount + statement.vat_amount
    sign = -1 if total < 0 else 1
    correction = statement.kind == PaymentStatementKind.CORRECTION
    type_code = CREDIT_NOTE if sign < 0 else (CORRECTED_INVOICE if correction else INVOICE)
    lines = []
    for row in _rows(statement):
        amount = sign * row.amount
        lines.append(Line(row.code, row.label_fr, row.label_ar, row.unit,
                          row.quantity if amount >= 0 or row.quantity < 0 else -row.quantity, row.unit_price, amount))
    if not statement.work_statement_id:  # a correction: one line with its gross adjustment
        amount = sign * statement.gross_amount
        lines.append(Line("CORR", "Correction du décompte", "تصحيح الكشف", Unit.PACKAGE,
                          Decimal(1 if amount >= 0 else -1), abs(amount), amount))
    allowances = []
    penalty = sign * statement.penalty_amount  # an allowance in the document's sense when positive
    if penalty:
        reason = "Pénalités de retard" if statement.penalty_amount > 0 else "Remboursement de pénalités de retard"
        allowances.append(AllowanceCharge(charge=penalty < 0, reason=reason, amount=abs(penalty)))
    if statement.bonus_amount:
        allowances += _bonus_charges(statement, sign)
    return EDocument(statement, type_code, sign, lines, allowances)


def vat_identifier(organisation: dict) -> str:
    """The party's NIF as an EN 16931 VAT identifier (BT-31 seller, BT-48 buyer), or "" without a NIF.

    The NIF is the identifier VAT is declared under (no separate VAT number is recorded); EN 16931 (BR-CO-09)
    wants it prefixed with the ISO 3166-1 code of the issuing country: the party's country, frozen with it.
    """
    nif, country = organisation.get("tax_identifier") or "", organisation["country"]
    if not nif:
        return ""
    return nif if nif.startswith(country) else f"{country}{nif}"


def _rate(value: Decimal) -> str:
    return format((value * 100).normalize(), "f")


def _category(rate: Decimal) -> str:
    """S (standard rated) at the statement's rate; Z (zero rated) at 0 %: EN 16931 forbids S at 0 % (BR-S-05);
    E would need an exemption reason (BR-E-10) and O would forbid the parties' VAT identifiers (BR-O-02)."""
    return "S" if rate > 0 else "Z"


def payment_note(doc: EDocument) -> str:
    """Deductions at payment and the net payable (BT-20 payment terms and a note): not prepaid amounts."""
    statement = doc.statement
    what = "net à déduire" if doc.credit_note else "net à payer"
    code = doc.currency

    def amount(value):
        return f"{currency_text(value, code)} {code}"

    return (f"Retenue de garantie {amount(doc.retention)} et remboursement d'avance "
            f"{amount(doc.advance_recovery)} déduits au paiement ; {what} {amount(doc.net)}, "
            f"le {statement.due_on.isoformat()} ({statement.payment_terms_days} jours)")


def _identification_note(parties: dict) -> str:
    def one(label, party):
        values = [f"{name} {party.get(key)}" for name, key in (
            ("NIF", "tax_identifier"), ("NIS", "statistical_identifier"), ("RC", "trade_register_number"),
            ("AI", "tax_article_number")) if party.get(key)]
        return f"{label} : {party['name_fr']} ({party.get('legal_form') or '-'}), " + ", ".join(values)

    return "; ".join([one("Entrepreneur", parties["contractor"]), one("Maître de l'ouvrage", parties["operator"])])


# --------------------------------------------------------------------------- UBL 2.1

UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
UBL_ROOTS = {False: "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
             True: "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"}


class _Ubl:
    def __init__(self, credit_note: bool, currency: str):
        self.ns = {"": UBL_ROOTS[credit_note], "cac": UBL_CAC, "cbc": UBL_CBC}
        self.currency = currency

    def el(self, parent, tag, text=None, **attrs):
        prefix, _sep, name = tag.rpartition(":")
        element = ET.SubElement(parent, f"{{{self.ns[prefix]}}}{name}", attrs)
        if text is not None:
            element.text = str(text)
        return element

    def amount(self, parent, tag, value: Decimal):
        return self.el(parent, tag, currency_text(value, self.currency), currencyID=self.currency)

    def party(self, parent, tag, organisation: dict, *, seller: bool):
        """A party as stored on the statement at issue (see documents.document_parties)."""
        party = self.el(self.el(parent, tag), "cac:Party")
        self.el(self.el(party, "cac:PartyIdentification"), "cbc:ID", organisation["slug"])
        self.el(self.el(party, "cac:PartyName"), "cbc:Name", organisation["name_fr"])
        address = self.el(party, "cac:PostalAddress")
        if organisation.get("address"):
            self.el(address, "cbc:StreetName", organisation["address"][:200])
        self.el(self.el(address, "cac:Country"), "cbc:IdentificationCode", organisation["country"])
        if organisation.get("tax_identifier"):  # BT-31 / BT-48: seller's and buyer's VAT identifiers
            tax_scheme = self.el(party, "cac:PartyTaxScheme")
            self.el(tax_scheme, "cbc:CompanyID", vat_identifier(organisation))
            self.el(self.el(tax_scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
        legal = self.el(party, "cac:PartyLegalEntity")
        self.el(legal, "cbc:RegistrationName", organisation["name_fr"])
        if organisation.get("trade_register_number"):  # BT-30 / BT-47: the legal registration (RC)
            self.el(legal, "cbc:CompanyID", organisation["trade_register_number"])
        elif organisation.get("tax_identifier"):
            self.el(legal, "cbc:CompanyID", organisation["tax_identifier"])
        if seller and organisation.get("legal_form"):  # BT-33: seller's only (UBL-CR-244 for the buyer)
            self.el(legal, "cbc:CompanyLegalForm", organisation["legal_form"])

    def category(self, parent, tag, rate: Decimal):
        category = self.el(parent, tag)
        self.el(category, "cbc:ID", _category(rate))
        self.el(category, "cbc:Percent", _rate(rate))
        self.el(self.el(category, "cac:TaxScheme"), "cbc:ID", "VAT")


def ubl(statement: PaymentStatement) -> bytes:
    """UBL 2.1 Invoice, or CreditNote when the statement's total with VAT is negative (EN 16931 core)."""
    doc = e_document(statement)
    credit = doc.credit_note
    w = _Ubl(credit, doc.currency)
    for prefix, uri in w.ns.items():
        ET.register_namespace(prefix, uri)
    root = ET.Element(f"{{{w.ns['']}}}{'CreditNote' if credit else 'Invoice'}")
    w.el(root, "cbc:UBLVersionID", "2.1")
    w.el(root, "cbc:CustomizationID", "urn:cen.eu:en16931:2017")
    w.el(root, "cbc:ID", statement.number)
    w.el(root, "cbc:IssueDate", statement.issued_on.isoformat())
    if not credit:  # a credit note states its due date in its payment terms (UBL CreditNote has no DueDate)
        w.el(root, "cbc:DueDate", statement.due_on.isoformat())
    w.el(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", doc.type_code)
    w.el(root, "cbc:Note", payment_note(doc))
    w.el(root, "cbc:Note", _identification_note(statement.parties))
    if statement.correction_reason:
        w.el(root, "cbc:Note", statement.correction_reason[:500])
    w.el(root, "cbc:DocumentCurrencyCode", doc.currency)
    if statement.work_statement_id:
        period = w.el(root, "cac:InvoicePeriod")
        w.el(period, "cbc:StartDate", statement.work_statement.period_start.isoformat())
        w.el(period, "cbc:EndDate", statement.work_statement.period_end.isoformat())
    if statement.corrects_id:
        reference = w.el(w.el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        w.el(reference, "cbc:ID", statement.corrects.number)
    w.el(w.el(root, "cac:ContractDocumentReference"), "cbc:ID", statement.parties["contract"])
    w.party(root, "cac:AccountingSupplierParty", statement.parties["contractor"], seller=True)
    w.party(root, "cac:AccountingCustomerParty", statement.parties["operator"], seller=False)
    # UNCL 4461 code 1, "instrument not defined": organisations have no bank account recorded, and code 30
    # (credit transfer) requires the payee's account (BR-61).
    w.el(w.el(root, "cac:PaymentMeans"), "cbc:PaymentMeansCode", "1")
    w.el(w.el(root, "cac:PaymentTerms"), "cbc:Note", payment_note(doc))
    for allowance in doc.allowances:
        element = w.el(root, "cac:AllowanceCharge")
        w.el(element, "cbc:ChargeIndicator", "true" if allowance.charge else "false")
        if allowance.reason_code:
            w.el(element, "cbc:AllowanceChargeReasonCode", allowance.reason_code)
        w.el(element, "cbc:AllowanceChargeReason", allowance.reason)
        w.amount(element, "cbc:Amount", allowance.amount)
        w.category(element, "cac:TaxCategory", statement.vat_rate)
    tax_total = w.el(root, "cac:TaxTotal")
    w.amount(tax_total, "cbc:TaxAmount", doc.tax)
    subtotal = w.el(tax_total, "cac:TaxSubtotal")
    w.amount(subtotal, "cbc:TaxableAmount", doc.tax_exclusive)
    w.amount(subtotal, "cbc:TaxAmount", doc.tax)
    w.category(subtotal, "cac:TaxCategory", statement.vat_rate)
    totals = w.el(root, "cac:LegalMonetaryTotal")
    w.amount(totals, "cbc:LineExtensionAmount", doc.line_total)
    w.amount(totals, "cbc:TaxExclusiveAmount", doc.tax_exclusive)
    w.amount(totals, "cbc:TaxInclusiveAmount", doc.tax_inclusive)
    if doc.allowance_total:
        w.amount(totals, "cbc:AllowanceTotalAmount", doc.allowance_total)
    if doc.charge_total:
        w.amount(totals, "cbc:ChargeTotalAmount", doc.charge_total)
    w.amount(totals, "cbc:PayableAmount", doc.tax_inclusive)
    for index, line in enumerate(doc.lines, start=1):
        element = w.el(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
        w.el(element, "cbc:ID", index)
        w.el(element, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity",
             format(line.quantity.normalize(), "f"), unitCode=UNIT_CODES.get(line.unit, "C62"))
        w.amount(element, "cbc:LineExtensionAmount", line.amount)
        item = w.el(element, "cac:Item")
        if line.label_ar:
            w.el(item, "cbc:Description", line.label_ar)
        w.el(item, "cbc:Name", line.label_fr)
        w.el(w.el(item, "cac:SellersItemIdentification"), "cbc:ID", line.code)
        w.category(item, "cac:ClassifiedTaxCategory", statement.vat_rate)
        w.el(w.el(element, "cac:Price"), "cbc:PriceAmount", price_text(line.unit_price, doc.currency),
             currencyID=doc.currency)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --------------------------------------------------------------------------- CII (Factur-X EN 16931)

CII = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
       "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
       "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
       "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"}
FACTURX_EN16931 = "urn:cen.eu:en16931:2017"


def _c(parent, tag, text=None, **attrs):
    prefix, _sep, name = tag.partition(":")
    element = ET.SubElement(parent, f"{{{CII[prefix]}}}{name}", attrs)
    if text is not None:
        element.text = str(text)
    return element


def _cdate(parent, tag, day):
    _c(_c(parent, tag), "udt:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _cparty(parent, tag, organisation: dict, *, seller: bool):
    party = _c(parent, tag)
    _c(party, "ram:ID", organisation["slug"])
    _c(party, "ram:Name", organisation["name_fr"])
    if seller and organisation.get("legal_form"):
        _c(party, "ram:Description", organisation["legal_form"])  # BT-33
    legal_id = organisation.get("trade_register_number") or organisation.get("tax_identifier")
    if legal_id:
        _c(_c(party, "ram:SpecifiedLegalOrganization"), "ram:ID", legal_id)  # BT-30 / BT-47
    address = _c(party, "ram:PostalTradeAddress")
    if organisation.get("address"):
        _c(address, "ram:LineOne", organisation["address"][:200])
    _c(address, "ram:CountryID", organisation["country"])
    if organisation.get("tax_identifier"):
        _c(_c(party, "ram:SpecifiedTaxRegistration"), "ram:ID", vat_identifier(organisation), schemeID="VA")


def _camount(parent, tag, value: Decimal, currency: str, *, with_id=False):
    """An amount with the currency's decimals; the currency named only where the CII wants it (TaxTotalAmount)."""
    attrs = {"currencyID": currency} if with_id else {}
    return _c(parent, tag, currency_text(value, currency), **attrs)


def cii(statement: PaymentStatement) -> bytes:
    """The statement as a Factur-X EN 16931 CII XML (UN/CEFACT Cross Industry Invoice D16B)."""
    doc = e_document(statement)
    code = doc.currency
    rate, category = statement.vat_rate, _category(statement.vat_rate)
    for prefix, uri in CII.items():
        ET.register_namespace(prefix, uri)
    root = ET.Element(f"{{{CII['rsm']}}}CrossIndustryInvoice")
    context = _c(root, "rsm:ExchangedDocumentContext")
    _c(_c(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", FACTURX_EN16931)
    header = _c(root, "rsm:ExchangedDocument")
    _c(header, "ram:ID", statement.number)
    _c(header, "ram:TypeCode", doc.type_code)
    _cdate(header, "ram:IssueDateTime", statement.issued_on)
    notes = [payment_note(doc), _identification_note(statement.parties)]
    if statement.correction_reason:
        notes.append(statement.correction_reason[:500])
    for note in notes:
        _c(_c(header, "ram:IncludedNote"), "ram:Content", note)
    transaction = _c(root, "rsm:SupplyChainTradeTransaction")
    for index, line in enumerate(doc.lines, start=1):
        item = _c(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _c(_c(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", index)
        product = _c(item, "ram:SpecifiedTradeProduct")
        _c(product, "ram:SellerAssignedID", line.code)
        _c(product, "ram:Name", line.label_fr)
        if line.label_ar:
            _c(product, "ram:Description", line.label_ar)
        agreement = _c(item, "ram:SpecifiedLineTradeAgreement")
        _c(_c(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", price_text(line.unit_price, code))
        _c(_c(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", format(line.quantity.normalize(), "f"),
           unitCode=UNIT_CODES.get(line.unit, "C62"))
        settlement = _c(item, "ram:SpecifiedLineTradeSettlement")
        tax = _c(settlement, "ram:ApplicableTradeTax")
        _c(tax, "ram:TypeCode", "VAT")
        _c(tax, "ram:CategoryCode", category)
        _c(tax, "ram:RateApplicablePercent", _rate(rate))
        _camount(_c(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount",
                 line.amount, code)
    agreement = _c(transaction, "ram:ApplicableHeaderTradeAgreement")
    _cparty(agreement, "ram:SellerTradeParty", statement.parties["contractor"], seller=True)
    _cparty(agreement, "ram:BuyerTradeParty", statement.parties["operator"], seller=False)
    _c(_c(agreement, "ram:ContractReferencedDocument"), "ram:IssuerAssignedID", statement.parties["contract"])
    delivery = _c(transaction, "ram:ApplicableHeaderTradeDelivery")
    # The end of the period of the work billed (the corrected statement's, for a correction): an empty delivery
    # element would break PEPPOL-EN16931-R008.
    delivered = statement.work_statement if statement.work_statement_id else (
        statement.corrects.work_statement if statement.corrects_id and statement.corrects.work_statement_id else None)
    _cdate(_c(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime",
           delivered.period_end if delivered is not None else statement.issued_on)
    settlement = _c(transaction, "ram:ApplicableHeaderTradeSettlement")
    _c(settlement, "ram:InvoiceCurrencyCode", code)
    _c(_c(settlement, "ram:SpecifiedTradeSettlementPaymentMeans"), "ram:TypeCode", "1")
    tax = _c(settlement, "ram:ApplicableTradeTax")
    _camount(tax, "ram:CalculatedAmount", doc.tax, code)
    _c(tax, "ram:TypeCode", "VAT")
    _camount(tax, "ram:BasisAmount", doc.tax_exclusive, code)
    _c(tax, "ram:CategoryCode", category)
    _c(tax, "ram:RateApplicablePercent", _rate(rate))
    if statement.work_statement_id:
        period = _c(settlement, "ram:BillingSpecifiedPeriod")
        _cdate(period, "ram:StartDateTime", statement.work_statement.period_start)
        _cdate(period, "ram:EndDateTime", statement.work_statement.period_end)
    for allowance in doc.allowances:
        element = _c(settlement, "ram:SpecifiedTradeAllowanceCharge")
        _c(_c(element, "ram:ChargeIndicator"), "udt:Indicator", "true" if allowance.charge else "false")
        _camount(element, "ram:ActualAmount", allowance.amount, code)
        if allowance.reason_code:
            _c(element, "ram:ReasonCode", allowance.reason_code)
        _c(element, "ram:Reason", allowance.reason)
        line_tax = _c(element, "ram:CategoryTradeTax")
        _c(line_tax, "ram:TypeCode", "VAT")
        _c(line_tax, "ram:CategoryCode", category)
        _c(line_tax, "ram:RateApplicablePercent", _rate(rate))
    terms = _c(settlement, "ram:SpecifiedTradePaymentTerms")
    _c(terms, "ram:Description", payment_note(doc))
    if not doc.credit_note:
        _cdate(terms, "ram:DueDateDateTime", statement.due_on)
    summation = _c(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _camount(summation, "ram:LineTotalAmount", doc.line_total, code)
    if doc.charge_total:
        _camount(summation, "ram:ChargeTotalAmount", doc.charge_total, code)
    if doc.allowance_total:
        _camount(summation, "ram:AllowanceTotalAmount", doc.allowance_total, code)
    _camount(summation, "ram:TaxBasisTotalAmount", doc.tax_exclusive, code)
    _camount(summation, "ram:TaxTotalAmount", doc.tax, code, with_id=True)
    _camount(summation, "ram:GrandTotalAmount", doc.tax_inclusive, code)
    _camount(summation, "ram:DuePayableAmount", doc.tax_inclusive, code)
    if statement.corrects_id:
        _c(_c(settlement, "ram:InvoiceReferencedDocument"), "ram:IssuerAssignedID", statement.corrects.number)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def facturx_pdf(pdf: bytes, xml: bytes, statement: PaymentStatement) -> bytes:
    """The PDF with its CII XML embedded as a Factur-X EN 16931 PDF/A-3: factur-x writes the PDF/A-3 XMP
    metadata, the output intent and the attachment. The XML is not checked against the profile's XSD here
    (loading the schema costs more than the rest): the tests check it, with the XSD and the EN 16931 rules the
    package ships (test_public_documents.py)."""
    import logging

    from facturx import generate_from_binary

    quiet = logging.getLogger("factur-x")
    if quiet.level != logging.WARNING:  # it logs every step at INFO; setLevel clears every logger's cache
        quiet.setLevel(logging.WARNING)
    return generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=False,
                                check_schematron=False, lang="fr-DZ", xmp_compression=False,
                                pdf_metadata={
                                    "author": statement.parties["contractor"]["name_fr"],
                                    "keywords": "Factur-X, décompte",
                                    "title": f"{statement.parties['contractor']['name_fr']}: {statement.number}",
                                    "subject": f"Décompte {statement.number}"})
