"""Upload checks shared by every app: the type is read from the content, not the name."""

import hashlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

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
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(upload, kind.mime, allowed[kind.mime], upload.size, digest.hexdigest())
