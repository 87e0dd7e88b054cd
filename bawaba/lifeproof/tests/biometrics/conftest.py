"""Shared inputs of the biometric tests: public-domain portraits (see biometrics/data/SOURCES.md) and frame
sequences generated from them (make_clips), computed once per test session."""

import io

import numpy as np
import pytest
from PIL import Image

from bawaba.lifeproof.biometrics import compute_template
from bawaba.lifeproof.biometrics import make_clips as clips

# Portraits on which the generated blink and both head turns are recognised (see docs/biometrics.md).
PERSON = "scanlon_mary_021762.jpg"
OTHER = "scott_austin_021123.jpg"


@pytest.fixture(scope="session")
def portrait():
    return clips.portrait


@pytest.fixture(scope="session")
def reference():
    return compute_template(clips.portrait(PERSON))


@pytest.fixture(scope="session")
def other_reference():
    return compute_template(clips.portrait(OTHER))


@pytest.fixture(scope="session")
def performed():
    """A generated attempt of PERSON doing blink, turn_left, turn_right (one frame every 400 ms)."""
    challenge = ("blink", "turn_left", "turn_right")
    return challenge, clips.sequence(clips.portrait(PERSON), challenge, seed=7)


def jpeg(rgb: np.ndarray, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def side_by_side(*images: bytes) -> bytes:
    """Two (or more) portraits in one picture, same height."""
    opened = [Image.open(io.BytesIO(data)).convert("RGB") for data in images]
    height = max(image.height for image in opened)
    opened = [image.resize((round(image.width * height / image.height), height)) for image in opened]
    canvas = Image.new("RGB", (sum(image.width for image in opened), height), "grey")
    x = 0
    for image in opened:
        canvas.paste(image, (x, 0))
        x += image.width
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
