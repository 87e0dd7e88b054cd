"""Opening untrusted image bytes: the type is read from the content (filetype), the pixel count is checked
against settings.IMAGE_MAX_PIXELS before decoding (decompression bombs; Pillow's process-wide
Image.MAX_IMAGE_PIXELS, which bawaba.core.uploads.limit_pillow sets, stops worse ones even earlier), and the
image is decoded whole (a truncated file is refused)."""

import io
import warnings

import filetype
import numpy as np
from PIL import Image, ImageOps

from .errors import FaceError

IMAGE_MIMES = {"image/jpeg", "image/png", "image/webp"}
DEFAULT_MAX_PIXELS = 50_000_000


def max_pixels() -> int:
    """settings.IMAGE_MAX_PIXELS when Django is configured, else the platform's default."""
    try:
        from django.conf import settings

        if settings.configured:
            return int(getattr(settings, "IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS))
    except ImportError:  # pragma: no cover - Django is always installed with the platform
        pass
    return DEFAULT_MAX_PIXELS


def open_image(data: bytes) -> Image.Image:
    """A decoded RGB Pillow image, upright (EXIF orientation applied); FaceError otherwise."""
    if not isinstance(data, (bytes, bytearray, memoryview)) or not data:
        raise FaceError("not_an_image", "empty or not bytes")
    kind = filetype.guess(bytes(data[:8192]))
    if kind is None or kind.mime not in IMAGE_MIMES:
        raise FaceError("not_an_image", f"not a JPEG, PNG or WebP image ({kind.mime if kind else 'unknown type'})")
    limit = max_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # checked just below
            image = Image.open(io.BytesIO(bytes(data)))
            width, height = image.size
            if width * height > limit:
                raise FaceError("too_large", f"{width} x {height} pixels is more than the limit of {limit}")
            image.load()
            image = ImageOps.exif_transpose(image)
            return image.convert("RGB")
    except FaceError:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own (process-wide) limit, set by the platform
        raise FaceError("too_large", str(exc)) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise FaceError("not_an_image", f"the image cannot be decoded: {exc}") from exc


def to_rgb_array(image: Image.Image, max_side: int | None = None) -> tuple[np.ndarray, float]:
    """(H x W x 3 uint8 array, scale) with the longest side at most ``max_side`` (scale = new / original)."""
    scale = 1.0
    if max_side and max(image.size) > max_side:
        scale = max_side / max(image.size)
        image = image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.BILINEAR
        )
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8)), scale
