"""Photo reuse beyond identical bytes: perceptual hashes, near-duplicates across contractors, the inspector's view.

Every photo here is a real image drawn with Pillow and transformed the way a photo is passed off as new.
"""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bawaba.deployments.common import rules as common_rules
from bawaba.deployments.field import photohash as field_photohash
from bawaba.deployments.field import services as field_services
from bawaba.deployments.models import Decision, Photo, RuleSet
from bawaba.deployments.tests.factories import good_report, image_bytes, make_photo, make_site, scene_image, scene_photo
from bawaba.deployments.work import setup as work_setup

VARIANTS = ["resaved", "png", "byte_appended", "resized", "cropped"]
LIMIT = int(common_rules.DEFAULT_PARAMS["photo_similar_max_distance"])


def _hash(upload):
    return field_photohash.perceptual_hash(io.BytesIO(upload.read()))


# --------------------------------------------------------------------------- the hash itself


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_transformed_copy_stays_within_the_default_distance(variant):
    for seed in range(8):
        original, copy = _hash(scene_photo(seed)), _hash(scene_photo(seed, variant))
        assert copy is not None and field_photohash.distance(original, copy) <= LIMIT, (seed, variant)


def test_different_pictures_are_farther_apart_than_the_default_distance():
    hashes = [_hash(scene_photo(seed)) for seed in range(30)]
    nearest = min(field_photohash.distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1:])
    assert nearest > LIMIT


def test_a_flat_image_has_no_hash_and_a_few_odd_pixels_do_not_make_detail():
    assert _hash(make_photo(seed=12345)) is None  # flat colour with one odd pixel (the factory's photos)
    assert field_photohash.band_values(None) == dict.fromkeys(field_photohash.BAND_FIELDS)


def test_the_exif_orientation_is_applied_before_hashing():
    from PIL import Image

    image = scene_image(3)
    rotated = image.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": undoes the counter-clockwise transpose above
    tagged = field_photohash.perceptual_hash(io.BytesIO(image_bytes(rotated, "JPEG", quality=90, exif=exif)))
    plain = field_photohash.perceptual_hash(io.BytesIO(image_bytes(image, "JPEG", quality=90)))
    assert field_photohash.distance(tagged, plain) <= 2


def test_the_band_search_finds_every_hash_within_the_distance():
    """Pigeonhole: a hash at most d bits away shares a band within d // 4 bits; check it on random flips."""
    rng = random.Random(7)
    for _ in range(300):
        base = f"{rng.getrandbits(64):016x}"
        distance = rng.randrange(0, field_photohash.MAX_SEARCH_DISTANCE + 1)
        flipped = int(base, 16)
        for bit in rng.sample(range(64), distance):
            flipped ^= 1 << bit
        other = f"{flipped:016x}"
        lookups = dict(field_photohash.candidates_filter(base, distance).children)  # {"phash_band0__in": [...], ...}
        values = field_photohash.bands(other)
        assert any(values[i] in lookups[f"phash_band{i}__in"] for i in range(field_photohash.BANDS)), (base, other)


# --------------------------------------------------------------------------- through the report pipeline


@pytest.fixture
def other_order(world):
    """A work order of the other contractor, on another site."""
    site = make_site(world.programme, "S-0099", lat=Decimal("36.770000"), lon=Decimal("3.060000"))
    return work_setup.do_create_work_order(world.other_contract, site, reference="WO-0099",
                                         items=[("SRV-01", 1), ("ONT-01", 1)],
                                         due_on=timezone.localdate() + dt.timedelta(days=30))


def _report(world, user, work_order, photos, code="SRV-01"):
    values = good_report(world, code, work_order=work_order, photos=photos)
    return field_services.do_submit_field_report(user, work_order, **values).report



@pytest.mark.parametrize("variant", VARIANTS)
def test_a_near_duplicate_from_another_contractor_goes_to_the_inspector(world, other_order, variant):
    first = _report(world, world.worker, world.work_order, [scene_photo(1)])
    assert first.items.get().decision == Decision.ACCEPTED
    original = first.photos.get()
    assert original.phash and original.phash_band0 is not None

    second = _report(world, world.other_worker, other_order, [scene_photo(1, variant)])

    item = second.items.get()
    assert item.decision == Decision.DOUBTFUL
    assert [r["code"] for r in item.reasons] == ["photo_similar"]
    copy = second.photos.get()
    assert copy.reused_from is None and copy.sha256 != original.sha256  # not the same bytes
    assert copy.similar_to == original and copy.similar_distance <= LIMIT
    assert item.reasons[0]["params"]["limit"] == LIMIT


def test_a_different_photo_is_accepted(world, other_order):
    _report(world, world.worker, world.work_order, [scene_photo(1)])
    second = _report(world, world.other_worker, other_order, [scene_photo(2)])
    assert second.items.get().decision == Decision.ACCEPTED
    assert second.photos.get().similar_to is None


def test_a_photo_of_rejected_work_may_be_sent_again_re_saved(world, other_order):
    first = _report(world, world.worker, world.work_order, [scene_photo(4)], code="ONT-01")
    item = first.items.get()
    item.decision = Decision.REJECTED  # as the rules or an inspector would
    item.save(update_fields=["decision"])
    second = _report(world, world.other_worker, other_order, [scene_photo(4, "png")])
    assert second.items.get().decision == Decision.ACCEPTED


def test_identical_bytes_stay_a_rejection_not_a_doubt(world, other_order):
    _report(world, world.worker, world.work_order, [scene_photo(5)])
    second = _report(world, world.other_worker, other_order, [scene_photo(5)])
    assert [r["code"] for r in second.items.get().reasons] == ["photo_reused"]


def test_the_distance_is_the_rule_sets(world, other_order):
    """A rule set with a smaller distance lets a slightly cropped copy through; -1 switches the check off."""
    rule_set = RuleSet.objects.get(pk=world.item("SRV-01").price_item.rule_set_id)
    rule_set.params = {**rule_set.params, "photo_similar_max_distance": 0}
    rule_set.save()
    _report(world, world.worker, world.work_order, [scene_photo(6)])
    cropped = scene_photo(6, "cropped")
    assert field_photohash.distance(_hash(scene_photo(6)), _hash(cropped)) > 0
    cropped.seek(0)
    second = _report(world, world.other_worker, other_order, [cropped])
    assert second.items.get().decision == Decision.ACCEPTED
    assert common_rules.evaluate(common_rules.Evidence(common_rules.Requirements(min_photos=1, requires_position=False),
                                         photos=(common_rules.PhotoEvidence(similar_distance=3),)),
                          {"photo_similar_max_distance": -1}).outcome == common_rules.ACCEPTED


def test_inspector_sees_both_photos_side_by_side_and_may_open_the_earlier_one(world, other_order, as_user):
    first = _report(world, world.worker, world.work_order, [scene_photo(8)])
    second = _report(world, world.other_worker, other_order, [scene_photo(8, "resized")])
    copy, original = second.photos.get(), first.photos.get()
    page = as_user(world.inspector).get("/fibre/inspections/").content.decode()
    block = page[page.index(f'id="similar-{copy.pk}"'):]
    block = block[:block.index("</div>")]
    assert f"/fibre/photos/{copy.pk}/" in block and f"/fibre/photos/{original.pk}/" in block
    assert "WO-0001" in block  # where the earlier photo was sent
    assert as_user(world.inspector).get(f"/fibre/photos/{original.pk}/").status_code == 200
    # the contractor of the copy does not get to see the other contractor's photo
    assert as_user(world.other_worker).get(f"/fibre/photos/{original.pk}/").status_code == 404


def test_inspection_queue_reads_the_similar_photos_in_the_same_queries(world, other_order, as_user):
    client = as_user(world.inspector)
    _report(world, world.worker, world.work_order, [scene_photo(9)])
    _report(world, world.other_worker, other_order, [scene_photo(9, "png")])
    client.get("/fibre/inspections/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/fibre/inspections/").status_code == 200
    _report(world, world.worker, world.site_order, [scene_photo(10)], code="SITE-SRV")
    _report(world, world.other_worker, other_order, [scene_photo(10, "resaved")], code="ONT-01")
    with CaptureQueriesContext(connection) as two:
        assert client.get("/fibre/inspections/").status_code == 200
    assert Photo.objects.filter(similar_to__isnull=False).count() == 2
    assert len(two) == len(one)


def test_the_search_reads_only_candidates_among_many_photos(world, other_order):
    """Thousands of stored hashes: the look-up goes through the band columns and fetches only near ones."""
    first = _report(world, world.worker, world.work_order, [scene_photo(11)])
    template = first.photos.get()
    rng = random.Random(3)
    rows = []
    for n in range(3000):
        value = f"{rng.getrandbits(64):016x}"
        rows.append(Photo(report=first, image=template.image.name, sha256=f"{n:064x}", reused_from=template,
                          content_type="image/jpeg", extension="jpg", size=1, phash=value,
                          **field_photohash.band_values(value)))
    Photo.objects.bulk_create(rows)
    query = field_photohash.candidates_filter(_hash(scene_photo(11, "png")), LIMIT)
    fetched = list(Photo.objects.filter(query).values_list("pk", flat=True))
    assert template.pk in fetched and len(fetched) < 100  # 3,001 stored


# --------------------------------------------------------------------------- photos stored before the hashes


def test_the_backfill_hashes_stored_photos_once(world, capsys):
    report = _report(world, world.worker, world.work_order, [scene_photo(12), make_photo()])
    Photo.objects.filter(report=report).update(phash=None, phash_band0=None, phash_band1=None, phash_band2=None,
                                               phash_band3=None)
    call_command("fibre_photo_hashes")
    assert "2 photos hashed" in capsys.readouterr().out
    textured, flat = report.photos.order_by("pk")
    assert textured.phash == _hash(scene_photo(12)) and textured.phash_band0 == field_photohash.bands(textured.phash)[0]
    assert flat.phash == ""  # no detail: compared by its bytes only, and not read again
    call_command("fibre_photo_hashes")
    assert "0 photos hashed" in capsys.readouterr().out
