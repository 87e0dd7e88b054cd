"""Load Algeria (algeria-wilayas-communes, CC0) and Congo-Brazzaville (pycountry, ISO 3166-2).

Idempotent: running it again updates names and adds what is missing.
A wilaya created in a split (numbers above 58 in 2019, above 58 again in 2026) has postal codes that
keep the former wilaya's two-digit prefix; that prefix names its `former_region`.
"""

from collections import Counter

from django.db import transaction

CREATED_IN = [(48, None), (58, 2019), (69, 2026)]


def _created_in(number: int) -> int | None:
    for last_number, year in CREATED_IN:
        if number <= last_number:
            return year
    return None


@transaction.atomic
def load_algeria(Region, District, Commune) -> dict[str, int]:
    import algeria_wilayas_communes as dz

    regions = {}
    for wilaya in dz.get_wilayas():
        region, _ = Region.objects.update_or_create(
            country="DZ",
            code=wilaya["code"],
            defaults={
                "name_fr": wilaya["nom_fr"],
                "name_ar": wilaya["nom_ar"],
                "name_en": wilaya["nom_en"],
                "created_in": _created_in(wilaya["wilaya_num"]),
            },
        )
        regions[wilaya["code"]] = region

    communes = dz.get_communes()
    prefixes: dict[str, Counter] = {}
    for commune in communes:
        if commune["code_postal"]:
            prefixes.setdefault(commune["wilaya_code"], Counter())[commune["code_postal"][:2]] += 1
    for code, region in regions.items():
        prefix = prefixes.get(code, Counter()).most_common(1)
        former = prefix[0][0] if prefix else code
        region.former_region = regions.get(former) if former != code else None
        region.save(update_fields=["former_region"])

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
