import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from bawaba.core.uploads import IMAGE_TYPES, check_upload


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_real_png_is_accepted_and_hashed():
    checked = check_upload(SimpleUploadedFile("photo.png", png_bytes()))
    assert checked.content_type == "image/png" and len(checked.sha256) == 64


def test_type_is_read_from_content_not_name():
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 100)  # a Windows executable
    with pytest.raises(ValidationError) as error:
        check_upload(fake)
    assert error.value.code == "bad_type"


def test_pdf_is_not_an_image():
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF"), allowed=IMAGE_TYPES)


def test_empty_and_oversized_files_are_refused(settings):
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("empty.png", b""))
    assert error.value.code == "empty"
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("big.png", png_bytes()))
    assert error.value.code == "too_large"


# --------------------------------------------------------------------------- images decoded with a pixel limit


def png_bomb(width=10_000, height=10_000) -> bytes:
    """A real decompression bomb: a valid 1-bit PNG of width × height white pixels, a few kilobytes on disk,
    width × height bytes once Pillow decodes it (100 MB for the default 10,000 × 10,000)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte, then the row's bits
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((64, 64), 40).convert("RGB").save(buffer, "JPEG", quality=90)
    whole = buffer.getvalue()
    return whole[: len(whole) // 2]


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = png_bomb()
    assert len(bomb) < 50_000
    with translation.override("en"), pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("scan.png", bomb), allowed=IMAGE_TYPES)
    assert error.value.code == "too_many_pixels"
    assert "10000 × 10000" in error.value.messages[0] and "50 megapixels" in error.value.messages[0]


def test_a_bomb_past_twice_the_limit_is_refused_as_too_large_too():
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("scan.png", png_bomb(12_000, 9_000)), allowed=IMAGE_TYPES)
    assert error.value.code == "too_many_pixels"


def test_the_pixel_limit_is_a_setting(settings):
    settings.IMAGE_MAX_PIXELS = 100
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(buffer, "PNG")
    assert check_upload(SimpleUploadedFile("ok.png", buffer.getvalue()), allowed=IMAGE_TYPES).size > 0
    buffer = io.BytesIO()
    Image.new("RGB", (11, 10), "red").save(buffer, "PNG")
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("big.png", buffer.getvalue()), allowed=IMAGE_TYPES)
    assert error.value.code == "too_many_pixels"


def test_a_truncated_jpeg_is_refused_as_damaged():
    with translation.override("en"), pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("photo.jpg", truncated_jpeg()))
    assert error.value.code == "broken_image"
    assert "damaged or incomplete" in error.value.messages[0]


def test_pillow_refuses_bombs_everywhere_else_too():
    assert Image.MAX_IMAGE_PIXELS == 50_000_000
    with pytest.raises(Image.DecompressionBombError), Image.open(io.BytesIO(png_bomb(12_000, 9_000))) as image:
        image.load()


def test_the_refusal_is_translated():
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("photo.jpg", truncated_jpeg()))
    assert "endommagé" in error.value.messages[0]
    with translation.override("ar"), pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile("scan.png", png_bomb()), allowed=IMAGE_TYPES)
    assert "ميغابكسل" in error.value.messages[0]
