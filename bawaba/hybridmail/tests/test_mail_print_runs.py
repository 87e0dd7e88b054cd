"""Print runs: grouping, S10 numbers, the run PDF with its 2-D codes, the manifest."""

import datetime as dt
import hashlib
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from bawaba.hybridmail import runs, vault
from bawaba.hybridmail.models import LetterState, PieceState, PrintRun


def test_run_puts_registered_letters_first_and_numbers_them(paper_letters, print_setup):
    ordinary, registered, paper = paper_letters
    result = runs.build_runs()
    assert len(result.runs) == 1 and not result.skipped
    run = result.runs[0]
    pieces = list(run.piece_set.order_by("sequence").select_related("letter"))
    assert [p.letter_id for p in pieces] == [registered.pk, ordinary.pk, paper.pk]
    registered.refresh_from_db()
    assert registered.state == LetterState.IN_RUN and registered.postal_item is not None
    item = registered.postal_item
    assert item.number.startswith("RR") and item.number.endswith("DZ") and item.status == "announced"
    assert item.recipient_name == "Amina Benali" and item.accepted_office == print_setup.office
    ordinary.refresh_from_db()
    assert ordinary.postal_item is None and ordinary.state == LetterState.IN_RUN
    # Duplex: 3 pages -> 2 sheets, 1 -> 1, 2 -> 1.
    assert [(p.first_sheet, p.sheets) for p in pieces] == [(1, 2), (3, 1), (4, 1)]
    assert run.pieces == 3 and run.sheets == 4
    assert run.reconcile_after == run.created_at + dt.timedelta(hours=48)


def test_run_pdf_starts_each_letter_on_a_new_sheet_with_a_code_on_every_sheet(paper_letters):
    run = runs.build_runs().runs[0]
    blob = (vault.root() / run.pdf_path).read_bytes()
    assert b"%PDF" not in blob[:64]  # stored encrypted
    pdf = runs.run_pdf(run)
    assert hashlib.sha256(pdf).hexdigest() == run.pdf_sha256
    reader = PdfReader(io.BytesIO(pdf))
    # 3 pages + blank back, 1 page + blank back, 2 pages: 8 page sides, 4 sheets.
    assert len(reader.pages) == 8
    texts = [page.extract_text() or "" for page in reader.pages]
    assert "Page 1" in texts[0] and "Page 3" in texts[2] and texts[3].strip() == ""
    fronts = [texts[i] for i in (0, 2, 4, 6)]
    assert [f"{run.number}|1|1/2" in fronts[0], f"{run.number}|1|2/2" in fronts[1],
            f"{run.number}|2|1/1" in fronts[2], f"{run.number}|3|1/1" in fronts[3]] == [True] * 4
    assert run.number not in texts[1]  # back pages carry no code


def _image(matrix, module=6, quiet=4):
    from PIL import Image

    size = len(matrix) + 2 * quiet
    image = Image.new("L", (size * module, size * module), 255)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                image.paste(0, ((c + quiet) * module, (r + quiet) * module, (c + quiet + 1) * module,
                                (r + quiet + 1) * module))
    return image


def test_sheet_code_is_a_datamatrix_that_decodes_to_run_piece_and_sheet():
    decode = pytest.importorskip("pylibdmtx.pylibdmtx", reason="scripts/install installs it").decode

    text = runs.code_text("R-ALGER-ABC123", 7, 1, 2)
    assert text == "R-ALGER-ABC123|7|1/2" and runs.symbology() == "datamatrix"
    matrix = runs.code_matrix(text)
    assert len(matrix) == len(matrix[0]) <= 26  # >= 0.57 mm a module in the 16 mm clear zone
    assert [d.data for d in decode(_image(matrix).convert("RGB"))] == [text.encode()]


def test_code_drawn_on_the_sheet_decodes(paper_letters):
    """The squares drawn in the run PDF's clear zone, read back from the page's content and decoded."""
    import re

    decode = pytest.importorskip("pylibdmtx.pylibdmtx", reason="scripts/install installs it").decode

    run = runs.build_runs().runs[0]
    page = PdfReader(io.BytesIO(runs.run_pdf(run))).pages[2]  # the second sheet of piece 1
    squares = [tuple(float(v) for v in m) for m in re.findall(
        rb"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re\s+f", page.get_contents().get_data())]
    squares = [s for s in squares if s[2] < 5]  # the modules (the white clear zone is 16 mm)
    module = squares[0][2]
    columns = [round(x / module) for x, _y, _w, _h in squares]
    rows = [round(-y / module) for _x, y, _w, _h in squares]
    size = max(max(columns) - min(columns), max(rows) - min(rows)) + 1
    matrix = [[False] * size for _ in range(size)]
    for c, r in zip(columns, rows, strict=True):
        matrix[r - min(rows)][c - min(columns)] = True
    assert min(x for x, *_ in squares) >= 6 * 72 / 25.4 and max(y for _x, y, *_ in squares) < 22 * 72 / 25.4
    assert [d.data for d in decode(_image(matrix).convert("RGB"))] == [f"{run.number}|1|2/2".encode()]


def test_sheet_code_falls_back_to_a_qr_code(settings):
    import segno

    settings.HYBRIDMAIL_SHEET_CODE = "qr"
    assert runs.symbology() == "qr"
    matrix = runs.code_matrix("R-ALGER-ABC123|7|1/2")
    assert matrix == [[bool(v) for v in row] for row in segno.make("R-ALGER-ABC123|7|1/2", error="m").matrix]
    assert len(matrix) <= 33


def test_runs_respect_the_piece_and_sheet_limits(settings, make_letter, print_setup):
    from bawaba.hybridmail import dispatch

    settings.HYBRIDMAIL_RUN_MAX_PIECES = 2
    for _ in range(5):
        dispatch.dispatch(make_letter("ordinary", nin=""))
    result = runs.build_runs()
    assert [r.pieces for r in result.runs] == [2, 2, 1]
    settings.HYBRIDMAIL_RUN_MAX_PIECES = 100
    settings.HYBRIDMAIL_RUN_MAX_SHEETS = 1
    for _ in range(2):
        dispatch.dispatch(make_letter("ordinary", nin=""))
    assert [r.pieces for r in runs.build_runs().runs] == [1, 1]


def test_manifest_lists_pieces_s10_and_address(paper_letters):
    run = runs.build_runs().runs[0]
    rows = run.manifest["rows"]
    assert run.manifest["pdf_sha256"] == run.pdf_sha256 and run.manifest["centre"] == "alger"
    assert run.manifest["sheet_code"]["symbology"] == runs.symbology()
    assert rows[0]["s10"].startswith("RR") and rows[1]["s10"] == ""
    assert rows[0]["address"] == ["Amina Benali", "12 rue Didouche Mourad", "16000 Alger"]
    csv_text = runs.manifest_csv(run).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("piece;letter;s10;first_sheet;sheets")
    assert rows[0]["letter"] in csv_text and f"{run.number}|1" in csv_text


def test_congo_address_without_postcode_goes_into_the_manifest(make_letter, print_setup):
    letter = make_letter("ordinary", nin="")
    letter.recipient_address = ""
    letter.recipient_quartier, letter.recipient_po_box = "Poto-Poto", "2512"
    letter.recipient_landmark = "derrière la station Total"
    letter.save()
    assert runs.address_lines(letter) == ["Amina Benali", "Poto-Poto", "BP 2512", "derrière la station Total"]


def test_registered_letter_without_a_postal_product_waits_with_a_reason(paper_letters, mail_products):
    registered = mail_products["registered"]
    registered.postal_product = None
    registered.save()
    result = runs.build_runs()
    assert paper_letters[1].reference in result.skipped
    assert result.runs[0].pieces == 2
    paper_letters[1].refresh_from_db()
    assert paper_letters[1].state == LetterState.TO_PRINT


def test_letters_of_centres_go_to_their_own_runs(paper_letters, make_letter, oran_centre):
    from bawaba.geo.models import Commune
    from bawaba.hybridmail import dispatch

    oran = Commune.objects.filter(region__country="DZ", region__code="31").exclude(postal_code="").first()
    dispatch.dispatch(make_letter("ordinary", nin="", commune=oran))
    result = runs.build_runs()
    assert sorted((r.centre.code, r.pieces) for r in result.runs) == [("alger", 3), ("oran", 1)]
    assert PrintRun.objects.count() == 2
    assert not runs.build_runs().runs  # nothing left waiting


@pytest.mark.parametrize("duplex, sheets", [(True, 2), (False, 3)])
def test_simplex_centre_prints_one_page_per_sheet(make_letter, print_setup, duplex, sheets):
    from bawaba.hybridmail import dispatch
    from bawaba.hybridmail.tests.conftest import letter_pdf

    print_setup.duplex = duplex
    print_setup.save()
    letter = make_letter("paper", nin="", pdf=letter_pdf(pages=3))
    letter.pages = 3
    letter.save()
    dispatch.dispatch(letter)
    run = runs.build_runs(now=timezone.now()).runs[0]
    assert run.sheets == sheets
    assert run.piece_set.get().state == PieceState.QUEUED


def test_letters_no_centre_covered_are_routed_once_a_centre_covers_their_commune(make_letter, print_setup):
    from bawaba.geo.models import Commune
    from bawaba.hybridmail import dispatch

    far = Commune.objects.filter(region__country="DZ", region__code="11").exclude(postal_code="").first()
    letter = make_letter("paper", nin="", commune=far)
    dispatch.dispatch(letter)
    assert not runs.build_runs().runs  # waits with no centre
    letter.refresh_from_db()
    assert letter.state == LetterState.TO_PRINT and letter.print_centre is None
    print_setup.communes.add(far)
    run = runs.build_runs().runs[0]
    assert run.centre == print_setup and run.piece_set.get().letter == letter
