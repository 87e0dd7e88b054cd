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
