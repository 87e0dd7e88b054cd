"""CSV files in UTF-8 (with or without BOM), Windows-1256 (Arabic) and Windows-1252 (French) are read as written;
an undecidable file is refused, never stored garbled. A postal code that Excel turned into a number keeps its zero."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bawaba.core import charsets
from bawaba.deployments.models import Site
from bawaba.deployments.work.importing import import_work_orders

pytestmark = pytest.mark.django_db

HEADER = "site_code;site_kind;site_name;address;wilaya;commune;latitude;longitude;work_order;items\n"
ARABIC = (
    "AR-1;hospital;مستشفى فرانز فانون;شارع العقيد عميروش، البليدة;09;البليدة;36.4700;2.8300;WO-AR1;SITE-SRV:1\n"
    "AR-2;school;مدرسة الأمير عبد القادر;حي 500 مسكن « الأمل »;09;بني مراد;36.4800;2.8600;WO-AR2;SITE-SRV:1\n"
)
FRENCH = (
    "FR-1;building;Résidence « Les Œillets »;Cité Émir Abdelkader, bâtiment B;16;Alger Centre;36.7753;3.0597;"
    "WO-FR1;SRV-01:1\n"
    "FR-2;school;École Ibn Khaldoun;Rue Larbi Ben M’hidi — 2ème étage;09;Aïn Romana;36.4550;2.7500;WO-FR2;"
    "SITE-SRV:1\n"
)


def _import(data: bytes, name="ordres.csv", world=None):
    return import_work_orders(SimpleUploadedFile(name, data), contract=world.contract)


def _names():
    return dict(Site.objects.filter(code__in=["AR-1", "AR-2", "FR-1", "FR-2"]).values_list("code", "name"))


def test_an_arabic_file_in_windows_1256_is_stored_as_written(world):
    data = (HEADER + ARABIC).encode("cp1256")
    assert charsets.decode(data) == (HEADER + ARABIC, "cp1256")
    result = _import(data, world=world)
    assert result.ok, result.errors
    assert _names() == {"AR-1": "مستشفى فرانز فانون", "AR-2": "مدرسة الأمير عبد القادر"}
    site = Site.objects.get(code="AR-2")
    assert site.address == "حي 500 مسكن « الأمل »" and site.commune.name_fr == "Beni Mered"


def test_a_french_file_in_windows_1252_is_stored_as_written(world):
    data = (HEADER + FRENCH).encode("cp1252")
    assert charsets.decode(data) == (HEADER + FRENCH, "cp1252")
    result = _import(data, world=world)
    assert result.ok, result.errors
    assert _names() == {"FR-1": "Résidence « Les Œillets »", "FR-2": "École Ibn Khaldoun"}
    assert Site.objects.get(code="FR-2").commune.name_fr == "Aïn Romana"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_or_without_its_mark(world, bom):
    result = _import(bom + (HEADER + ARABIC + FRENCH).encode(), world=world)
    assert result.ok, result.errors
    assert _names()["AR-1"] == "مستشفى فرانز فانون" and _names()["FR-1"] == "Résidence « Les Œillets »"


def test_french_with_only_the_letters_both_code_pages_share_needs_no_decision():
    text = HEADER + "FR-3;home;Villa à côté de l’école;;16;;36.7753;3.0597;WO-FR3;SRV-01:1\n"
    assert charsets.decode(text.replace("’", "'").encode("cp1252"))[0] == text.replace("’", "'")


@pytest.mark.parametrize("data", [
    # one Arabic line in Windows-1256 and one French line in Windows-1252: no single reading is right
    HEADER.encode() + ARABIC.splitlines()[0].encode("cp1256") + b"\n" + FRENCH.splitlines()[0].encode("cp1252"),
    # Cyrillic in Windows-1251: none of ours
    (HEADER + "RU-1;home;Жилой дом;Улица Ленина;16;;36.7753;3.0597;WO-RU1;SRV-01:1\n").encode("cp1251"),
    # already garbled before it reached us
    (HEADER + "X-1;home;Cit\ufffd;;16;;36.7753;3.0597;WO-X1;SRV-01:1\n").encode(),
], ids=["mixed-1256-and-1252", "cp1251", "replacement-character"])
def test_an_undecidable_file_is_refused_with_a_clear_message_and_nothing_stored(world, data):
    before = Site.objects.count()
    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        _import(data, world=world)
    assert "CSV UTF-8" in caught.value.messages[0] and "Windows-1256" in caught.value.messages[0]
    assert caught.value.messages[0].startswith("Les caractères de ce fichier")
    assert Site.objects.count() == before


def test_a_postal_code_typed_as_a_number_in_excel_keeps_its_leading_zero(world):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["site_code", "site_kind", "wilaya", "commune", "latitude", "longitude", "work_order", "SRV-01"])
    sheet.append(["X-1", "home", 9, 9002, 36.5570, 3.1460, "WO-X1", 1])  # Larbaa (Blida), 09002
    buffer = io.BytesIO()
    book.save(buffer)
    assert book.active["D2"].value == 9002
    result = _import(buffer.getvalue(), name="ordres.xlsx", world=world)
    assert result.ok, result.errors
    commune = Site.objects.get(code="X-1").commune
    assert (commune.postal_code, commune.region.code) == ("09002", "09")


def test_a_postal_code_is_looked_up_in_the_rows_wilaya(world):
    """09002 is listed for Larbaa under three wilayas (point 10): the row's wilaya decides, never the first found."""
    world.contract.wilayas.add(*type(world.contract.wilayas.first()).objects.filter(country="DZ", code="05"))
    text = HEADER + "X-2;home;X;;09;9002;36.5570;3.1460;WO-X2;SRV-01:1\n"
    result = _import(text.encode(), world=world)
    assert result.ok, result.errors
    assert Site.objects.get(code="X-2").commune.region.code == "09"
