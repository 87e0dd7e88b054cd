"""Importing the national identity register (all rows or none, hashed numbers) and the paper timer task."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from bawaba.hybridmail.identity import id_hash
from bawaba.hybridmail.models import IdentityRecord, LetterState

CSV = ("id_number;full_name;birth_date;kind;commune\n"
       "109870123456789012;Amina Benali;14/03/1987;person;{postcode}\n"
       "1199 2003 4567 8901 23;Karim Haddad;1992-07-02;;\n"
       "000123456;SARL Atlas;;company;\n")


def test_register_import_stores_hashes_only(tmp_path, alger_commune):
    path = tmp_path / "register.csv"
    path.write_text(CSV.format(postcode=alger_commune.postal_code), encoding="utf-8")
    out = io.StringIO()
    call_command("hybridmail_identities", str(path), "--country", "DZ", stdout=out)
    assert "3 identities added" in out.getvalue()
    amina = IdentityRecord.objects.get(id_hash=id_hash("109870123456789012"))
    assert (amina.birth_date, amina.commune, amina.id_last_digits) == (dt.date(1987, 3, 14), alger_commune, "9012")
    assert IdentityRecord.objects.get(full_name="SARL Atlas").kind == "company"
    stored = " ".join(str(v) for v in IdentityRecord.objects.values_list("id_hash", "id_last_digits", "source"))
    assert "109870123456789012" not in stored and "119920034567890123" not in stored
    # Importing again updates rather than duplicates.
    call_command("hybridmail_identities", str(path), stdout=io.StringIO())
    assert IdentityRecord.objects.count() == 3


def test_a_bad_row_stops_the_whole_import_with_a_row_report(tmp_path, db):
    path = tmp_path / "register.csv"
    path.write_text("id_number,full_name,birth_date\n111,Ok Person,1990-01-01\n,No Number,1990-01-01\n"
                    "222,Bad Date,31/02/1990\n111,Again,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 error"):
        call_command("hybridmail_identities", str(path), stderr=err)
    report = err.getvalue()
    assert "line 3, id_number" in report and "line 4, birth_date" in report and "line 5, id_number" in report
    assert not IdentityRecord.objects.exists()


def test_register_import_reads_xlsx(tmp_path, db):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["NIN", "Nom", "date_naissance"])
    sheet.append(["1234567890", "Grâce Mabiala", dt.date(1990, 5, 9)])
    path = tmp_path / "registre.xlsx"
    book.save(path)
    call_command("hybridmail_identities", str(path), "--country", "CG", stdout=io.StringIO())
    record = IdentityRecord.objects.get()
    assert record.country == "CG" and record.id_hash == id_hash("1234567890", country="CG")
    assert record.birth_date == dt.date(1990, 5, 9)


def test_the_timer_task_sends_unopened_registered_letters_to_paper(deposited, alger_centre):
    import time_machine

    from bawaba.hybridmail.tasks import sweep_unopened_letters

    assert sweep_unopened_letters.call_local() == 0  # not due yet
    with time_machine.travel(deposited.paper_due_at + dt.timedelta(minutes=1)):
        assert sweep_unopened_letters.call_local() == 1
    deposited.refresh_from_db()
    assert deposited.state == LetterState.TO_PRINT and deposited.print_centre == alger_centre


def test_the_timer_is_a_periodic_task_every_minute():
    import datetime as dt

    from huey.api import PeriodicTask

    from bawaba.hybridmail.tasks import sweep_unopened_letters

    assert issubclass(sweep_unopened_letters.task_class, PeriodicTask)
    task = sweep_unopened_letters.task_class()
    minutes = [dt.datetime(2026, 12, 6, 10, m) for m in range(60)]
    assert all(task.validate_datetime(moment) for moment in minutes)


def test_mailbox_catalogues_translate_every_string_with_the_same_placeholders():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "locale"
    pair = re.compile(r'^msgid "(.*)"\nmsgstr "(.*)"$', re.M)
    catalogues = {lang: dict(pair.findall((root / lang / "LC_MESSAGES" / "mail-box.po").read_text("utf-8")))
                  for lang in ("fr", "ar")}
    assert catalogues["fr"].keys() == catalogues["ar"].keys() and len(catalogues["fr"]) > 150
    for entries in catalogues.values():
        for msgid, msgstr in entries.items():
            assert msgstr, msgid
            assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr)), msgid
