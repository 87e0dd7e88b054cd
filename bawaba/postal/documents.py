"""What the counter prints: the item's label and the customer's receipt (PDF, ReportLab).

- Label (100 × 150 mm, the size of parcel label printers): the S10 number as a Code 128 barcode with the
  number spaced underneath as S10 prints it (``RR 473 124 829 CG``), a 2-D
  code (QR) holding the number and the routing (destination country, postcode, delivery office: no names), the
  sender and recipient blocks, the product and weight.
- Receipt (80 mm roll of counter printers): office, date and time, clerk, number, product, weight, declared
  value, the price as computed (band + rate on value), the payment, and a QR code to the public tracking page
  ``/post/track/<number>/``.

Person-typed text may be Arabic: it is shaped (arabic-reshaper), put in visual order (python-bidi) and drawn with
DejaVu Sans, as bawaba.deployments.documents does (whose helpers are used). Rendering is deterministic
(ReportLab invariant mode).
"""

from __future__ import annotations

import io
from decimal import Decimal

import segno
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from bawaba.core.money import format_amount, format_money
from bawaba.deployments.billing.documents import FONT_CANDIDATES, pdf_text_run
from bawaba.postal import s10
from bawaba.postal.models import Item, PaymentMethod

MM = 72 / 25.4
LABEL_SIZE = (100 * MM, 150 * MM)
RECEIPT_SIZE = (80 * MM, 190 * MM)
FONT = "BawabaPostalDejaVu"
CURRENCY_NAMES = {"XAF": "FCFA", "XOF": "FCFA"}


def tracking_path(number: str) -> str:
    """The public tracking page of a number (built by the field helper's postal:track; path kept literal so the
    receipt does not depend on that page being mounted)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("postal:track", args=[number])
    except NoReverseMatch:
        return f"/post/track/{number}/"


def tracking_qr(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def label_payload(item: Item) -> str:
    """What the label's 2-D code holds: number and routing only (a code anyone can read carries no name)."""
    parts = [item.number, item.destination_country, item.recipient_postcode or "",
             item.delivery_office.code if item.delivery_office_id else ""]
    return "|".join(parts)


def label_qr(item: Item) -> segno.QRCode:
    return segno.make(label_payload(item), error="m", micro=False)


def barcode(number: str):
    """The Code 128 drawing of the number (bars only: the spaced number is drawn under it in a larger font)."""
    from reportlab.graphics.barcode import createBarcodeDrawing

    return createBarcodeDrawing("Code128", value=number, barHeight=18 * MM, barWidth=0.33 * MM,
                                humanReadable=False, quiet=True)


def money(value: Decimal | None, currency: str) -> str:
    if value is None:
        return ""
    if currency == "DZD":
        return format_money(value)
    return f"{format_amount(value)}\u00a0{CURRENCY_NAMES.get(currency, currency)}"


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        path = next((p for p in FONT_CANDIDATES if p.exists()), None)
        if path is None:
            raise FileNotFoundError("no font with Arabic glyphs (DejaVu Sans)")
        pdfmetrics.registerFont(TTFont(FONT, str(path)))
    return FONT


class _Page:
    def __init__(self, size, title: str):
        from reportlab.pdfgen import canvas

        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self.buffer, pagesize=size, invariant=1, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor("Bawaba")
        self.width, self.height = size
        self.margin = 5 * MM
        self.y = self.height - self.margin - 4 * MM
        self.unicode_font = _font()

    def text(self, value: str, *, x=None, size=8.0, bold=False, right=False, centre=False, gap=None):
        value, latin = pdf_text_run(value or "")
        font = ("Helvetica-Bold" if bold else "Helvetica") if latin else self.unicode_font
        self.canvas.setFont(font, size)
        x = self.margin if x is None else x
        if centre:
            self.canvas.drawCentredString(self.width / 2, self.y, value)
        elif right:
            self.canvas.drawRightString(self.width - self.margin, self.y, value)
        else:
            self.canvas.drawString(x, self.y, value)
        self.y -= gap if gap is not None else size * 1.35

    def rule(self):
        self.canvas.setLineWidth(0.5)
        self.canvas.line(self.margin, self.y + 2, self.width - self.margin, self.y + 2)
        self.y -= 4

    def qr(self, code: segno.QRCode, x: float, y: float, size: float):
        """Draw the code's modules as squares (quiet zone included), bottom-left corner at (x, y)."""
        matrix = [list(row) for row in code.matrix_iter(scale=1, border=2)]
        module = size / len(matrix)
        self.canvas.setFillColorRGB(0, 0, 0)
        for row_index, row in enumerate(matrix):
            top = y + size - (row_index + 1) * module
            for col_index, dark in enumerate(row):
                if dark:
                    self.canvas.rect(x + col_index * module, top, module, module, stroke=0, fill=1)

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def _address_lines(item: Item) -> list[str]:
    lines = [item.recipient_street]
    if item.recipient_quartier:
        lines.append(_("Quartier %(name)s") % {"name": item.recipient_quartier})
    if item.recipient_po_box:
        lines.append(f"BP {item.recipient_po_box}")
    if item.recipient_landmark:
        lines.append(item.recipient_landmark)
    place = " ".join(p for p in [item.recipient_postcode, item.recipient_commune.name_fr.upper()
                                 if item.recipient_commune_id else ""] if p)
    if place:
        lines.append(place)
    if item.recipient_region_id and not item.recipient_commune_id:
        lines.append(item.recipient_region.name_fr.upper())
    if item.destination_country != item.origin_country:
        lines.append(item.destination_country)
    return [line for line in lines if line]


def label_pdf(item: Item, *, language: str = "fr") -> bytes:
    """The item's label: Code 128 of the number, the spaced number, a QR code with the routing, both addresses."""
    from reportlab.graphics import renderPDF

    number = s10.parse(item.number)
    with override(language):
        page = _Page(LABEL_SIZE, _("Label %(number)s") % {"number": item.number})
        organisation = item.organisation
        page.text(organisation.name_fr, bold=True, size=9, gap=11)
        if organisation.name_ar:
            page.text(organisation.name_ar, size=9, gap=11)
        product = item.product.name if item.product_id else ""
        page.text(f"{product} — {number.mail_class or ''}".strip(" —"), size=8)
        page.rule()
        drawing = barcode(item.number)
        scale = min(1.0, (page.width - 2 * page.margin) / drawing.width)
        page.y -= drawing.height
        page.canvas.saveState()
        page.canvas.translate((page.width - drawing.width * scale) / 2, page.y)
        page.canvas.scale(scale, 1)
        renderPDF.draw(drawing, page.canvas, 0, 0)
        page.canvas.restoreState()
        page.y -= 14
        page.text(number.spaced, size=15, bold=True, centre=True, gap=18)
        page.rule()
        qr_size = 28 * MM
        page.qr(label_qr(item), page.width - page.margin - qr_size, page.y - qr_size, qr_size)
        page.text(_("From:"), bold=True, size=7)
        for line in [item.sender_name, item.sender_address, item.sender_phone]:
            if line:
                page.text(line[:36], size=8)
        accepted = timezone.localtime(item.accepted_at) if item.accepted_at else None
        if item.accepted_office_id:
            page.text(f"{item.accepted_office.code} {date_format(accepted, 'SHORT_DATE_FORMAT') if accepted else ''}",
                      size=7)
        page.y = min(page.y, page.height - 95 * MM)
        page.rule()
        page.text(_("To:"), bold=True, size=8, gap=13)
        page.text(item.recipient_name, size=13, bold=True, gap=16)
        for line in _address_lines(item):
            page.text(line[:40], size=11, gap=14)
        if item.recipient_phone:
            page.text(item.recipient_phone, size=10, gap=14)
        page.y = 10 * MM
        page.rule()
        weight = f"{item.weight_g} g" if item.weight_g else ""
        office = item.delivery_office.code if item.delivery_office_id else ""
        page.text(f"{weight}    {office}", size=9)
        return page.finish()


def receipt_pdf(item: Item, *, base_url: str = "", language: str = "fr") -> bytes:
    """The customer's receipt: what was paid and how to follow the item (QR code to the tracking page)."""
    number = s10.parse(item.number)
    currency = item.tariff.currency if item.tariff_id else "DZD"
    url = base_url.rstrip("/") + tracking_path(item.number)
    with override(language):
        page = _Page(RECEIPT_SIZE, _("Receipt %(number)s") % {"number": item.number})
        organisation = item.organisation
        page.text(organisation.name_fr, bold=True, size=10, centre=True, gap=12)
        if organisation.name_ar:
            page.text(organisation.name_ar, size=10, centre=True, gap=12)
        if item.accepted_office_id:
            page.text(f"{item.accepted_office.name_fr} ({item.accepted_office.code})", size=8, centre=True)
        page.text(_("Receipt for a postal item"), size=9, bold=True, centre=True, gap=14)
        page.rule()
        accepted = timezone.localtime(item.accepted_at) if item.accepted_at else None
        rows = [
            (_("Number"), number.spaced),
            (_("Date"), date_format(accepted, "SHORT_DATETIME_FORMAT") if accepted else ""),
            (_("Product"), item.product.name if item.product_id else ""),
            (_("Weight"), f"{item.weight_g} g" if item.weight_g else ""),
            (_("Declared value"), money(item.declared_value, currency) if item.declared_value else "—"),
            (_("Recipient"), item.recipient_name),
            (_("Destination"), " ".join(_address_lines(item)[-1:])),
        ]
        for label, value in rows:
            page.text(f"{label}:", size=8, bold=True, gap=0)
            page.text(value[:28], x=page.margin + 26 * MM, size=8)
        page.rule()
        if item.tariff_id and item.price is not None:
            page.text(_("Tariff: %(tariff)s") % {"tariff": item.tariff.label}, size=7)
        page.text(_("Total paid: %(amount)s") % {"amount": money(item.price, currency)}, size=11, bold=True, gap=14)
        page.text(_("Payment: %(method)s") % {"method": PaymentMethod(item.payment_method).label
                                              if item.payment_method else "—"}, size=8)
        if item.accepted_by_id:
            page.text(_("Clerk: %(name)s") % {"name": item.accepted_by.get_full_name() or item.accepted_by.username},
                      size=8)
        page.rule()
        qr_size = 34 * MM
        page.qr(tracking_qr(url), (page.width - qr_size) / 2, page.y - qr_size, qr_size)
        page.y -= qr_size + 4
        page.text(_("Follow your item:"), size=8, centre=True, gap=10)
        page.text(url, size=7, centre=True)
        page.text(_("Keep this receipt: its number is needed for any claim."), size=6.5, centre=True)
        return page.finish()
