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

import functools
import io
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ..work.models import Unit
from .einvoice import cii, e_document, facturx_pdf, ubl
from .models import PaymentStatement, PaymentStatementKind, WorkStatement
from .rows import _day, fmt_currency, fmt_qty, parties_name, penalty_summary, statement_rows
from .words import amount_in_words

FONT_CANDIDATES = [
    Path(__file__).resolve().parents[1] / "data" / "fonts" / "DejaVuSans.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
]
ARABIC_FONT = "BawabaDejaVuSans"


# --------------------------------------------------------------------------- PDF

BOLD_FONT_CANDIDATES = [
    Path(__file__).resolve().parents[1] / "data" / "fonts" / "DejaVuSans-Bold.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
]
ARABIC_BOLD_FONT = "BawabaDejaVuSans-Bold"


def _arabic_font(bold: bool = False) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = ARABIC_BOLD_FONT if bold else ARABIC_FONT
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    configured = getattr(settings, "FIBRE_PDF_FONT", None)
    candidates = BOLD_FONT_CANDIDATES if bold else ([Path(configured)] if configured else []) + FONT_CANDIDATES
    for path in candidates:
        if path.exists():
            pdfmetrics.registerFont(TTFont(name, str(path)))
            return name
    if bold:
        return _arabic_font()
    raise FileNotFoundError("no font with Arabic glyphs: set FIBRE_PDF_FONT")


def _reshaper():
    import arabic_reshaper

    # Keep the vowel marks: "ألفاً" must keep its tanwin (the default configuration deletes harakat).
    return arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False})


_RESHAPER = None


def _levels(text: str, base_dir: str) -> list[int] | None:
    """The bidi embedding level of each character (Unicode bidi algorithm, python-bidi's Rust core), or None
    if its debug output cannot be read (then nothing is mirrored, as before)."""
    import re

    import bidi

    debug = bidi.get_display(text, base_dir=base_dir, debug=True)
    match = re.search(r"levels: \[(.*?)\]", debug, re.S)
    if not match:
        return None
    levels = [int(level) for level in re.findall(r"Level\(\s*(\d+),?\s*\)", match.group(1))]
    if len(levels) != len(text.encode("utf-8")):
        return None
    result, offset = [], 0  # the Rust core gives one level per UTF-8 byte: take each character's first
    for char in text:
        result.append(levels[offset])
        offset += len(char.encode("utf-8"))
    return result


@functools.lru_cache(maxsize=8192)  # the same labels and parties on every statement of a run: shaped once
def visual_arabic(text: str) -> str:
    """Text with Arabic, in the order a PDF draws it left to right: shaped, reordered, brackets mirrored.

    python-bidi's Rust core (bidi.get_display) implements the whole Unicode bidi algorithm, paired brackets
    included (rule N0: "مؤسسة fibre-co-1 (NIF 123)" keeps its Latin run whole), but does not mirror the glyphs
    of characters resolved right to left (rule L4): we mirror them, from the levels it computed, before it
    reorders, so "كشف (WO-0001)" prints "(WO-0001)", not ")WO-0001(". (The old pure-Python bidi.algorithm
    mirrors but mis-resolves brackets around Latin text.)
    """
    import bidi
    from bidi.mirror import MIRRORED

    global _RESHAPER
    if _RESHAPER is None:
        _RESHAPER = _reshaper()
    shaped = _RESHAPER.reshape(text.replace("\u200e", ""))
    base_dir = "R" if _rtl_first(text) else "L"
    levels = _levels(shaped, base_dir)
    if levels is not None:
        shaped = "".join(MIRRORED.get(char, char) if level % 2 else char for char, level in zip(shaped, levels,
                                                                                               strict=True))
    return bidi.get_display(shaped, base_dir=base_dir)


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
    """A tiny A4 writer: lines of text top to bottom, with page breaks.

    embed_fonts: every text in the embedded DejaVu Sans (PDF/A wants every font embedded: the Factur-X copy);
    otherwise Latin text is in Helvetica (searchable as plain text) and only Arabic in DejaVu Sans.
    """

    def __init__(self, title: str, *, embed_fonts: bool = False):
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas

        self.buffer = io.BytesIO()
        self.arabic = _arabic_font()
        # With embedded fonts only, the canvas's initial font too: otherwise Helvetica is still referenced.
        initial = {"initialFontName": self.arabic} if embed_fonts else {}
        self.canvas = canvas.Canvas(self.buffer, pagesize=A4, invariant=1, pageCompression=1, **initial)
        self.canvas.setTitle(title)
        self.canvas.setAuthor("Bawaba")
        self.width, self.height = A4
        self.margin = 42
        self.y = self.height - self.margin
        self.arabic = _arabic_font()
        self.embed_fonts = embed_fonts

    def need(self, height):
        if self.y - height < self.margin:
            self.canvas.showPage()
            self.y = self.height - self.margin

    def _font(self, value: str, bold: bool) -> tuple[str, str]:
        value, latin = pdf_text_run(value)
        if latin and not self.embed_fonts:
            return value, "Helvetica-Bold" if bold else "Helvetica"
        return value, _arabic_font(bold) if bold else self.arabic

    def text(self, x, value, *, size=9, bold=False, right=False):
        value, font = self._font(value, bold)
        self.canvas.setFont(font, size)
        if right:
            self.canvas.drawRightString(x, self.y, value)
        else:
            self.canvas.drawString(x, self.y, value)

    def arabic_text(self, value, *, size=9, x=None):
        self.canvas.setFont(self.arabic, size)
        self.canvas.drawRightString(self.width - self.margin if x is None else x, self.y, visual_arabic(value))

    def wrapped(self, x, value, width_chars, *, size=9, bold=False, gap=11):
        """A long text on as many lines as it needs, cut between words."""
        import textwrap

        for part in textwrap.wrap(value, width_chars, break_on_hyphens=False) or [""]:
            self.need(gap)
            self.text(x, part, size=size, bold=bold)
            self.line(gap)

    def line(self, gap=12):
        self.y -= gap

    def rule(self):
        """A thin line under the text just drawn (below its baseline and descenders: never through it)."""
        self.canvas.setLineWidth(0.4)
        self.canvas.line(self.margin, self.y - 3, self.width - self.margin, self.y - 3)

    def add_srgb_output_intent(self):
        """The sRGB output intent PDF/A requires for device colours (ISO 19005-3, 6.2.4.3), written by ReportLab
        itself into the catalogue (factur-x keeps it when it adds the XML): Pillow's built-in sRGB profile."""
        from PIL import ImageCms
        from reportlab.pdfbase.pdfdoc import PDFArray, PDFCatalog, PDFDictionary, PDFName, PDFStream, PDFString

        document = self.canvas._doc
        profile = PDFStream(PDFDictionary({"N": 3}),
                            ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
        intent = PDFDictionary({"Type": PDFName("OutputIntent"), "S": PDFName("GTS_PDFA1"),
                                "OutputConditionIdentifier": PDFString("sRGB IEC61966-2.1"),
                                "Info": PDFString("sRGB IEC61966-2.1"),
                                "DestOutputProfile": document.Reference(profile)})
        catalog = document.Catalog
        catalog.__NoDefault__ = [*PDFCatalog.__NoDefault__, "OutputIntents"]  # written only when declared
        catalog.OutputIntents = PDFArray([document.Reference(intent)])

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def _identification_lines(party: dict) -> list[str]:
    """The legal identification of a party as Algerian invoices print it (bawaba.orgs.identifiers)."""
    lines = []
    if party.get("legal_form"):
        lines.append(_("Legal form: %(value)s") % {"value": party["legal_form"]})
    if party.get("address"):
        lines.append(_("Address: %(value)s") % {"value": party["address"]})
    for label, key in ((_("NIF"), "tax_identifier"), (_("NIS"), "statistical_identifier"),
                       (_("RC"), "trade_register_number"), (_("Tax article (AI)"), "tax_article_number")):
        if party.get(key):
            lines.append(_("%(label)s: %(value)s") % {"label": label, "value": party[key]})
    return lines


def _party_blocks(pdf: _Pdf, parties: dict):
    """The operator (the buyer, maître de l'ouvrage) on the left, the contractor on the right."""
    import textwrap

    half = (pdf.width - 2 * pdf.margin) / 2
    top = pdf.y
    bottoms = []
    for column, (label, party) in enumerate(((_("Client (contracting authority)"), parties["operator"]),
                                             (_("Contractor"), parties["contractor"]))):
        x = pdf.margin + column * half
        pdf.y = top
        pdf.text(x, label, size=8, bold=True)
        pdf.line(11)
        pdf.text(x, parties_name(party), size=9, bold=True)
        pdf.line(11)
        if party.get("name_ar"):
            pdf.arabic_text(party["name_ar"], size=9, x=x + half - 10)
            pdf.line(11)
        for entry in _identification_lines(party):
            for part in textwrap.wrap(entry, 52, break_on_hyphens=False):
                pdf.text(x, part, size=8)
                pdf.line(10)
        bottoms.append(pdf.y)
    pdf.y = min(bottoms) - 4


def _header(pdf: _Pdf, title: str, title_ar: str, statement, extra: list[tuple[str, str]]):
    parties = statement.parties  # as at issue: never the live contract or organisations
    pdf.text(pdf.margin, title, size=15, bold=True)
    pdf.arabic_text(title_ar, size=13)
    pdf.line(22)
    pdf.text(pdf.margin, _("Number: %(number)s") % {"number": statement.number}, size=11, bold=True)
    pdf.text(pdf.width - pdf.margin, _("Issued on: %(date)s") % {"date": _day(statement.issued_on)}, size=9, right=True)
    pdf.line(18)
    pdf.need(120)
    _party_blocks(pdf, parties)
    pdf.line(6)
    rows = [(_("Contract"), parties["contract"])]
    if parties.get("approval"):
        rows.append((_("Contract approval"), parties["approval"]))
    for label, value in [*rows, (_("Programme"), parties["programme"]), *extra]:
        pdf.text(pdf.margin, (_("%(label)s: %(value)s") % {"label": label, "value": ""}).rstrip(), size=9, bold=True)
        pdf.text(pdf.margin + 110, value, size=9)
        pdf.line(12)
    pdf.line(6)


def _rows_table(pdf: _Pdf, rows, currency: str):
    """The lines: code, item, unit, quantity, unit price and amount excl. tax, with the currency ("DA",
    "FCFA") on every amount."""
    columns = [pdf.margin, pdf.margin + 52, 300, 350, 440]
    pdf.need(30)
    for x, label in zip(columns, [_("Code"), _("Item"), _("Unit"), _("Quantity"), _("Unit price")], strict=True):
        pdf.text(x, label, size=8, bold=True)
    pdf.text(pdf.width - pdf.margin, _("Amount excl. tax"), size=8, bold=True, right=True)
    pdf.rule()
    pdf.line(14)
    for row in rows:
        pdf.need(26)
        pdf.text(columns[0], row.code, size=8)
        pdf.text(columns[1], row.label_fr[:46], size=8)
        pdf.text(columns[2], str(Unit(row.unit).label) if row.unit in Unit.values else row.unit, size=8)
        pdf.text(columns[3] + 50, fmt_qty(row.quantity), size=8, right=True)
        pdf.text(columns[4] + 40, fmt_currency(row.unit_price, currency), size=8, right=True)
        pdf.text(pdf.width - pdf.margin, fmt_currency(row.amount, currency), size=8, right=True)
        pdf.line(10)
        if row.label_ar:
            pdf.canvas.setFont(pdf.arabic, 7)
            pdf.canvas.drawRightString(columns[2] - 6, pdf.y + 2, visual_arabic(row.label_ar))
            pdf.line(9)
    pdf.line(2)
    pdf.rule()
    pdf.line(14)


def _totals(pdf: _Pdf, pairs: list[tuple[str, Decimal, bool]], currency: str):
    for label, amount, strong in pairs:
        pdf.need(14)
        pdf.text(300, label, size=9 if not strong else 10, bold=strong)
        pdf.text(pdf.width - pdf.margin, fmt_currency(amount, currency), size=9 if not strong else 10, bold=strong,
                 right=True)
        pdf.line(13)


def _signatures(pdf: _Pdf):
    """Three signature blocks: the contractor, the inspector who checked the work, the operator's services."""
    pdf.line(8)
    pdf.need(96)
    width = (pdf.width - 2 * pdf.margin - 20) / 3
    top = pdf.y
    for index, (title, note) in enumerate((
            (_("The contractor"), _("Certified accurate, stamp and signature")),
            (_("The inspector"), _("Work checked: name, date and signature")),
            (_("The operator's services"), _("Approved for payment: stamp and signature")))):
        x = pdf.margin + index * (width + 10)
        pdf.canvas.setLineWidth(0.5)
        pdf.canvas.rect(x, top - 84, width, 92)
        pdf.y = top - 4
        pdf.text(x + 5, title, size=9, bold=True)
        pdf.line(11)
        pdf.text(x + 5, note, size=7)
    pdf.y = top - 96


def _settled_sum(pdf: _Pdf, doc, statement):
    """"Arrêté le présent décompte à la somme de …": the net in words, French and Arabic, with its figure."""

    net, currency = doc.net, statement.currency
    words_fr = (statement.amount_in_words_fr if net == statement.net_amount
                else amount_in_words(net, "fr", currency))
    words_ar = (statement.amount_in_words_ar if net == statement.net_amount
                else amount_in_words(net, "ar", currency))
    if doc.credit_note:
        sentence = _("This credit note is settled at the sum of %(words)s (%(amount)s).")
        sentence_ar = "أوقف هذا الإشعار الدائن على مبلغ: %(words)s (%(amount)s)"
    else:
        sentence = _("This payment statement is settled at the sum of %(words)s (%(amount)s).")
        sentence_ar = "أوقف هذا الكشف على مبلغ: %(words)s (%(amount)s)"
    pdf.need(50)
    pdf.wrapped(pdf.margin, sentence % {"words": words_fr, "amount": fmt_currency(net, currency)}, 105, size=9,
                bold=True)
    with translation.override("ar"):
        amount_ar = fmt_currency(net, currency)
    pdf.arabic_text(sentence_ar % {"words": words_ar, "amount": amount_ar}, size=10)
    pdf.line(16)


def payment_statement_pdf(statement: PaymentStatement, lang: str = "fr", *, embed_fonts: bool = False) -> bytes:
    """The payment statement (décompte) as printed; a correction whose total is negative is a credit note
    (avoir) stating the credited amounts, exactly as its e-invoices (einvoice.e_document)."""

    with translation.override(lang):
        doc = e_document(statement)  # in the document's language: the bonuses' explanations are printed
        correction = statement.kind == PaymentStatementKind.CORRECTION
        if doc.credit_note:
            title = _("Credit note (payment statement correction)")
        else:
            title = _("Payment statement correction") if correction else _("Payment statement")
        with translation.override("ar"):
            title_ar = _("Credit note (payment statement correction)") if doc.credit_note else (
                _("Payment statement correction") if correction else _("Payment statement"))
        pdf = _Pdf(f"{title} {statement.number}", embed_fonts=embed_fonts)
        if embed_fonts:  # the Factur-X copy: PDF/A-3
            pdf.add_srgb_output_intent()
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
            pdf.wrapped(pdf.margin, _("Reason: %(reason)s") % {"reason": statement.correction_reason[:500]}, 110)
            pdf.line(4)
        _rows_table(pdf, doc.lines, statement.currency)
        pairs = [(_("Total of the lines excl. tax"), doc.line_total, True)]
        bonuses = []
        for allowance in doc.allowances:
            if allowance.reason_code:  # an incentive bonus (einvoice._bonus_charges): explained below the totals
                bonuses.append(allowance)
                label = _("Incentive bonus %(number)s") % {"number": len(bonuses)}
            else:
                label = _("Late penalties") if allowance.reason == "Pénalités de retard" else _(
                    "Refund of late penalties")
            pairs.append((label, allowance.amount if allowance.charge else -allowance.amount, False))
        pairs += [
            (_("Total excl. tax (VAT base)"), doc.tax_exclusive, False),
            (_("VAT (%(rate)s %%)") % {"rate": fmt_qty(statement.vat_rate * 100)}, doc.tax, False),
            (_("Total incl. tax"), doc.tax_inclusive, True),
            (_("Retention (%(rate)s %%), deducted at payment") % {"rate": fmt_qty(statement.retention_rate * 100)},
             -doc.retention, False),
            (_("Advance recovery, deducted at payment"), -doc.advance_recovery, False),
            (_("Net credited") if doc.credit_note else _("Net payable"), doc.net, True),
        ]
        _totals(pdf, pairs, statement.currency)
        pdf.line(6)
        _settled_sum(pdf, doc, statement)
        if bonuses:
            pdf.need(30)
            pdf.text(pdf.margin, _("Incentive bonuses, paid with this statement"), size=9, bold=True)
            pdf.line(13)
            for number, bonus in enumerate(bonuses, start=1):
                pdf.need(13)
                pdf.text(pdf.margin, _("Incentive bonus %(number)s") % {"number": number}, size=9)
                pdf.text(pdf.width - pdf.margin, fmt_currency(bonus.amount if bonus.charge else -bonus.amount,
                                                             statement.currency),
                         size=9, right=True)
                pdf.line(12)
                pdf.wrapped(pdf.margin + 10, bonus.explanation, 120, size=8, gap=10)
            pdf.line(6)
        summary = penalty_summary(statement)
        if summary:
            pdf.need(30)
            pdf.text(pdf.margin, _("Late penalties and their cap"), size=9, bold=True)
            pdf.line(13)
            for label, amount in summary:  # labels from the left margin: they are longer than the totals'
                pdf.need(13)
                pdf.text(pdf.margin, label, size=9)
                pdf.text(pdf.width - pdf.margin, fmt_currency(amount, statement.currency), size=9, right=True)
                pdf.line(12)
            pdf.line(6)
        if statement.penalty_detail:
            pdf.text(pdf.margin, _("Penalties detail"), size=9, bold=True)
            pdf.line(12)
            for entry in statement.penalty_detail[:40]:
                pdf.need(12)
                pdf.text(pdf.margin, _("%(wo)s: %(days)s day(s) late, %(amount)s")
                         % {"wo": entry["work_order"], "days": entry["days"],
                            "amount": fmt_currency(Decimal(entry["amount"]), statement.currency)}, size=8)
                pdf.line(10)
        _signatures(pdf)
        return pdf.finish()


def work_statement_pdf(statement: WorkStatement, lang: str = "fr") -> bytes:
    with translation.override(lang):
        title = _("Work statement")
        with translation.override("ar"):
            title_ar = _("Work statement")  # وضعية الأشغال, the glossary's term
        pdf = _Pdf(f"{title} {statement.number}")
        _header(pdf, title, title_ar, statement, [
            (_("Period"), f"{_day(statement.period_start)} - {_day(statement.period_end)}")])
        _rows_table(pdf, statement_rows(statement), statement.currency)
        _totals(pdf, [
            (_("Cumulative to date"), statement.cumulative_amount, False),
            (_("Previous statements"), statement.previous_cumulative_amount, False),
            (_("This period"), statement.period_amount, True),
        ], statement.currency)
        _signatures(pdf)
        return pdf.finish()


# --------------------------------------------------------------------------- e-invoices


def payment_statement_ubl(statement: PaymentStatement) -> bytes:
    """UBL 2.1 Invoice or CreditNote (einvoice.ubl)."""

    return ubl(statement)


def payment_statement_cii(statement: PaymentStatement) -> bytes:
    """Factur-X EN 16931 CII XML (einvoice.cii)."""

    return cii(statement)


def payment_statement_facturx(statement: PaymentStatement, lang: str = "fr") -> bytes:
    """The PDF (every font embedded) with its CII XML embedded: Factur-X EN 16931, PDF/A-3."""

    return facturx_pdf(payment_statement_pdf(statement, lang, embed_fonts=True), payment_statement_cii(statement),
                       statement)
