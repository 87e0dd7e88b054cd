"""Face templates from real (public-domain) portraits, and the reference photos refused with a reason."""

import io

import numpy as np
import pytest
from PIL import Image

from bawaba.lifeproof.biometrics import (
    MODEL_NAME,
    POLICIES,
    POLICY_VERSION,
    FaceError,
    FaceTemplate,
    compute_template,
)
from bawaba.lifeproof.biometrics import make_clips as clips

from .conftest import PERSON, jpeg, side_by_side


def distance(a: FaceTemplate, b: FaceTemplate) -> float:
    return float(np.linalg.norm(a.as_array() - b.as_array()))


def test_template_of_a_real_portrait(reference):
    assert len(reference.vector) == 128 * 4
    assert reference.model == MODEL_NAME
    assert 0 < reference.quality <= 1
    assert np.isfinite(reference.as_array()).all()
    again = compute_template(clips.portrait(PERSON))
    assert again == reference  # deterministic: same bytes, same template


def test_same_person_in_two_photographs_matches_and_other_people_do_not():
    hayes_old, hayes_new = (
        compute_template(clips.portrait(name))
        for name in ("hayes_rutherford_004232.jpg", "hayes_rutherford_099887.jpg")
    )
    others = [compute_template(clips.portrait(name)) for name in ("kaptur_marcy_015029.jpg", "king_angus_041300.jpg")]
    garfield = compute_template(clips.portrait("garfield_james_099888.jpg"))
    policy = POLICIES[POLICY_VERSION]
    assert distance(hayes_old, hayes_new) < policy.match_review_max
    for other in others:
        assert distance(hayes_new, other) > policy.match_review_max
        assert distance(hayes_old, other) > policy.match_review_max
    # Two bearded men in 19th-century sepia photographs come closer (0.58): never accepted, but sent to review.
    assert policy.match_accept_max < distance(hayes_new, garfield)


def test_a_template_survives_storage_as_bytes(reference):
    stored = FaceTemplate(vector=bytes(reference.vector), model=reference.model, quality=reference.quality)
    assert np.array_equal(stored.as_array(), reference.as_array())
    with pytest.raises(ValueError):
        FaceTemplate(vector=b"\0" * 12, model=MODEL_NAME, quality=1.0).as_array()


def code_of(data: bytes) -> str:
    with pytest.raises(FaceError) as caught:
        compute_template(data)
    assert str(caught.value)  # an English reason for the logs
    return caught.value.code


def test_a_photo_without_a_face():
    ys, xs = np.mgrid[0:240, 0:320]
    landscape = np.dstack([xs % 256, ys % 256, (xs + ys) % 256]).astype(np.uint8)
    assert code_of(jpeg(landscape)) == "no_face"


def test_a_photo_with_two_faces():
    pair = side_by_side(clips.portrait(PERSON), clips.portrait("king_angus_041300.jpg"))
    assert code_of(pair) == "several_faces"


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.4 not a photo", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, bytes(range(256)) * 8],
    ids=["empty", "pdf", "broken-png", "noise"],
)
def test_bytes_that_are_not_an_image(data):
    assert code_of(data) == "not_an_image"


def test_a_truncated_jpeg_is_not_an_image():
    data = clips.portrait(PERSON)
    assert code_of(data[: len(data) // 2]) == "not_an_image"


def test_an_image_with_too_many_pixels_is_refused_before_decoding(settings):
    settings.IMAGE_MAX_PIXELS = 10_000
    assert code_of(clips.portrait(PERSON)) == "too_large"


def test_a_face_too_small_to_compare():
    image = Image.open(io.BytesIO(clips.portrait(PERSON)))
    canvas = Image.new("RGB", (400, 300), "grey")
    canvas.paste(image.resize((image.width // 2, image.height // 2)), (150, 80))
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    assert code_of(buffer.getvalue()) == "too_small"
