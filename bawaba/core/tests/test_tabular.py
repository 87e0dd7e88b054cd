"""Every import reads its file through bawaba.core.tabular: encodings detected, never garbled."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from bawaba.core.tabular import read_table

LIMITS = {"max_bytes": 1024 * 1024, "max_rows": 100}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1256"])
def test_arabic_text_is_read_in_each_encoding_excel_saves(encoding):
    text = "code;nom_ar\n16001;مكتب بريد الجزائر الرئيسي\n"
    assert read_table(text.encode(encoding), **LIMITS) == [["code", "nom_ar"], ["16001", "مكتب بريد الجزائر الرئيسي"]]


def test_french_text_in_windows_1252_keeps_its_accents():
    assert read_table("nom,commune\nRecette principale,Béjaïa\n".encode("cp1252"), **LIMITS)[1] == [
        "Recette principale", "Béjaïa"]


def test_a_file_mixing_arabic_and_french_code_pages_is_refused_not_garbled():
    data = b"a;b\n" + "مكتب".encode("cp1256") + b";" + "École".encode("cp1252") + b"\n"
    with translation.override("en"), pytest.raises(ValidationError, match="Windows-1256"):
        read_table(data, **LIMITS)


def test_xlsx_cells_become_text_as_people_typed_them():
    book = openpyxl.Workbook()
    book.active.append(["postcode", "opened", "at", "hour"])
    book.active.append([9002.0, dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 14, 5), dt.time(8, 30)])
    data = io.BytesIO()
    book.save(data)
    assert read_table(data.getvalue(), **LIMITS)[1] == ["9002", "2026-03-01", "2026-03-01", "08:30"]
    assert read_table(data.getvalue(), **LIMITS, datetimes="datetime")[1][2] == "2026-03-01 14:05:00"


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"x" * (1024 * 1024 + 1), "larger than"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 10, ".xls"),
    (b"PK\x03\x04 broken", "cannot be read"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV or XLSX"),
])
def test_what_is_not_a_table_is_refused_with_a_reason(data, reason):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        read_table(data, **LIMITS)
    assert reason in " ".join(refused.value.messages)
