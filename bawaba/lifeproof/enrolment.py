"""Enrolment: pensioners imported from the fund's file (CSV/XLSX) with a zip of reference photos, or enrolled one
at a time at a post-office counter after an ID check; and leaving (the biometric reference is deleted).

Import columns (header names, case-insensitive; French aliases accepted):
  pension_number*, national_id*, last_name*, first_name*, last_name_ar, first_name_ar, birth_date* (YYYY-MM-DD or
  DD/MM/YYYY), phone, language (fr | ar | en), photo (file name in the zip; default <pension_number>.jpg/.jpeg/.png)
Every row is checked first (values, duplicates, the photo gives exactly one usable face); then all rows are stored
in one transaction, or none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.phones import to_e164
from bawaba.core.tabular import ImportResult, RowError, read_table

from . import audit, crypto, engine
from .models import BiometricReference, Obligation, Pensioner

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS_BYTES = 500 * 1024 * 1024
PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
ALIASES = {
    "pension_number": ["pension_number", "numero_pension", "n_pension", "pension"],
    "national_id": ["national_id", "nin", "numero_identification_nationale", "cni"],
    "last_name": ["last_name", "nom"],
    "first_name": ["first_name", "prenom", "prénom"],
    "last_name_ar": ["last_name_ar", "nom_ar", "اللقب"],
    "first_name_ar": ["first_name_ar", "prenom_ar", "prénom_ar", "الاسم"],
    "birth_date": ["birth_date", "date_naissance", "date_de_naissance"],
    "phone": ["phone", "telephone", "téléphone", "mobile"],
    "language": ["language", "langue"],
    "photo": ["photo", "photo_file", "fichier_photo"],
}
REQUIRED = ["pension_number", "national_id", "last_name", "first_name", "birth_date"]
LANGUAGES = ("fr", "ar", "en")


def face_error_message(code: str) -> str:
    return {
        "not_an_image": _("The photo is not a readable image."),
        "too_large": _("The photo has too many pixels."),
        "no_face": _("No face is seen on the photo."),
        "several_faces": _("Several faces are seen on the photo."),
        "too_small": _("The face is too small on the photo."),
        "low_quality": _("The photo is too blurred, too dark or too bright."),
    }.get(code, _("The photo cannot be used (%(code)s).") % {"code": code})


def _read_rows(data: bytes) -> list[list[str]]:
    return read_table(data, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)


def read_photos(data: bytes) -> dict[str, bytes]:
    """{file name without folders, lower-cased: bytes} of the images in a zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("The photos must be sent as one ZIP file.")) from exc
    photos, total = {}, 0
    for info in archive.infolist():
        name = info.filename.rsplit("/", 1)[-1].lower()
        if info.is_dir() or not name.endswith(PHOTO_EXTENSIONS) or name.startswith("."):
            continue
        if info.file_size > MAX_PHOTO_BYTES:
            raise ValidationError(_("The photo %(name)s is larger than 5 MB.") % {"name": name})
        total += info.file_size
        if total > MAX_PHOTOS_BYTES:
            raise ValidationError(_("The photos weigh more than 500 MB together; split the import."))
        photos[name] = archive.read(info)
    return photos


def photos_from_folder(path) -> dict[str, bytes]:
    """The same from a folder (the command line)."""
    from pathlib import Path

    folder = Path(path)
    if not folder.is_dir():
        raise NotADirectoryError(20, "Not a folder", str(folder))
    return {p.name.lower(): p.read_bytes() for p in folder.iterdir()
            if p.is_file() and p.suffix.lower() in PHOTO_EXTENSIONS and p.stat().st_size <= MAX_PHOTO_BYTES}


def _date(raw: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(raw.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _can_manage(actor, organisation) -> bool:
    from .permissions import is_fund_manager

    return actor is None or is_fund_manager(actor, organisation)


def import_pensioners(data: bytes, photos: dict[str, bytes], *, organisation, actor=None, filename: str = "",
                      now: dt.datetime | None = None) -> ImportResult:
    """Check every row (and its photo's face), then store every pensioner with the encrypted reference, or none."""
    if not _can_manage(actor, organisation):
        raise PermissionDenied(_("Only a manager of the fund can import its pensioners."))
    now = now or timezone.now()
    rows = _read_rows(data)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ValidationError(_("The first line must name the columns."))
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError(_("At most %(n)s rows per import.") % {"n": MAX_ROWS})
    header = [cell.strip().lower().replace(" ", "_").replace("-", "_") for cell in rows[0]]
    columns: dict[str, int] = {}
    for name, aliases in ALIASES.items():
        for alias in aliases:
            if alias in header:
                columns[name] = header.index(alias)
                break
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ValidationError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})

    result = ImportResult()
    existing = Pensioner.objects.filter(organisation=organisation)
    known_numbers = set(existing.values_list("pension_number", flat=True))
    known_ids = set(existing.values_list("national_id", flat=True))
    seen_numbers: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    planned = []

    def err(line, column, message):
        result.errors.append(RowError(line, column, message))

    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        result.rows += 1

        def cell(name, row=row):
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        before = len(result.errors)
        for name in REQUIRED:
            if not cell(name):
                err(line, name, _("This value is required."))
        number, national_id = cell("pension_number")[:30], cell("national_id")[:30]
        if number:
            if number in known_numbers:
                err(line, "pension_number", _("Pension %(number)s is enrolled already.") % {"number": number})
            elif number in seen_numbers:
                err(line, "pension_number", _("Pension %(number)s already appears on line %(line)s.")
                    % {"number": number, "line": seen_numbers[number]})
            seen_numbers.setdefault(number, line)
        if national_id:
            if not national_id.isdigit() or not 9 <= len(national_id) <= 18:
                err(line, "national_id", _("The national ID number is 9 to 18 digits."))
            elif national_id in known_ids:
                err(line, "national_id", _("This national ID number is enrolled already."))
            elif national_id in seen_ids:
                err(line, "national_id", _("This national ID number already appears on line %(line)s.")
                    % {"line": seen_ids[national_id]})
            seen_ids.setdefault(national_id, line)
        birth = _date(cell("birth_date")) if cell("birth_date") else None
        if cell("birth_date") and (birth is None or not dt.date(1900, 1, 1) <= birth <= now.date()):
            err(line, "birth_date", _("“%(value)s” is not a birth date (YYYY-MM-DD or DD/MM/YYYY).")
                % {"value": cell("birth_date")[:20]})
        phone = ""
        if cell("phone"):
            try:
                phone = to_e164(cell("phone"))
            except ValidationError as exc:
                err(line, "phone", " ".join(exc.messages))
        language = (cell("language") or "fr").lower()[:2]
        if language not in LANGUAGES:
            err(line, "language", _("The language is fr, ar or en."))
        photo_name = cell("photo").lower()
        candidates = [photo_name] if photo_name else [number.lower() + ext for ext in PHOTO_EXTENSIONS]
        photo = next((photos[name] for name in candidates if name in photos), None)
        template = None
        if photo is None:
            err(line, "photo", _("No photo %(name)s in the photos sent.") % {"name": candidates[0]})
        elif len(result.errors) == before:  # the face is computed only for an otherwise good row (CPU)
            try:
                template = engine.compute_template(photo)
            except engine.FaceError as exc:
                err(line, "photo", face_error_message(exc.code))
        if len(result.errors) == before:
            planned.append({"line": line, "pension_number": number, "national_id": national_id,
                            "first_name": cell("first_name")[:80], "last_name": cell("last_name")[:80],
                            "first_name_ar": cell("first_name_ar")[:80], "last_name_ar": cell("last_name_ar")[:80],
                            "birth_date": birth, "phone": phone, "language": language, "photo": photo,
                            "template": template})
    if result.rows == 0:
        raise ValidationError(_("The file has no data rows."))
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, e.column))
        return result
    try:
        with transaction.atomic():
            from .proofs import add_to_open_campaigns

            for entry in planned:
                pensioner = _store(entry, organisation=organisation, actor=actor, via="import", now=now)
                add_to_open_campaigns(pensioner, now=now)
            audit.event("pensioners.imported", organisation=organisation, actor=actor, at=now,
                        file=filename[:200], pensioners=len(planned))
    except IntegrityError:
        result.errors.append(RowError(0, "-", _("Another import stored some of these pensioners at the same "
                                                "moment: nothing was imported; send the file again.")))
        return result
    result.created = len(planned)
    return result


def _store(entry: dict, *, organisation, actor, via: str, now) -> Pensioner:
    pensioner = Pensioner.objects.create(
        organisation=organisation, pension_number=entry["pension_number"], national_id=entry["national_id"],
        first_name=entry["first_name"], last_name=entry["last_name"], first_name_ar=entry["first_name_ar"],
        last_name_ar=entry["last_name_ar"], birth_date=entry["birth_date"], phone=entry["phone"],
        language=entry["language"], enrolled_via=via, enrolled_at=now)
    store_reference(pensioner, entry["photo"], entry["template"], source=via, actor=actor, now=now)
    return pensioner


def store_reference(pensioner, photo: bytes, template, *, source: str, actor, now) -> BiometricReference:
    reference, _created = BiometricReference.objects.update_or_create(pensioner=pensioner, defaults={
        "photo": crypto.encrypt(photo), "template": crypto.encrypt(engine.template_to_bytes(template)),
        "photo_sha256": hashlib.sha256(photo).hexdigest(), "source": source, "created_at": now,
        "created_by": actor if getattr(actor, "pk", None) else None})
    audit.access(pensioner, action="write", data="photo", purpose=f"enrolment:{source}", user=actor, at=now)
    audit.access(pensioner, action="write", data="template", purpose=f"enrolment:{source}", user=actor, at=now)
    return reference


def do_enrol_at_counter(*, organisation, clerk, id_checked: bool, photo: bytes, values: dict,
                        now: dt.datetime | None = None) -> Pensioner:
    """A clerk enrols one pensioner after checking their ID card; the photo is taken at the counter."""
    from .permissions import is_counter_clerk

    if not is_counter_clerk(clerk):
        raise PermissionDenied(_("Only a counter clerk can enrol a pensioner."))
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if not id_checked:
        errors["id_checked"] = [_("Check the pensioner's ID card first.")]
    number = (values.get("pension_number") or "").strip()[:30]
    national_id = (values.get("national_id") or "").strip()[:30]
    for name in ("pension_number", "national_id", "first_name", "last_name", "birth_date"):
        if not values.get(name):
            errors[name] = [_("This value is required.")]
    if national_id and (not national_id.isdigit() or not 9 <= len(national_id) <= 18):
        errors["national_id"] = [_("The national ID number is 9 to 18 digits.")]
    existing = Pensioner.objects.filter(organisation=organisation)
    if number and existing.filter(pension_number=number).exists():
        errors["pension_number"] = [_("Pension %(number)s is enrolled already.") % {"number": number}]
    if national_id and existing.filter(national_id=national_id).exists():
        errors["national_id"] = [_("This national ID number is enrolled already.")]
    birth = values.get("birth_date")
    if isinstance(birth, str):
        birth = _date(birth)
        if birth is None:
            errors["birth_date"] = [_("Enter a date.")]
    phone = ""
    if values.get("phone"):
        try:
            phone = to_e164(values["phone"])
        except ValidationError as exc:
            errors["phone"] = exc.messages
    template = None
    try:
        template = engine.compute_template(photo)
    except engine.FaceError as exc:
        errors["photo"] = [face_error_message(exc.code)]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pensioner = _store({"pension_number": number, "national_id": national_id,
                            "first_name": values["first_name"][:80], "last_name": values["last_name"][:80],
                            "first_name_ar": (values.get("first_name_ar") or "")[:80],
                            "last_name_ar": (values.get("last_name_ar") or "")[:80], "birth_date": birth,
                            "phone": phone, "language": values.get("language") or "fr", "photo": photo,
                            "template": template}, organisation=organisation, actor=clerk, via="counter", now=now)
        audit.event("pensioner.enrolled", organisation=organisation, pensioner=pensioner, actor=clerk, at=now,
                    via="counter", id_checked=True)
    return pensioner


def do_pensioner_leaves(pensioner: Pensioner, *, actor=None, reason: str = "", now=None) -> Pensioner:
    """The pensioner is no longer enrolled: the reference photo and template are deleted, open proofs cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        pensioner = Pensioner.objects.select_for_update().get(pk=pensioner.pk)
        deleted = BiometricReference.objects.filter(pensioner=pensioner).delete()[0]
        if deleted:
            audit.access(pensioner, action="delete", data="photo", purpose="leaving", user=actor, at=now)
            audit.access(pensioner, action="delete", data="template", purpose="leaving", user=actor, at=now)
        Obligation.objects.filter(pensioner=pensioner, status=Obligation.Status.DUE).update(
            status=Obligation.Status.CANCELLED)
        pensioner.status, pensioner.left_at = Pensioner.Status.LEFT, now
        pensioner.save(update_fields=["status", "left_at"])
        audit.event("pensioner.left", organisation=pensioner.organisation, pensioner=pensioner, actor=actor, at=now,
                    reason=reason[:200])
    return pensioner
