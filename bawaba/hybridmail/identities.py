"""Loading the national identity register the operator may query (civil registry, trade register) from a CSV or
XLSX file the administration provides: all rows or none, with a report naming each bad row. Identity numbers
are turned into keyed hashes as they are read (bawaba.hybridmail.identity) and never stored in clear."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bawaba.core.tabular import ImportResult, RowError, read_table
from bawaba.geo.models import Commune

from .identity import id_hash, last_digits, normalise_id
from .models import HolderKind, IdentityRecord

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 500_000
COLUMNS = {
    "id_number": ("id_number", "nin", "nni", "numero", "numéro", "id"),
    "full_name": ("full_name", "name", "nom", "nom_complet"),
    "birth_date": ("birth_date", "date_naissance", "date_of_birth", "naissance"),
    "kind": ("kind", "type"),
    "commune": ("commune", "postal_code", "code_postal"),
}
KINDS = {"person": HolderKind.PERSON, "personne": HolderKind.PERSON, "citoyen": HolderKind.PERSON,
         "": HolderKind.PERSON,
         "company": HolderKind.COMPANY, "entreprise": HolderKind.COMPANY, "societe": HolderKind.COMPANY,
         "société": HolderKind.COMPANY}


def _date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value[:10], pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def _commune(value: str, country: str, cache: dict) -> Commune | None:
    value = value.strip()
    if not value:
        return None
    if value not in cache:
        communes = Commune.objects.filter(region__country=country)
        cache[value] = (communes.filter(postal_code=value).order_by("pk").first()
                        or communes.filter(name_fr__iexact=value).order_by("pk").first())
    return cache[value]


def import_identities(data: bytes, *, country: str = "DZ", source: str = "", dry_run: bool = False) -> ImportResult:
    """Read the file and store every row, or nothing when any row is wrong (the result lists each error)."""
    country = country.upper()
    table = read_table(data, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    if not table:
        raise ValidationError(_("The file is empty."))
    header = [h.strip().lower().replace(" ", "_") for h in table[0]]
    where = {}
    for name, aliases in COLUMNS.items():
        for index, title in enumerate(header):
            if title in aliases:
                where[name] = index
                break
    missing = [name for name in ("id_number", "full_name") if name not in where]
    if missing:
        raise ValidationError(_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})

    result = ImportResult()
    seen: dict[str, int] = {}
    communes: dict = {}
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        result.rows += 1

        def cell(name, cells=cells):
            index = where.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        errors = []
        nin = normalise_id(cell("id_number"))
        if not nin or not nin.isalnum() or len(nin) > 30:
            errors.append(RowError(number, "id_number", _("The identity number is missing or not valid.")))
        name = " ".join(cell("full_name").split())
        if not name or len(name) > 200:
            errors.append(RowError(number, "full_name", _("The name is missing or longer than 200 characters.")))
        try:
            birth = _date(cell("birth_date"))
        except ValueError:
            birth = None
            errors.append(RowError(number, "birth_date", _("“%(value)s” is not a date (write 2026-12-06 or "
                                                           "06/12/2026).") % {"value": cell("birth_date")}))
        kind = KINDS.get(cell("kind").lower())
        if kind is None:
            errors.append(RowError(number, "kind", _("Kind must be “person” or “company”.")))
        commune = _commune(cell("commune"), country, communes)
        if cell("commune") and commune is None:
            errors.append(RowError(number, "commune", _("Unknown commune “%(value)s”.") % {"value": cell("commune")}))
        digest = id_hash(nin, country=country) if nin else ""
        if digest and digest in seen:
            errors.append(RowError(number, "id_number", _("The same identity number is on line %(line)s.")
                                   % {"line": seen[digest]}))
        seen.setdefault(digest, number)
        result.errors.extend(errors)
        if not errors:
            rows.append(IdentityRecord(country=country, kind=kind, id_hash=digest, id_last_digits=last_digits(nin),
                                       full_name=name, birth_date=birth, commune=commune, source=source[:60]))
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        existing = dict(IdentityRecord.objects.filter(country=country, id_hash__in=[r.id_hash for r in rows])
                        .values_list("id_hash", "pk"))
        new = [r for r in rows if r.id_hash not in existing]
        changed = []
        for record in rows:
            if record.id_hash in existing:
                record.pk = existing[record.id_hash]
                changed.append(record)
        IdentityRecord.objects.bulk_create(new, batch_size=2000)
        IdentityRecord.objects.bulk_update(changed, ["kind", "full_name", "birth_date", "commune", "source"],
                                           batch_size=2000)
    result.created, result.updated = len(new), len(changed)
    return result


# Demo identities (fictional people, marked is_demo), for the demo loader and the browser tests. The numbers are
# 18 digits like Algeria's NIN and 10 like a Congolese card number; none is a real person's.
DEMO_IDENTITIES = (
    ("DZ", "109870123456789012", "Amina Benali", dt.date(1987, 3, 14)),
    ("DZ", "119920034567890123", "Karim Haddad", dt.date(1992, 7, 2)),
    ("DZ", "100650045678901234", "Fatma Zohra Meziane", dt.date(1965, 11, 23)),
    ("CG", "1234567890", "Grâce Mabiala", dt.date(1990, 5, 9)),
    ("CG", "2345678901", "Jean-Pierre Okemba", dt.date(1978, 1, 30)),
)


def load_demo_identities() -> int:
    made = 0
    for country, nin, name, birth in DEMO_IDENTITIES:
        _record, created = IdentityRecord.objects.get_or_create(
            country=country, id_hash=id_hash(nin, country=country),
            defaults={"id_last_digits": last_digits(nin), "full_name": name, "birth_date": birth,
                      "source": "demo", "is_demo": True})
        made += created
    return made
