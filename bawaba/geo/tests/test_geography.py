from django.core.management import call_command

from bawaba.geo.models import Commune, Region


def test_all_algerian_wilayas_and_communes_come_from_the_package(db):
    import algeria_wilayas_communes as source

    assert Region.objects.filter(country="DZ").count() == len(source.get_wilayas())
    assert Commune.objects.filter(region__country="DZ").count() == len(source.get_communes())
    alger = Region.objects.get(country="DZ", code="16")
    assert alger.name_fr == "Alger" and alger.name_ar == "الجزائر"


def test_new_wilayas_keep_their_former_wilaya(db):
    # Timimoun (49) was created in 2019 from Adrar (01); Aflou (59) in 2026 from Laghouat (03).
    timimoun = Region.objects.get(country="DZ", code="49")
    assert timimoun.former_region.code == "01" and timimoun.created_in == 2019
    aflou = Region.objects.get(country="DZ", code="59")
    assert aflou.former_region.code == "03" and aflou.created_in == 2026
    assert Region.objects.get(country="DZ", code="16").former_region is None


def test_congo_departments_are_a_second_country(db):
    assert Region.objects.filter(country="CG", code="CG-BZV").exists()


def test_reloading_is_idempotent(db):
    before = Commune.objects.count()
    call_command("geo", "load")
    assert Commune.objects.count() == before


def test_french_place_names_keep_their_accents(db):
    names = dict(Region.objects.filter(country="DZ").values_list("code", "name_fr"))
    assert names["06"] == "Béjaïa" and names["19"] == "Sétif" and names["26"] == "Médéa"
    assert names["44"] == "Aïn Defla" and names["47"] == "Ghardaïa" and names["16"] == "Alger"
    assert Commune.objects.filter(region__code="06", name_fr="Béjaïa").exists()
    assert not Region.objects.filter(country="DZ", name_fr__in=["Bejaia", "Setif"]).exists()


def test_places_loaded_without_accents_are_renamed_not_duplicated(db):
    Region.objects.filter(country="DZ", code="06").update(name_fr="Bejaia")
    Commune.objects.filter(name_fr="Sétif").update(name_fr="Setif")
    communes = Commune.objects.count()
    call_command("geo", "load")
    assert Region.objects.get(country="DZ", code="06").name_fr == "Béjaïa"
    assert Commune.objects.filter(name_fr="Sétif").exists() and not Commune.objects.filter(name_fr="Setif").exists()
    assert Commune.objects.count() == communes
