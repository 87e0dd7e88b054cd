"""CSV/XLSX import: row-level errors, nothing half-imported."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from bawaba.deployments.models import Site, WorkItem, WorkOrder
from bawaba.deployments.work.importing import import_work_orders

pytestmark = pytest.mark.django_db

HEADER = "site_code;site_kind;site_name;wilaya;commune;latitude;longitude;homes;work_order;due_on;items\n"
GOOD = (
    "A-100;building;Cité 100 logements;16;16000;36.7500;3.0500;24;WO-A100;2026-12-31;SRV-01:1| GC-01:35\n"
    'A-101;home;Villa 3;16;;36.7510;3.0510;;WO-A101;31/12/2026;"SRV-01:1;DRP-01:1;ONT-01:1"\n'
    "H-1;hospital;CHU;09;;36.4700;2.8300;;WO-H1;;SITE-SRV:1|SITE-CNX:1|SITE-WIFI:4\n"
)


def upload(text, name="orders.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"))


def counts():
    return Site.objects.count(), WorkOrder.objects.count(), WorkItem.objects.count()


def test_good_csv_creates_sites_orders_and_items(world):
    before = counts()
    result = import_work_orders(upload(HEADER + GOOD), contract=world.contract, actor=world.inspector)
    assert result.ok, result.errors
    assert (result.created_sites, result.created_work_orders, result.created_items) == (3, 3, 8)
    assert counts() == (before[0] + 3, before[1] + 3, before[2] + 8)
    order = WorkOrder.objects.get(reference="WO-A101")
    assert order.kind == "ftth" and order.due_on.isoformat() == "2026-12-31"
    assert order.site.region.code == "16"
    hospital = WorkOrder.objects.get(reference="WO-H1")
    assert hospital.kind == "site" and hospital.items.get(price_item__code="SITE-WIFI").planned_quantity == 4
    assert Site.objects.get(code="A-100").homes == 24
    assert Site.objects.get(code="A-100").commune.postal_code == "16000"


def test_any_bad_row_gives_row_errors_and_stores_nothing(world):
    before = counts()
    bad = (
        "B-1;castle;X;16;;36.75;3.05;;WO-B1;;SRV-01:1\n"            # unknown kind
        "B-2;home;X;31;;36.75;3.05;;WO-B2;;SRV-01:1\n"              # Oran: not in the contract
        "B-3;home;X;16;;91;3.05;;WO-B3;;SRV-01:1\n"                 # latitude
        "B-4;home;X;16;;36.75;3.05;;WO-A100;;SRV-01:1\n"            # duplicate reference in file
        "B-5;home;X;16;;36.75;3.05;;WO-B5;2026-13-45;XXX-9:1\n"     # bad date, unknown item
        "B-6;home;X;16;;36.75;3.05;;WO-0001;;SRV-01:0\n"            # existing reference, zero quantity
        "B-7;home;X;16;Nowhere;36.75;3.05;;WO-B7;;SRV-01:1\n"       # unknown commune
        "B-8;home;X;16;;36.75;3.05;;WO-B8;;SRV-01:1;GC-01:3\n"      # unquoted separator inside items
    )
    with translation.override("en"):
        result = import_work_orders(upload(HEADER + GOOD + bad), contract=world.contract)
    assert not result.ok
    assert counts() == before
    found = {(e.row, e.column) for e in result.errors}
    assert {(5, "site_kind"), (6, "wilaya"), (7, "latitude"), (8, "work_order"), (9, "due_on"), (9, "items"),
            (10, "items"), (10, "work_order"), (11, "commune"), (12, "-")} <= found
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert messages[(6, "wilaya")] == "Wilaya “31” is not part of contract CT-2026-001."
    assert messages[(8, "work_order")] == "Work order WO-A100 already appears on line 2."
    assert messages[(10, "work_order")] == "Work order WO-0001 exists already."


def test_xlsx_with_one_column_per_price_item(world):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Site code", "Site kind", "Wilaya", "Latitude", "Longitude", "Work order", "SRV-01", "GC-01",
                  "CAB-01"])
    sheet.append(["X-1", "home", 16, 36.75, 3.05, "WO-X1", 1, 12.5, None])
    sheet.append(["X-2", "home", "16", 36.76, 3.06, "WO-X2", 1, None, 200])
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_work_orders(SimpleUploadedFile("o.xlsx", buffer.getvalue()), contract=world.contract)
    assert result.ok, result.errors
    assert result.created_items == 4
    assert WorkOrder.objects.get(reference="WO-X1").items.get(price_item__code="GC-01").planned_quantity == 12.5


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Old Excel files (.xls) are not supported"),
    (b"PK\x03\x04broken zip", "The XLSX file cannot be read."),
    (b"foo;bar\n1;2\n", "Missing columns: site_code"),
    (HEADER.encode(), "The file has no data rows."),
])
def test_unreadable_files_are_refused_clearly(world, content, message):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        import_work_orders(SimpleUploadedFile("f.csv", content), contract=world.contract)
    assert message in caught.value.messages[0]


def test_contractors_cannot_import(world):
    with pytest.raises(PermissionDenied):
        import_work_orders(upload(HEADER + GOOD), contract=world.contract, actor=world.worker)


def test_management_command_reports_row_errors(world, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD, encoding="utf-8")
    call_command("fibre_import", "CT-2026-001", str(good))
    assert "3 work orders, 8 items, 3 new sites" in capsys.readouterr().out
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("fibre_import", "CT-2026-001", str(good))  # same references again
    assert "existe déjà" in capsys.readouterr().err
