"""Importing the postal network: a good file, a file with wrong rows (nothing stored), XLSX, re-imports, scope."""

import csv
import io

import pytest
from django.core.management import call_command

from bawaba.postal.models import Office
from bawaba.postal.network import import_offices, offices_as_rows, parse_hours


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the source strings); the platform's default language is French."""
    from django.utils import translation

    with translation.override("en"):
        yield


GOOD = """code;kind;name_fr;name_ar;region;commune;latitude;longitude;hours;services;parent;impc
16000-CT;centre_de_tri;Centre de tri d'Alger;مركز الفرز;16;;36.7538;3.0588;sun-thu 07:00-19:00;;;
16000-RP;bureau_de_poste;Alger RP;بريد الجزائر المركزي;16;16000;36.7731;3.0595;\
"sun-thu 08:00-12:00,13:00-16:30; sat 08:00-12:00";registered|parcels|ems|pickup;16000-CT;
16000-OE;exchange_office;Bureau d'échange d'Alger;;16;16000;;;;;16000-CT;
31000-DIST;distribution;Distribution d'Oran;;Oran;;;;;;16000-CT;
"""


def upload(text: str, name="offices.csv"):
    data = io.BytesIO(text.encode("utf-8"))
    data.name = name
    return data


def test_a_good_file_creates_the_network_with_parents_hours_and_services(poste):
    result = import_offices(upload(GOOD), organisation=poste)
    assert (result.ok, result.rows, result.created, result.updated) == (True, 4, 4, 0)
    rp = Office.objects.get(organisation=poste, code="16000-RP")
    assert rp.kind == "post_office" and rp.parent.code == "16000-CT" and rp.commune.postal_code == "16000"
    assert rp.hours["sun"] == [["08:00", "12:00"], ["13:00", "16:30"]] and rp.hours["sat"] == [["08:00", "12:00"]]
    assert "fri" not in rp.hours
    assert rp.services == ["registered", "parcels", "ems", "pickup"] and rp.name_ar == "بريد الجزائر المركزي"
    assert Office.objects.get(code="31000-DIST").region.code == "31"


def test_a_file_with_wrong_rows_stores_nothing_and_names_each_row(poste):
    bad = GOOD + ("X1;castle;Château;;99;;;;;;;\n"
                  "X2;post_office;Mauvais;;16;31000;95;3;mon 18:00-08:00;stamps;NOPE;ZZ12\n"
                  "16000-RP;post_office;Doublon;;16;;;;;;;\n")
    result = import_offices(upload(bad), organisation=poste)
    assert not result.ok and Office.objects.count() == 0
    found = {(e.row, e.column) for e in result.errors}
    assert {(6, "kind"), (6, "region"), (7, "commune"), (7, "latitude"), (7, "hours"), (7, "services"),
            (7, "impc"), (8, "code")} <= found
    assert (7, "parent") not in found  # a row already wrong is not checked further
    messages = {e.column: e.message for e in result.errors if e.row == 7}
    assert messages["commune"] == "Commune “31000” is not in region Algiers."


def test_an_unknown_parent_or_one_that_is_not_a_sorting_centre_is_refused(poste):
    text = ("code,kind,name_fr,region,parent\nA,post_office,A,16,B\nB,post_office,B,16,\n"
            "C,post_office,C,16,NOWHERE\n")
    result = import_offices(upload(text), organisation=poste)
    assert [(e.row, e.column) for e in result.errors] == [(2, "parent"), (4, "parent")]
    assert Office.objects.count() == 0


def test_an_xlsx_file_is_read_and_a_second_import_updates(poste):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in csv.reader(io.StringIO(GOOD.strip()), delimiter=";"):
        sheet.append(row)
    sheet.append(["CG-X", "post_office", "Faux", "", "16", 16000, 36.7, 3.05, "", "", "", ""])  # numbers as cells
    data = io.BytesIO()
    workbook.save(data)
    result = import_offices(io.BytesIO(data.getvalue()), organisation=poste)
    assert result.ok, result.errors
    assert result.created == 5 and Office.objects.get(code="CG-X").commune.postal_code == "16000"
    again = import_offices(upload(GOOD.replace("Alger RP", "Alger Grande Poste")), organisation=poste)
    assert (again.created, again.updated) == (0, 4)
    assert Office.objects.get(code="16000-RP").name_fr == "Alger Grande Poste"


def test_congolese_departments_are_named_by_code_or_name(sopeco):
    text = "code;kind;name_fr;region\nBZV-RP;post_office;Brazzaville RP;CG-BZV\nPNR-RP;post_office;PN RP;Pointe-Noire\n"
    result = import_offices(upload(text), organisation=sopeco)
    assert result.ok and set(Office.objects.values_list("region__code", flat=True)) == {"CG-BZV", "CG-16"}


def test_missing_columns_or_an_empty_file_are_one_clear_error(poste):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Missing columns: kind, region"):
        import_offices(upload("code;name_fr\nA;B\n"), organisation=poste)
    with pytest.raises(ValidationError, match="empty"):
        import_offices(upload(""), organisation=poste)


def test_a_region_supervisor_imports_offices_of_their_region_only(poste, supervisor):
    result = import_offices(upload(GOOD), organisation=poste, actor=supervisor)  # posted in Alger (16)
    assert [(e.row, e.column) for e in result.errors] == [(5, "region")]


def test_hours_are_read_in_french_or_english_and_wrap_the_week():
    assert parse_hours("jeu-dim 08:00-12:00") == {d: [["08:00", "12:00"]] for d in ("thu", "fri", "sat", "sun")}
    assert parse_hours("sam 08h00-12h00") == {"sat": [["08:00", "12:00"]]}
    assert parse_hours("sun 16:00-08:00") is None and parse_hours("whenever") is None


def test_an_export_imports_back_unchanged(poste):
    import_offices(upload(GOOD), organisation=poste)
    rows = offices_as_rows(Office.objects.filter(organisation=poste).order_by("code"))
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    text = out.getvalue()
    result = import_offices(upload(text), organisation=poste)
    assert result.ok and result.updated == 4


def test_the_command_imports_or_lists_the_wrong_lines(poste, tmp_path, capsys):
    good = tmp_path / "network.csv"
    good.write_text(GOOD, encoding="utf-8")
    call_command("postal", "import-network", str(good), "--post", "algerie-poste")
    assert "4 rows: 4 offices created, 0 updated" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("code;kind;name_fr;region\nZ;castle;Z;16\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        call_command("postal", "import-network", str(bad), "--post", "algerie-poste")
    assert exit_.value.code == 1
    assert "line 2, kind: Unknown kind “castle”" in capsys.readouterr().err
