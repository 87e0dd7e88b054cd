"""Bulk scan files: accepted whole or refused with the faulty lines; the postal:scans page."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from bawaba.postal import bulk
from bawaba.postal.models import TrackingEvent

pytestmark = pytest.mark.django_db


def csv_file(lines, name="scans.csv", sep=";"):
    return SimpleUploadedFile(name, "\n".join(sep.join(c) for c in lines).encode(), content_type="text/csv")


def stamp(hours_ago):
    return (timezone.now() - dt.timedelta(hours=hours_ago)).isoformat(timespec="seconds")


def test_a_file_of_thousands_of_scans_is_recorded_in_a_few_queries(poste, make_item, network):
    items = [make_item() for _ in range(3)]
    rows = [["numero", "code", "date", "bureau"]]
    for i in range(2000):
        rows.append([items[i % 3].number, "EDD", stamp(48 - i / 100), "16000-CTN"])
    few = [rows[0]] + [[items[i].number, "EMA", stamp(60), "16001"] for i in range(3)]
    with CaptureQueriesContext(connection) as small:
        assert bulk.do_import_scans(poste, csv_file(few), office=network["sorting"]).created == 3
    with CaptureQueriesContext(connection) as queries:
        report = bulk.do_import_scans(poste, csv_file(rows), office=network["sorting"])
    # Whatever the number of rows, the same statements (SQLite splits the INSERT by its limit on parameters).
    def statements(captured):
        return len([q for q in captured if not q["sql"].startswith("INSERT")])

    assert statements(queries) == statements(small) <= 14
    assert report.ok and report.created == 2000 and report.items == 3
    again = bulk.do_import_scans(poste, csv_file(rows), office=network["sorting"])
    assert again.ok and again.created == 0 and again.duplicates == 2000
    assert TrackingEvent.objects.count() == 2003


def test_one_bad_line_refuses_the_file_and_every_fault_is_named_by_line(poste, make_item, network):
    item = make_item()
    report = bulk.do_import_scans(poste, csv_file([
        ["number", "code", "occurred_at", "office_code", "latitude"],
        [item.number, "EDD", stamp(5), "16000-CTN", ""],
        ["RR473124828DZ", "EDD", stamp(4), "", ""],
        [],
        [item.number, "EDD", "yesterday", "", ""],
        [item.number, "EDD", stamp(-4), "", "91"],
        ["RR473124829CG", "EDD", stamp(3), "", ""],
        [item.number, "EMI", stamp(2), "31000-DIST", ""],
    ]), office=network["sorting"])
    assert not report.ok
    assert [(e.row, e.code) for e in report.errors] == [
        (3, "bad_check_digit"), (5, "bad_time"), (6, "bad_position"), (7, "unknown_item"), (8, "wrong_office")]
    assert not TrackingEvent.objects.exists()


def test_a_day_first_local_time_and_an_xlsx_file_are_read(poste, make_item, network):
    item = make_item()
    when = timezone.localtime(timezone.now() - dt.timedelta(hours=6)).replace(microsecond=0, second=0)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["number", "code", "occurred_at", "office_code"])
    sheet.append([item.number, "EDD", when.replace(tzinfo=None), "16000-CTN"])
    sheet.append([item.number, "EDD", when.strftime("%d/%m/%Y %H:%M"), "16000-CTN"])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("scans.xlsx", data.getvalue())
    report = bulk.do_import_scans(poste, upload)
    assert report.ok and report.created == 1 and report.duplicates == 1
    assert TrackingEvent.objects.get().occurred_at == when


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    (b"PK\x03\x04 not really a zip", "XLSX file cannot be read"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "CSV or XLSX"),
    (b"number;code\nRR1;EDD", "missing: occurred_at"),
    (b"number;code;occurred_at;colour\n", "Unknown columns"),
    (b"number;code;occurred_at\n", "no scans"),
])
def test_a_malformed_file_is_refused_with_a_reason(poste, content, message):
    with translation.override("en"), pytest.raises(bulk.FileRefused) as refused:
        bulk.do_import_scans(poste, SimpleUploadedFile("scans.csv", content))
    assert message in " ".join(refused.value.messages)


def test_a_file_too_large_is_refused_before_reading(poste, settings, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_BYTES", 100)
    with translation.override("en"), pytest.raises(bulk.FileRefused, match="larger than"):
        bulk.do_import_scans(poste, SimpleUploadedFile("scans.csv", b"number;code;occurred_at\n" + b"x" * 200))


def test_the_scans_page_records_a_file_and_shows_the_office_scans(sorter, make_item, network):
    item = make_item()
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(sorter)
    page = client.get(reverse("postal:scans"))
    assert page.status_code == 200 and "No scans yet" in page.content.decode()
    answer = client.post(reverse("postal:scans"), {"file": csv_file([
        ["number", "code", "occurred_at"], [item.number, "EDD", stamp(2)]])}, headers={"Accept-Language": "en"})
    body = answer.content.decode()
    assert answer.status_code == 200 and "1 new event recorded" in body and item.number in body
    assert TrackingEvent.objects.get().office == network["sorting"]  # the sorter's office when none is given
    refused = client.post(reverse("postal:scans"), {"file": csv_file([
        ["number", "code", "occurred_at"], ["RR473124828DZ", "EDD", stamp(2)]])})
    assert refused.status_code == 400 and "nothing was recorded" in refused.content.decode()
    arabic = client.post(reverse("postal:scans"), {"file": csv_file([
        ["number", "code", "occurred_at"], ["RR473124828DZ", "EDD", "demain"]])}, headers={"Accept-Language": "ar"})
    assert "لم يُسجَّل شيء" in arabic.content.decode() and 'dir="rtl"' in arabic.content.decode()


def test_only_sorters_and_supervisors_open_the_scans_page(clerk, postman, supervisor):
    client = Client()
    assert client.get(reverse("postal:scans")).status_code == 302
    for user, status in ((clerk, 403), (postman, 403), (supervisor, 200)):
        client.force_login(user)
        assert client.get(reverse("postal:scans")).status_code == status
