"""Imported sites must lie in their wilaya: swapped coordinates, another country, another wilaya are row errors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bawaba.deployments.models import Site
from bawaba.deployments.work.importing import import_work_orders
from bawaba.geo import locate
from bawaba.geo.models import Region

pytestmark = pytest.mark.django_db

HEADER = "site_code;site_kind;site_name;wilaya;commune;latitude;longitude;homes;work_order;due_on;items\n"


def _import(world, rows, language="en"):
    text = HEADER + "".join(f"{code};home;X;{wilaya};;{lat};{lon};;WO-{code};;SRV-01:1\n"
                            for code, wilaya, lat, lon in rows)
    with translation.override(language):
        return import_work_orders(SimpleUploadedFile("sites.csv", text.encode()), contract=world.contract)


@pytest.mark.parametrize(("lat", "lon", "message"), [
    ("3.0597", "36.7753", "Latitude and longitude look swapped: the other way round the point is in Algeria."),
    ("34.0209", "-6.8416", "The point is in Morocco, outside Algeria."),      # Rabat
    ("36.8065", "10.1815", "The point is in Tunisia, outside Algeria."),      # Tunis
    ("48.8566", "2.3522", "The point is in France, outside Algeria."),        # Paris
    ("37.3000", "3.0500", "The point is outside Algeria."),                   # the sea off Algiers
    ("36.4700", "2.8300", "The point is in wilaya 09 Blida, not in wilaya 16 Algiers."),
    ("35.6971", "-0.6308", "The point is in wilaya 31 Oran, not in wilaya 16 Algiers."),
])
def test_a_misplaced_site_is_a_row_error_naming_the_problem(world, lat, lon, message):
    before = Site.objects.count()
    result = _import(world, [("OK-1", "16", "36.7753", "3.0597"), ("BAD-1", "16", lat, lon)])
    assert [(e.row, e.column, e.message) for e in result.errors] == [(3, "latitude", message)]
    assert Site.objects.count() == before  # nothing stored


def test_the_messages_are_translated(world):
    result = _import(world, [("BAD-1", "16", "34.0209", "-6.8416"), ("BAD-2", "16", "36.4700", "2.8300")], "fr")
    messages = [e.message for e in result.errors]
    assert messages[0] == "Le point est hors d’Algérie (Maroc)."
    assert messages[1] == "Le point est dans la wilaya 09 Blida, pas dans la wilaya 16 Alger."


def test_sites_inside_their_wilaya_are_imported_even_close_to_the_shore(world):
    # Algiers' Grande Poste, a point of the Algiers waterfront (a few metres from the coastline), Blida town.
    result = _import(world, [("A-1", "16", "36.7753", "3.0597"), ("A-2", "16", "36.7866", "3.0655"),
                             ("B-1", "09", "36.4700", "2.8300")])
    assert result.ok, result.errors


def test_every_wilaya_seat_lies_in_its_own_wilaya():
    """The outlines match our wilaya rows: each region's outline holds a point of its own (its centre of mass)."""
    shapes = locate.wilaya_shapes()
    codes = set(Region.objects.filter(country="DZ").values_list("code", flat=True))
    assert len(shapes) >= len(codes) - 2  # the map's own test lists any region left without an outline
    for code, shape in shapes.items():
        inner = max(shape.rings, key=len)
        lon, lat = inner[:, 0].mean(), inner[:, 1].mean()
        found = locate.wilaya_at(lat, lon, tolerance_m=0)
        assert found is None or found == code or shapes[found].contains(lon, lat), code


def test_a_point_on_a_border_counts_within_the_tolerance():
    shape = locate.wilaya_shapes()["16"]
    lon, lat = (float(v) for v in shape.rings[0][0])
    assert shape.holds(lon, lat + 0.001) or shape.holds(lon, lat - 0.001)  # ~110 m off a vertex of its outline
    assert not shape.holds(lon + 1.0, lat + 1.0)
