"""Label and receipt PDFs: they parse, the barcode carries the number, the QR codes decode to what was meant."""

import base64
import re
import zlib

import pytest

from bawaba.postal import documents


@pytest.fixture
def item(make_item, network, clerk):
    return make_item(sender_name="سمير والي", recipient_name="Nadia Belkacem", declared_value=5000, price=230,
                     payment_method="cash", accepted_by=clerk, tariff=None)


def pdf_streams(data: bytes) -> str:
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1).strip()
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw[:-2].replace(b"\n", b""))
        try:
            chunks.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            chunks.append(raw.decode("latin-1"))
    return "\n".join(chunks)


def assert_parses(data: bytes) -> str:
    """A whole PDF: header, cross-reference table, trailer, one page, every stream inflates."""
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    assert b"xref" in data and b"trailer" in data and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 1
    return pdf_streams(data)


def decode_qr(code) -> str:
    """Decode a segno QR code with OpenCV's detector (present in the venv)."""
    import io

    cv2 = pytest.importorskip("cv2")
    import numpy as np

    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=8, border=4)
    image = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)
    text, _points, _straight = cv2.QRCodeDetector().detectAndDecode(image)
    return text


def test_the_label_has_the_number_in_code_128_spaced_and_a_2d_code(item):
    data = documents.label_pdf(item)
    text = assert_parses(data)
    number = item.number
    spaced = f"{number[:2]} {number[2:5]} {number[5:8]} {number[8:11]} {number[11:]}"
    assert spaced in text and "Nadia Belkacem" in text
    drawing = documents.barcode(number)
    assert drawing.contents[0].value == number and drawing.contents[0].__class__.__name__ == "BarcodeCode128"
    assert decode_qr(documents.label_qr(item)) == f"{number}|DZ|{item.recipient_postcode}|16001-DIST"
    assert documents.label_pdf(item) == data  # deterministic


def test_the_label_shapes_arabic_names_with_an_embedded_font(item):
    data = documents.label_pdf(item)
    assert b"DejaVuSans" in data  # the sender's Arabic name is drawn with DejaVu Sans (embedded subset)
    assert "سمير" not in assert_parses(data)  # shaped glyphs, not the raw logical string


def test_the_receipt_has_the_price_and_a_qr_code_to_the_tracking_page(item):
    data = documents.receipt_pdf(item, base_url="https://bawaba.example")
    text = assert_parses(data)
    assert "230,00 DA" in text.replace("\xa0", " ")
    url = f"https://bawaba.example/post/track/{item.number}/"
    assert url in text
    assert decode_qr(documents.tracking_qr(url)) == url


def test_congolese_amounts_are_in_fcfa():
    from decimal import Decimal

    assert documents.money(Decimal("1500"), "XAF") == "1\u00a0500,00\u00a0FCFA"
