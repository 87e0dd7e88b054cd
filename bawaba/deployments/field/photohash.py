"""Perceptual hashes of report photos, and the search for near-duplicates among many of them.

A photo's perceptual hash (`imagehash.phash`: 64 bits from the low frequencies of the 32 × 32 grey image's DCT)
barely changes when the same picture is re-saved as JPEG, converted to PNG, resized, slightly cropped or given a
byte more; two different pictures differ in about half of the bits. Two photos whose hashes differ in at most
the rule set's `photo_similar_max_distance` bits (Hamming distance) are near-duplicates.

Finding the near-duplicates of one hash among millions without comparing them all (multi-index hashing, Norouzi,
Punjani and Fleet, CVPR 2012): the 64 bits are cut into BANDS bands of 16 bits, each stored in its own indexed
column. Two hashes at most d bits apart have, by the pigeonhole principle, at least one band at most
d // BANDS bits apart. So the candidates are the photos whose band i is one of the values within d // BANDS bits of
the new photo's band i, for some i: for d = 10, 137 values per band, four indexed `IN` look-ups; the exact
distance is then computed on the few candidates.

An image with almost no detail (a flat colour: a lens cap, a black frame) has no perceptual hash worth the name:
its DCT is noise and would match every other flat image. Such photos get an empty hash ("": no detail; NULL
means not computed yet) and are compared by their bytes only.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import imagehash
import numpy as np
from django.db.models import Q
from PIL import Image, ImageOps

HASH_BITS = 64
BANDS = 4
BAND_BITS = HASH_BITS // BANDS
BAND_FIELDS = tuple(f"phash_band{i}" for i in range(BANDS))
# Spread between the 10th and 90th percentiles (0–255 grey levels) of the 32 × 32 grey image below which an image
# has no usable detail (a percentile range, so a few odd pixels on a flat image do not count as detail).
MIN_DETAIL = 4.0
# Largest distance the band search supports efficiently (3 bits per band: 697 values per band).
MAX_SEARCH_DISTANCE = 4 * BANDS - 1


def perceptual_hash(source) -> str | None:
    """The 16-hex-digit pHash of an image file (path or binary file object), or None for an image without detail.

    The EXIF orientation is applied first, so a copy whose rotation tag was changed hashes alike. A JPEG is decoded
    at a reduced scale (`draft`), which changes nothing at 32 × 32 and keeps a 12-megapixel photo fast.
    """
    if hasattr(source, "seek"):
        source.seek(0)
    with Image.open(source) as image:
        image.draft("RGB", (256, 256))
        image = ImageOps.exif_transpose(image)
        grey = image.convert("L")
    small = np.asarray(grey.resize((32, 32), Image.Resampling.LANCZOS), dtype=np.float64)
    if hasattr(source, "seek"):
        source.seek(0)
    low, high = np.percentile(small, [10, 90])
    if high - low < MIN_DETAIL:
        return None
    return str(imagehash.phash(grey))


def bands(phash: str) -> tuple[int, ...]:
    """The hash cut into BANDS integers of BAND_BITS bits, most significant first."""
    value = int(phash, 16)
    mask = (1 << BAND_BITS) - 1
    return tuple((value >> (BAND_BITS * (BANDS - 1 - i))) & mask for i in range(BANDS))


def band_values(phash: str | None) -> dict[str, int | None]:
    """Field values of the band columns for a hash (all None without a hash)."""
    if not phash:
        return dict.fromkeys(BAND_FIELDS)
    return dict(zip(BAND_FIELDS, bands(phash), strict=True))


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


@lru_cache(maxsize=8)
def _flips(radius: int) -> tuple[int, ...]:
    """Every BAND_BITS-bit mask with at most `radius` bits set."""
    return tuple(sum(1 << bit for bit in bits) for r in range(radius + 1)
                 for bits in itertools.combinations(range(BAND_BITS), r))


def candidates_filter(phash: str, max_distance: int) -> Q:
    """Rows that may lie within max_distance bits of phash (a superset: check `distance` on each)."""
    if not 0 <= max_distance <= MAX_SEARCH_DISTANCE:
        raise ValueError(f"max_distance must be between 0 and {MAX_SEARCH_DISTANCE}")
    radius = max_distance // BANDS
    flips = _flips(radius)
    query = Q()
    for field, value in zip(BAND_FIELDS, bands(phash), strict=True):
        query |= Q(**{f"{field}__in": sorted(value ^ flip for flip in flips)})
    return query


def backfill(photo_model, *, batch_size: int = 200, log=None) -> tuple[int, int]:
    """Hash the stored photos that have no hash yet (NULL), reading their files; (hashed, missing files).

    Used by the data migration that added the hashes and by `bawaba fibre_photo_hashes` (re-runnable: a file that
    could not be read stays NULL and is tried again next time). Rows that share a file (identical bytes) are
    hashed once. Past decisions are not revisited: only reports received from now on are compared.
    """
    hashed = missing = 0
    last_pk = 0
    while True:
        rows = list(photo_model.objects.filter(phash__isnull=True, pk__gt=last_pk).order_by("pk")[:batch_size])
        if not rows:
            return hashed, missing
        last_pk = rows[-1].pk
        by_file: dict[str, str | None] = {}
        for row in rows:
            name = row.image.name
            if name not in by_file:
                try:
                    with row.image.open("rb") as handle:
                        by_file[name] = perceptual_hash(handle) or ""
                except (OSError, ValueError, Image.DecompressionBombError, Image.UnidentifiedImageError) as exc:
                    by_file[name] = None
                    if log:
                        log(f"photo {row.pk}: {name}: {exc}")
            value = by_file[name]
            if value is None:
                missing += 1
                continue
            photo_model.objects.filter(pk=row.pk).update(phash=value, **band_values(value))
            hashed += 1
