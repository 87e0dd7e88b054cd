"""Issued documents rendered from their frozen rows: PDF (ReportLab) and UBL 2.1 Invoice XML.

A document reads only its statement row and the statement's billing lines (with their price items, frozen once
billed): the contract's terms, the parties' names, NIF and country, the contract reference and the programme
name are copied onto the statement when it is issued (document_parties, PaymentStatement.retention_rate,
payment_terms_days...), never read from the contract or the organisations, which can still be edited.
Rendering is deterministic (ReportLab invariant mode), so the same statement always gives the same bytes.
Latin text uses Helvetica (WinAnsi, searchable); Arabic text is shaped (arabic-reshaper), put in visual order
(python-bidi) and drawn with DejaVu Sans, shipped in data/fonts with its licence.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db.models import Sum
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bawaba.core.money import format_amount, format_money

from .models import BillingLine, PaymentStatement, PaymentStatementKind, Unit, WorkStatement

FONT_CANDIDATES = [
    Path(__file__).parent / "data" / "fonts" / "DejaVuSans.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
]
ARABIC_FONT = "BawabaDejaVuSans"
UBL_NS = {
    "": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
# UN/ECE Recommendation 20 unit codes.
UNIT_CODES = {Unit.EACH: "C62", Unit.METRE: "MTR", Unit.KILOMETRE: "KMT", Unit.SPLICE: "C62", Unit.HOME: "C62",
              Unit.PACKAGE: "LS"}


def _organisation(organisation) -> dict:
    return {"slug": organisation.slug, "name_fr": organisation.name_fr, "name_ar": organisation.name_ar,
            "tax_identifier": organisation.tax_identifier, "country": organisation.country}


def document_parties(contract) -> dict:
    """What the documents print about a contract and its parties, to store on a statement when it is issued.

    Reads only the contract's contractor and programme operator: load them with the contract
    (select_related("contractor", "programme__operator")), so a batch of statements costs no extra query.
    """
    return {"contract": contract.reference, "programme": contract.programme.name_fr,
            "operator": _organisation(contract.programme.operator), "contractor": _organisation(contract.contractor)}


def fmt_money(value: Decimal) -> str:
    """1 234 567,89 (no-break spaces between groups): bawaba.core.money, without the currency."""
    return format_amount(value)


def _day(value) -> str:
    """A date as the page shows it, day first (06/12/2026): the active language's SHORT_DATE_FORMAT."""
    return date_format(value, "SHORT_DATE_FORMAT")


def fmt_qty(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


@dataclass
class Row:
    code: str
    label_fr: str
    label_ar: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


def statement_rows(work_statement: WorkStatement | None) -> list[Row]:
    """Billing lines of a work statement summed per price item and unit price."""
    if work_statement is None:
        return []
    grouped = (BillingLine.objects.filter(work_statement=work_statement)
               .values("price_item__code", "price_item__label_fr", "price_item__label_ar", "price_item__unit",
                       "unit_price")
               .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
               .order_by("price_item__code", "unit_price"))
    return [Row(g["price_item__code"], g["price_item__label_fr"], g["price_item__label_ar"], g["price_item__unit"],
                g["quantity"], g["unit_price"], g["amount"]) for g in grouped]


# --------------------------------------------------------------------------- PDF


def _arabic_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if ARABIC_FONT in pdfmetrics.getRegisteredFontNames():
        return ARABIC_FONT
    configured = getattr(settings, "FIBRE_PDF_FONT", None)
    for path in ([Path(configured)] if configured else []) + FONT_CANDIDATES:
        if path.exists():
            pdfmetrics.registerFont(TTFont(ARABIC_FONT, str(path)))
            return ARABIC_FONT
    raise FileNotFoundError("no font with Arabic glyphs: set FIBRE_PDF_FONT")


def visual_arabic(text: str) -> str:
    import arabic_reshaper
    from bidi.algorithm import get_display  # python-bidi's reference algorithm: it mirrors brackets, the fast
    # one (bidi.get_display) does not, and "(WO-0001)" would print ")WO-0001(" on a right-to-left line

    return get_display(arabic_reshaper.reshape(text.replace("\u200e", "")), base_dir="R" if _rtl_first(text) else "L")


def _rtl_first(text: str) -> bool:
    """True when the first strong letter is right to left (Unicode bidi P2, as dir="auto")."""
    import unicodedata

    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return True


def pdf_text_run(value: str) -> tuple[str, bool]:
    """Text as drawn on a PDF line, and whether the Latin font (Helvetica, WinAnsi) can draw it.

    Text that Helvetica cannot draw (Arabic typed by a person in a French document, a name in Arabic) is shaped
    and put in visual order, so that Arabic reads right to left with joined letters, with its direction taken
    from its first strong letter (as dir="auto" does on a page).
    """
    try:
        value.encode("cp1252")
    except UnicodeEncodeError:
        return visual_arabic(value), False
    return value, True


class _Pdf:
    """A tiny A4 writer: lines of text top to bottom, with page breaks."""

    def __init__(self, title: str):
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self.buffer, pagesize=A4, invariant=1, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor("Bawaba")
        self.width, self.height = A4
        self.margin = 42
        self.y = self.height - self.margin
        self.arabic = _arabic_font()

    def need(self, height):
        if self.y - height < self.margin:
            self.canvas.showPage()
            self.y = self.height - self.margin

    def text(self, x, value, *, size=9, bold=False, right=False):
        font = "Helvetica-Bold" if bold else "Helvetica"
        value, latin = pdf_text_run(value)
        if not latin:
            font = self.arabic
        self.canvas.setFont(font, size)
        if right:
            self.canvas.drawRightString(x, self.y, value)
        else:
            self.canvas.drawString(x, self.y, value)

    def arabic_text(self, value, *, size=9):
        self.canvas.setFont(self.arabic, size)
        self.canvas.drawRightString(self.width - self.margin, self.y, visual_arabic(value))

    def line(self, gap=12):
        self.y -= gap

    def rule(self):
        self.canvas.setLineWidth(0.4)
        self.canvas.line(self.margin, self.y + 8, self.width - self.margin, self.y + 8)

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def _header(pdf: _Pdf, title: str, title_ar: str, statement, extra: list[tuple[str, str]]):
    parties = statement.parties  # as at issue: never the live contract or organisations
    pdf.text(pdf.margin, title, size=15, bold=True)
    pdf.arabic_text(title_ar, size=13)
    pdf.line(22)
    pdf.text(pdf.margin, _("Number: %(number)s") % {"number": statement.number}, size=11, bold=True)
    pdf.text(pdf.width - pdf.margin, _("Issued on: %(date)s") % {"date": _day(statement.issued_on)}, size=9, right=True)
    pdf.line(16)

    def with_nif(organisation: dict) -> str:
        name, nif = organisation["name_fr"], organisation["tax_identifier"]
        return f"{name} (NIF {nif})" if nif else name

    for label, value in [(_("Client"), with_nif(parties["operator"])),
                         (_("Contractor"), with_nif(parties["contractor"])),
                         (_("Contract"), parties["contract"]), (_("Programme"), parties["programme"]), *extra]:
        pdf.text(pdf.margin, f"{label}:", size=9, bold=True)
        pdf.text(pdf.margin + 110, value, size=9)
        pdf.line(12)
    if parties["contractor"]["name_ar"]:
        pdf.arabic_text(parties["contractor"]["name_ar"])
        pdf.line(12)
    pdf.line(6)


def _rows_table(pdf: _Pdf, rows: list[Row]):
    columns = [pdf.margin, pdf.margin + 52, 330, 380, 450]
    pdf.need(30)
    for x, label in zip(columns, [_("Code"), _("Item"), _("Unit"), _("Quantity"), _("Unit price")], strict=True):
        pdf.text(x, label, size=8, bold=True)
    pdf.text(pdf.width - pdf.margin, _("Amount excl. tax"), size=8, bold=True, right=True)
    pdf.line(4)
    pdf.rule()
    pdf.line(8)
    for row in rows:
        pdf.need(26)
        pdf.text(columns[0], row.code, size=8)
        pdf.text(columns[1], row.label_fr[:52], size=8)
        pdf.text(columns[2], str(Unit(row.unit).label) if row.unit in Unit.values else row.unit, size=8)
        pdf.text(columns[3] + 55, fmt_qty(row.quantity), size=8, right=True)
        pdf.text(columns[4] + 50, fmt_money(row.unit_price), size=8, right=True)
        pdf.text(pdf.width - pdf.margin, fmt_money(row.amount), size=8, right=True)
        pdf.line(10)
        if row.label_ar:
            pdf.canvas.setFont(pdf.arabic, 7)
            pdf.canvas.drawRightString(columns[2] - 6, pdf.y + 2, visual_arabic(row.label_ar))
            pdf.line(9)
    pdf.rule()
    pdf.line(6)


def _totals(pdf: _Pdf, pairs: list[tuple[str, Decimal, bool]]):
    for label, amount, strong in pairs:
        pdf.need(14)
        pdf.text(330, label, size=9 if not strong else 10, bold=strong)
        pdf.text(pdf.width - pdf.margin, format_money(amount), size=9 if not strong else 10, bold=strong, right=True)
        pdf.line(13)


def penalty_summary(statement: PaymentStatement) -> list[tuple[str, Decimal]]:
    """The late penalties of a regular statement under the cap over the contract, as printed and shown: empty
    when the statement has none due, carried or waived."""
    if statement.kind != PaymentStatementKind.REGULAR or not any((
            statement.penalty_due_amount, statement.penalty_carried_in_amount, statement.penalty_carried_amount,
            statement.penalty_waived_amount, statement.penalty_amount)):
        return []
    rows = [
        (_("Late penalties due for this period"), statement.penalty_due_amount),
        (_("Carried from earlier statements"), statement.penalty_carried_in_amount),
    ]
    if statement.penalty_contract_cap_amount is not None:
        rows += [(_("Cap over the contract"), statement.penalty_contract_cap_amount),
                 (_("Charged over the contract, this statement included"), statement.penalty_charged_to_date_amount)]
    rows += [(_("Charged on this statement"), statement.penalty_amount),
             (_("Carried to the next statements"), statement.penalty_carried_amount)]
    if statement.penalty_waived_amount:
        rows.append((_("Beyond the cap over the contract, not charged"), statement.penalty_waived_amount))
    return rows


def payment_statement_pdf(statement: PaymentStatement, lang: str = "fr") -> bytes:
    with translation.override(lang):
        correction = statement.kind == PaymentStatementKind.CORRECTION
        title = _("Payment statement correction") if correction else _("Payment statement")
        with translation.override("ar"):
            title_ar = _("Payment statement correction") if correction else _("Payment statement")
        if title_ar == title:  # no Arabic catalogue yet: use the administrative term
            title_ar = "تصحيح كشف الدفع" if correction else "كشف الدفع"
        pdf = _Pdf(f"{title} {statement.number}")
        extra = []
        if statement.work_statement_id:
            ws = statement.work_statement
            extra += [(_("Work statement"), ws.number),
                      (_("Period"), f"{_day(ws.period_start)} - {_day(ws.period_end)}")]
        if statement.corrects_id:
            extra.append((_("Corrects"), statement.corrects.number))
        extra.append((_("Payable by"), _day(statement.due_on)))
        _header(pdf, title, title_ar, statement, extra)
        if statement.correction_reason:
            pdf.text(pdf.margin, _("Reason: %(reason)s") % {"reason": statement.correction_reason[:110]}, size=9)
            pdf.line(16)
        rows = statement_rows(statement.work_statement) if statement.work_statement_id else [
            Row("CORR", _("Correction"), "", Unit.PACKAGE, Decimal(1), statement.gross_amount, statement.gross_amount)]
        _rows_table(pdf, rows)
        _totals(pdf, [
            (_("Gross amount of work"), statement.gross_amount, True),
            (_("Retention (%(rate)s %%)") % {"rate": fmt_qty(statement.retention_rate * 100)},
             -statement.retention_amount, False),
            (_("Advance recovery"), -statement.advance_recovery_amount, False),
            (_("Late penalties"), -statement.penalty_amount, False),
            (_("VAT base (gross - penalties)"), statement.taxable_amount, False),
            (_("VAT (%(rate)s %%)") % {"rate": fmt_qty(statement.vat_rate * 100)}, statement.vat_amount, False),
            (_("Net payable"), statement.net_amount, True),
        ])
        pdf.line(6)
        pdf.need(60)
        pdf.text(pdf.margin, _("Net payable in words:"), size=9, bold=True)
        pdf.line(12)
        words = statement.amount_in_words_fr
        for start in range(0, len(words), 100):
            pdf.text(pdf.margin, words[start:start + 100], size=9)
            pdf.line(12)
        pdf.arabic_text(statement.amount_in_words_ar, size=10)
        pdf.line(16)
        summary = penalty_summary(statement)
        if summary:
            pdf.need(30)
            pdf.text(pdf.margin, _("Late penalties and their cap"), size=9, bold=True)
            pdf.line(13)
            for label, amount in summary:  # labels from the left margin: they are longer than the totals'
                pdf.need(13)
                pdf.text(pdf.margin, label, size=9)
                pdf.text(pdf.width - pdf.margin, format_money(amount), size=9, right=True)
                pdf.line(12)
            pdf.line(6)
        if statement.penalty_detail:
            pdf.text(pdf.margin, _("Penalties detail"), size=9, bold=True)
            pdf.line(12)
            for entry in statement.penalty_detail[:40]:
                pdf.need(12)
                pdf.text(pdf.margin, _("%(wo)s: %(days)s day(s) late, %(amount)s DZD")
                         % {"wo": entry["work_order"], "days": entry["days"],
                            "amount": fmt_money(Decimal(entry["amount"]))}, size=8)
                pdf.line(10)
        return pdf.finish()


def work_statement_pdf(statement: WorkStatement, lang: str = "fr") -> bytes:
    with translation.override(lang):
        title = _("Work statement")
        with translation.override("ar"):
            title_ar = _("Work statement")  # وضعية الأشغال, the glossary's term
        pdf = _Pdf(f"{title} {statement.number}")
        _header(pdf, title, title_ar, statement, [
            (_("Period"), f"{_day(statement.period_start)} - {_day(statement.period_end)}")])
        _rows_table(pdf, statement_rows(statement))
        _totals(pdf, [
            (_("Cumulative to date"), statement.cumulative_amount, False),
            (_("Previous statements"), statement.previous_cumulative_amount, False),
            (_("This period"), statement.period_amount, True),
        ])
        return pdf.finish()


# --------------------------------------------------------------------------- UBL 2.1


def _el(parent, tag, text=None, **attrs):
    prefix, _sep, name = tag.rpartition(":")
    element = ET.SubElement(parent, f"{{{UBL_NS[prefix]}}}{name}", attrs)
    if text is not None:
        element.text = str(text)
    return element


def _amount(parent, tag, value: Decimal):
    return _el(parent, tag, f"{value:.2f}", currencyID="DZD")


def vat_identifier(organisation: dict) -> str:
    """The party's NIF as an EN 16931 VAT identifier (BT-31 seller, BT-48 buyer), or "" without a NIF.

    The NIF is the identifier VAT is declared under (no separate VAT number is recorded); EN 16931 (BR-CO-09)
    wants it prefixed with the ISO 3166-1 code of the issuing country: the party's country, frozen with it.
    """
    nif, country = organisation["tax_identifier"], organisation["country"]
    if not nif:
        return ""
    return nif if nif.startswith(country) else f"{country}{nif}"


def _party(parent, tag, organisation: dict):
    """A party as stored on the statement at issue (see document_parties)."""
    party = _el(_el(parent, tag), "cac:Party")
    _el(_el(party, "cac:PartyIdentification"), "cbc:ID", organisation["slug"])
    _el(_el(party, "cac:PartyName"), "cbc:Name", organisation["name_fr"])
    address = _el(party, "cac:PostalAddress")
    _el(_el(address, "cac:Country"), "cbc:IdentificationCode", organisation["country"])
    if organisation["tax_identifier"]:  # EN 16931 BT-31 / BT-48: seller's and buyer's VAT identifiers
        tax_scheme = _el(party, "cac:PartyTaxScheme")
        _el(tax_scheme, "cbc:CompanyID", vat_identifier(organisation))
        _el(_el(tax_scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = _el(party, "cac:PartyLegalEntity")
    _el(legal, "cbc:RegistrationName", organisation["name_fr"])
    if organisation["tax_identifier"]:  # BT-30 / BT-47: the NIF as the tax administration prints it
        _el(legal, "cbc:CompanyID", organisation["tax_identifier"])


def _tax_category(parent, tag, rate: Decimal):
    """VAT category S (standard rated) at the statement's rate; Z (zero rated) for a contract at 0 %.

    EN 16931 forbids S at 0 % (BR-S-05); E (exempt) would need an exemption reason (BR-E-10) the statement
    does not record, and O (not subject) would forbid the parties' VAT identifiers (BR-O-02).
    """
    category = _el(parent, tag)
    _el(category, "cbc:ID", "S" if rate > 0 else "Z")
    _el(category, "cbc:Percent", fmt_qty(rate * 100).replace(",", "."))
    _el(_el(category, "cac:TaxScheme"), "cbc:ID", "VAT")


def payment_statement_ubl(statement: PaymentStatement) -> bytes:
    """UBL 2.1 Invoice (EN 16931 core elements). Retention and advance recovery are in PrepaidAmount.

    TaxInclusiveAmount − PrepaidAmount = PayableAmount = the statement's net payable.
    """
    for prefix, uri in UBL_NS.items():
        ET.register_namespace(prefix, uri)
    root = ET.Element(f"{{{UBL_NS['']}}}Invoice")
    _el(root, "cbc:UBLVersionID", "2.1")
    _el(root, "cbc:CustomizationID", "urn:cen.eu:en16931:2017")
    _el(root, "cbc:ID", statement.number)
    _el(root, "cbc:IssueDate", statement.issued_on.isoformat())
    _el(root, "cbc:DueDate", statement.due_on.isoformat())
    correction = statement.kind == PaymentStatementKind.CORRECTION
    _el(root, "cbc:InvoiceTypeCode", "384" if correction else "380")
    _el(root, "cbc:Note", f"Retenue de garantie {statement.retention_amount:.2f} DZD; "
                          f"remboursement d'avance {statement.advance_recovery_amount:.2f} DZD; "
                          f"net à payer : {statement.amount_in_words_fr}")
    if statement.correction_reason:
        _el(root, "cbc:Note", statement.correction_reason[:500])
    _el(root, "cbc:DocumentCurrencyCode", "DZD")
    if statement.work_statement_id:
        period = _el(root, "cac:InvoicePeriod")
        _el(period, "cbc:StartDate", statement.work_statement.period_start.isoformat())
        _el(period, "cbc:EndDate", statement.work_statement.period_end.isoformat())
    if statement.corrects_id:
        reference = _el(_el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _el(reference, "cbc:ID", statement.corrects.number)
    _el(_el(root, "cac:ContractDocumentReference"), "cbc:ID", statement.parties["contract"])
    _party(root, "cac:AccountingSupplierParty", statement.parties["contractor"])
    _party(root, "cac:AccountingCustomerParty", statement.parties["operator"])
    # UNCL 4461 code 1, "instrument not defined": the statement does not record how or to which account the
    # operator pays (organisations have no bank account), and code 30 (credit transfer) requires the payee's
    # account (BR-61). The due date and terms below are what the statement does say.
    _el(_el(root, "cac:PaymentMeans"), "cbc:PaymentMeansCode", "1")
    _el(_el(root, "cac:PaymentTerms"), "cbc:Note",
        f"Payable le {statement.due_on.isoformat()} ({statement.payment_terms_days} jours)")
    if statement.penalty_amount:
        allowance = _el(root, "cac:AllowanceCharge")
        _el(allowance, "cbc:ChargeIndicator", "false")
        _el(allowance, "cbc:AllowanceChargeReason", "Pénalités de retard")
        _amount(allowance, "cbc:Amount", statement.penalty_amount)
        _tax_category(allowance, "cac:TaxCategory", statement.vat_rate)
    tax_total = _el(root, "cac:TaxTotal")
    _amount(tax_total, "cbc:TaxAmount", statement.vat_amount)
    subtotal = _el(tax_total, "cac:TaxSubtotal")
    _amount(subtotal, "cbc:TaxableAmount", statement.taxable_amount)
    _amount(subtotal, "cbc:TaxAmount", statement.vat_amount)
    _tax_category(subtotal, "cac:TaxCategory", statement.vat_rate)
    totals = _el(root, "cac:LegalMonetaryTotal")
    _amount(totals, "cbc:LineExtensionAmount", statement.gross_amount)
    _amount(totals, "cbc:TaxExclusiveAmount", statement.taxable_amount)
    _amount(totals, "cbc:TaxInclusiveAmount", statement.taxable_amount + statement.vat_amount)
    _amount(totals, "cbc:AllowanceTotalAmount", statement.penalty_amount)
    _amount(totals, "cbc:PrepaidAmount", statement.retention_amount + statement.advance_recovery_amount)
    _amount(totals, "cbc:PayableAmount", statement.net_amount)
    # A correction's single line: EN 16931 forbids a negative item price (BR-27), so a credit is taken back as
    # quantity -1 at the positive price; the line amount (quantity x price) stays the negative gross adjustment.
    gross = statement.gross_amount
    rows = statement_rows(statement.work_statement) if statement.work_statement_id else [
        Row("CORR", "Correction", "", Unit.PACKAGE, Decimal(-1 if gross < 0 else 1), abs(gross), gross)]
    for index, row in enumerate(rows, start=1):
        line = _el(root, "cac:InvoiceLine")
        _el(line, "cbc:ID", index)
        _el(line, "cbc:InvoicedQuantity", format(row.quantity.normalize(), "f"),
            unitCode=UNIT_CODES.get(row.unit, "C62"))
        _amount(line, "cbc:LineExtensionAmount", row.amount)
        item = _el(line, "cac:Item")
        if row.label_ar:
            _el(item, "cbc:Description", row.label_ar)
        _el(item, "cbc:Name", row.label_fr)
        _el(_el(item, "cac:SellersItemIdentification"), "cbc:ID", row.code)
        _tax_category(item, "cac:ClassifiedTaxCategory", statement.vat_rate)
        _amount(_el(line, "cac:Price"), "cbc:PriceAmount", row.unit_price)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
