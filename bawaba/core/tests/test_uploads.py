import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
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
