"""Postal codes for the communes algeria-wilayas-communes leaves without one, from Algérie Poste's own lists.

The shipped file data/postal_codes.csv (see data/SOURCE.md) gives, for each commune of GeoAlgeria's dataset, the
postal code GeoAlgeria gives it and the codes of the post offices Algérie Poste itself attaches to that commune.
**Rule: a commune without a postal code gets one only when**

1. a row of the file is in the same wilaya (wilayas matched by name: the file numbers the 2026 wilayas as
   syscli-algeria does, not as we do) and has the same commune name (French, accents ignored, else Arabic), and
   it is the only such row: never a namesake in another wilaya;
2. GeoAlgeria's code for it is also the code of one of the post offices Algérie Poste attaches to that commune
   (two sources agree);
3. the code starts with the commune's wilaya or the wilaya it was split from (loader.checked_postal_code), and
4. no other commune of the wilaya has that code already (algeria-wilayas-communes gives Tlemcen's 13049 to Aïn
   Kebira while Algérie Poste puts that office in Béni Boussaïd: a conflict left to a person), and no other row of
   the wilaya gives it with Algérie Poste's agreement.

Otherwise the commune keeps no code (imports find it by name within its wilaya). A code already stored is never
changed: where GeoAlgeria and algeria-wilayas-communes give different codes for a commune (both usually codes of
post offices in it), algeria-wilayas-communes' is kept.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "postal_codes.csv"


@dataclass(frozen=True)
class Row:
    wilaya: str  # our (algeria-wilayas-communes) wilaya code
    name_fr: str
    name_ar: str
    postal_code: str
    poste_codes: frozenset[str]


def arabic_key(name: str) -> str:
    """"أولاد إبراهيم" and "اولاد ابراهيم" alike: no short vowels, one alif, no spaces."""
    text = re.sub(r"[\u064B-\u0652\u0640]", "", name or "")
    for forms, plain in (("أإآ", "ا"), ("ة", "ه"), ("ى", "ي")):
        text = re.sub(f"[{forms}]", plain, text)
    return re.sub(r"\s+", "", text)


@cache
def rows() -> tuple[Row, ...]:
    """The shipped file, with each row's wilaya given as our code."""
    import algeria_wilayas_communes as awc

    from .membership import _wilaya_key

    ours = {_wilaya_key(w["nom_fr"]): w["code"] for w in awc.get_wilayas()}
    result = []
    with open(DATA, encoding="utf-8", newline="") as f:
        for line in csv.DictReader(f):
            result.append(Row(ours[_wilaya_key(line["wilaya_fr"])], line["name_fr"], line["name_ar"],
                              line["postal_code"], frozenset(line["poste_codes"].split())))
    return tuple(result)


def _match(candidates: list[Row], name_fr: str, name_ar: str) -> Row | None:
    from .loader import _plain

    for same in (lambda r: _plain(r.name_fr) == _plain(name_fr),
                 lambda r: bool(name_ar) and arabic_key(r.name_ar) == arabic_key(name_ar)):
        found = [r for r in candidates if same(r)]
        if len(found) == 1:
            return found[0]
        if found:
            return None  # two communes of one wilaya answer to the name: not settled by the name
    return None


def proposed_code(row: Row | None, wilaya_code: str, former_code: str | None, taken: set[str],
                  given: Counter) -> str:
    """The code the rule gives a commune matched to `row`, or ""."""
    from .loader import checked_postal_code

    if row is None or not row.postal_code or row.postal_code not in row.poste_codes:
        return ""
    if row.postal_code in taken or given[row.postal_code] > 1:
        return ""
    return checked_postal_code(row.postal_code, wilaya_code, former_code)


def fill_postal_codes(Region, Commune) -> list[tuple[str, str, str]]:
    """Give the stored communes without a postal code the one the rule settles; (wilaya, commune, code) filled."""
    by_wilaya: dict[str, list[Row]] = {}
    for row in rows():
        by_wilaya.setdefault(row.wilaya, []).append(row)
    filled = []
    for region in Region.objects.filter(country="DZ").select_related("former_region"):
        communes = list(Commune.objects.filter(region=region).only("pk", "name_fr", "name_ar", "postal_code"))
        taken = {c.postal_code for c in communes if c.postal_code}
        candidates = by_wilaya.get(region.code, [])
        given = Counter(r.postal_code for r in candidates if r.postal_code in r.poste_codes)
        former = region.former_region.code if region.former_region else None
        for commune in communes:
            if commune.postal_code:
                continue
            code = proposed_code(_match(candidates, commune.name_fr, commune.name_ar), region.code, former, taken,
                                 given)
            if code:
                Commune.objects.filter(pk=commune.pk).update(postal_code=code)
                taken.add(code)
                filled.append((region.code, commune.name_fr, code))
    return filled
