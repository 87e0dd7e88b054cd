import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bawaba.lifeproof import crypto
from bawaba.lifeproof.enrolment import do_enrol_at_counter, do_pensioner_leaves, import_pensioners
from bawaba.lifeproof.models import BiometricAccess, BiometricReference, Obligation, Pensioner

from .conftest import OTHER_PORTRAIT, PORTRAIT, portrait

pytestmark = pytest.mark.django_db


def _zip(files: dict[str, bytes]) -> dict[str, bytes]:
    from bawaba.lifeproof.enrolment import read_photos

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return read_photos(buffer.getvalue())


CSV = ("numero_pension;nin;nom;prenom;nom_ar;prenom_ar;date_naissance;telephone;langue\n"
       "100001;109850000000000001;Kaptur;Marcy;كابتور;مارسي;17/06/1946;0550 10 00 01;fr\n"
       "100002;109850000000000002;King;Angus;كينغ;أنغوس;1944-03-31;0661 22 33 44;ar\n").encode()


def test_import_enrols_each_row_with_an_encrypted_reference_and_audits_it(cnr, cnr_manager):
    photos = _zip({"photos/100001.jpg": portrait(PORTRAIT), "photos/100002.JPG": portrait(OTHER_PORTRAIT)})

    result = import_pensioners(CSV, photos, organisation=cnr, actor=cnr_manager, filename="cnr.csv")

    assert result.ok and result.created == 2
    arabic = Pensioner.objects.get(pension_number="100002")
    assert (arabic.last_name_ar, arabic.language, arabic.phone) == ("كينغ", "ar", "+213661223344")
    reference = BiometricReference.objects.get(pensioner=arabic)
    assert portrait(OTHER_PORTRAIT) not in bytes(reference.photo)  # encrypted at rest
    assert crypto.decrypt(reference.photo) == portrait(OTHER_PORTRAIT)
    assert set(BiometricAccess.objects.filter(pensioner=arabic).values_list("action", "data")) == {
        ("write", "photo"), ("write", "template")}


def test_import_with_a_bad_row_stores_nothing_and_reports_every_row(cnr, cnr_manager):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["pension_number", "national_id", "last_name", "first_name", "birth_date", "phone", "photo"])
    sheet.append(["100001", "109850000000000001", "Kaptur", "Marcy", "1946-06-17", "0550100001", ""])
    sheet.append(["100002", "12AB", "King", "Angus", "31/02/1944", "12", ""])
    sheet.append(["100001", "109850000000000003", "Chu", "Judy", "1953-07-07", "", "missing.jpg"])
    sheet.append(["100004", "109850000000000004", "Text", "Not", "1950-01-01", "", "notes.png"])
    data = io.BytesIO()
    workbook.save(data)
    photos = _zip({"100001.jpg": portrait(PORTRAIT), "notes.png": b"not an image at all"})

    result = import_pensioners(data.getvalue(), photos, organisation=cnr, actor=cnr_manager)

    assert not result.ok and result.created == 0
    by_row = {(e.row, e.column) for e in result.errors}
    assert {(3, "national_id"), (3, "birth_date"), (3, "phone"), (4, "pension_number"), (4, "photo"),
            (5, "photo")} <= by_row
    assert (2, "photo") not in by_row  # the good row's face was computed and accepted
    assert not Pensioner.objects.exists() and not BiometricReference.objects.exists()


def test_only_the_funds_manager_imports(cnr, cnas, cnr_reviewer, funds):
    from bawaba.accounts.models import User

    with pytest.raises(PermissionDenied):
        import_pensioners(CSV, {}, organisation=cnr, actor=cnr_reviewer)
    with pytest.raises(PermissionDenied):
        import_pensioners(CSV, {}, organisation=cnas, actor=User.objects.get(username="cnr.manager"))


def test_counter_enrolment_needs_the_id_check_and_a_face(cnr, clerk):
    values = {"pension_number": "300001", "national_id": "109850000000000031", "first_name": "Judy",
              "last_name": "Chu", "birth_date": "1953-07-07", "phone": "0550 30 00 01", "language": "ar"}
    with pytest.raises(ValidationError) as refused:
        do_enrol_at_counter(organisation=cnr, clerk=clerk, id_checked=False, photo=b"GIF89a nope", values=values)
    assert {"id_checked", "photo"} <= set(refused.value.message_dict)
    assert not Pensioner.objects.exists()

    pensioner = do_enrol_at_counter(organisation=cnr, clerk=clerk, id_checked=True,
                                    photo=portrait("chu_judy_020955.jpg"), values=values)
    assert pensioner.enrolled_via == "counter" and pensioner.reference.created_by == clerk


def test_a_pensioner_who_leaves_loses_the_template_and_open_proofs(obligation, cnr_manager):
    pensioner = obligation.pensioner
    do_pensioner_leaves(pensioner, actor=cnr_manager, reason="deceased")
    pensioner.refresh_from_db()
    assert pensioner.status == Pensioner.Status.LEFT
    assert not BiometricReference.objects.filter(pensioner=pensioner).exists()
    assert Obligation.objects.get(pk=obligation.pk).status == Obligation.Status.CANCELLED
    assert BiometricAccess.objects.filter(pensioner=pensioner, action="delete", data="template").exists()
