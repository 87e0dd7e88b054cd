"""Upload checks shared by every app: the type is read from the content, not the name, and an image is decoded
whole (so a damaged or truncated one is refused) but only once its header says it has at most
IMAGE_MAX_PIXELS pixels: a small file can declare 100,000 × 100,000 pixels and take tens of gigabytes to decode
(a decompression bomb). Pillow's own limit is set to the same number for every other place that opens images.
"""

import hashlib
import warnings
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

DOCUMENT_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


@dataclass(frozen=True)
class CheckedUpload:
    file: UploadedFile
    content_type: str
    extension: str
    size: int
    sha256: str


def check_upload(upload: UploadedFile, allowed: dict[str, str] = DOCUMENT_TYPES, max_bytes: int | None = None):
    max_bytes = max_bytes or settings.ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The file “%(name)s” is empty.") % {"name": upload.name}, code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file “%(name)s” is too large (%(size)s); the limit is %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in allowed:
        raise ValidationError(
            _("The file “%(name)s” is not an accepted type (accepted: %(types)s).")
            % {"name": upload.name, "types": ", ".join(sorted(set(allowed.values())))},
            code="bad_type",
        )
    if kind.mime in IMAGE_TYPES:
        check_image(upload)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(upload, kind.mime, allowed[kind.mime], upload.size, digest.hexdigest())


def pixel_limit() -> int:
    return settings.IMAGE_MAX_PIXELS


def limit_pillow() -> None:
    """Pillow refuses (DecompressionBombError) images of more than twice its limit everywhere in the platform."""
    Image.MAX_IMAGE_PIXELS = pixel_limit()


def check_image(upload: UploadedFile) -> tuple[int, int]:
    """(width, height) of an image small enough to decode and decoded whole; ValidationError otherwise."""
    limit = pixel_limit()
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked just below
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > limit:
                    raise _too_many_pixels(upload, f"{width} × {height}", limit)
                image.load()  # every pixel: a truncated or damaged file fails here
    except Image.DecompressionBombError as exc:  # over twice Pillow's limit: refused when the header is read
        raise _too_many_pixels(upload, "?", limit) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ValidationError(
            _("The file “%(name)s” is not a readable image: it is damaged or incomplete.") % {"name": upload.name},
            code="broken_image",
        ) from exc
    finally:
        upload.seek(0)
    return width, height


def _too_many_pixels(upload, size: str, limit: int) -> ValidationError:
    return ValidationError(
        _("The image “%(name)s” is too large (%(size)s pixels); the limit is %(limit)s megapixels.")
        % {"name": upload.name, "size": size, "limit": round(limit / 1_000_000)},
        code="too_many_pixels",
    )
