"""Print runs: the letters waiting at a print centre, gathered into one imposition-ready PDF with its manifest
(docs/hybrid-mail-print.md, "Print runs").

- `build_runs()` (a Huey periodic job, and the supervisor's button) takes the letters in "to print" of each
  active centre — registered letters first, then the oldest — and cuts them into runs of at most
  HYBRIDMAIL_RUN_MAX_PIECES letters and HYBRIDMAIL_RUN_MAX_SHEETS sheets.
- A registered letter gets its S10 number there, drawn from the post's ranges for the product's postal product
  at the centre's post office (bawaba.postal.numbering), and a postal Item (announced; the posting event EMA is
  recorded when the centre hands the letter to the post), so it enters track and trace. A reprint keeps the
  number: it is the same letter.
- The run's PDF is the letters' own PDFs (decrypted from the vault) one after the other; when the centre prints
  both sides a blank back page follows a letter with an odd number of pages, so that every letter starts on a
  new sheet. Every sheet's front carries a 2-D code (DataMatrix with pylibdmtx and libdmtx0b, else QR with
  segno) in the clear zone at the bottom left:
  ``<run>|<piece>|<sheet>/<sheets>`` — what an inserting machine reads to gather a letter's sheets, and what the
  centre scans to report the piece. The PDF's SHA-256 is kept; the PDF itself is stored encrypted in the vault.
- Letters move "to print" → "in a run" in the same transaction; a letter another process moved meanwhile is
  left out (its piece is not created).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from . import lifecycle, references, vault
from .models import Letter, LetterState, PieceState, PrintCentre, PrintPiece, PrintRun, SenderProfile

log = logging.getLogger(__name__)


def max_pieces() -> int:
    return int(getattr(settings, "HYBRIDMAIL_RUN_MAX_PIECES", 500))


def max_sheets() -> int:
    return int(getattr(settings, "HYBRIDMAIL_RUN_MAX_SHEETS", 2000))


def reconcile_delay() -> dt.timedelta:
    """How long a centre has to report every piece of a run before the missing ones are printed again."""
    return dt.timedelta(hours=int(getattr(settings, "HYBRIDMAIL_RECONCILE_HOURS", 48)))


# The clear zone of the 2-D code, bottom left of each sheet's front (millimetres from the page's edges). A letter
# must leave it blank, as it leaves the envelope window for the address.
CODE_X_MM, CODE_Y_MM, CODE_SIZE_MM = 6, 6, 16


def sheets_of(pages: int, duplex: bool) -> int:
    return (pages + 1) // 2 if duplex else pages


def code_text(run_number: str, sequence: int, sheet: int, sheets: int) -> str:
    return f"{run_number}|{sequence}|{sheet}/{sheets}"


@dataclass
class BuildResult:
    runs: list[PrintRun] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # letter reference -> why it waits
    cache: dict = field(default_factory=dict, repr=False)  # delivery offices, return addresses: once per build


def waiting_letters(centre: PrintCentre):
    """Letters of the centre waiting to be printed: registered first, then in the order they came."""
    return (Letter.objects.filter(print_centre=centre, state=LetterState.TO_PRINT)
            .select_related("product", "product__postal_product", "sender", "recipient_commune", "operator")
            .annotate(registered_first=Case(When(product__registered=True, then=Value(0)), default=Value(1),
                                            output_field=IntegerField()))
            .order_by("registered_first", "to_print_at", "pk"))


def route_waiting(*, operator=None, limit: int = 5000) -> int:
    """Letters waiting to be printed with no centre (none covered their commune when they went to paper) are
    routed again: a centre may cover the commune since. Not a change of state, only of the centre."""
    from .dispatch import centre_for

    waiting = Letter.objects.filter(state=LetterState.TO_PRINT, print_centre=None).select_related(
        "recipient_commune")
    if operator is not None:
        waiting = waiting.filter(operator=operator)
    routed = 0
    for letter in waiting.order_by("to_print_at", "pk")[:limit]:
        centre = centre_for(letter)
        if centre is not None:
            routed += Letter.objects.filter(pk=letter.pk, state=LetterState.TO_PRINT, print_centre=None).update(
                print_centre=centre)
    return routed


def build_runs(*, now: dt.datetime | None = None, centre: PrintCentre | None = None) -> BuildResult:
    now = now or timezone.now()
    result = BuildResult()
    if centre is None:
        route_waiting()
    centres = [centre] if centre is not None else list(PrintCentre.objects.filter(is_active=True).order_by("pk"))
    for one in centres:
        while True:
            chunk = _next_chunk(one, exclude=set(result.skipped))
            if not chunk:
                break
            run = build_run(one, chunk, now=now, result=result)
            if run is None:
                break
            result.runs.append(run)
    return result


def plan_runs(centre: PrintCentre) -> list[list[int]]:
    """Every letter waiting at the centre, cut into runs as `build_runs` cuts them (ids, in run order): what
    `queue_runs` hands to the workers, one task per run."""
    plan, chunk, sheets = [], [], 0
    for pk, pages in waiting_letters(centre).values_list("pk", "pages").iterator(chunk_size=5000):
        letter_sheets = sheets_of(pages or 1, centre.duplex)
        if chunk and (len(chunk) >= max_pieces() or sheets + letter_sheets > max_sheets()):
            plan.append(chunk)
            chunk, sheets = [], 0
        chunk.append(pk)
        sheets += letter_sheets
    if chunk:
        plan.append(chunk)
    return plan


def queue_runs(*, centre: PrintCentre | None = None) -> int:
    """Build the runs in the task queue, one task per run (tasks_print.build_print_run), so that the Huey
    workers build several runs at once — of one centre or of several: each run locks only its own letters, and
    the S10 range only while it draws its block. A letter planned twice (a second pass while the first one's
    tasks still wait) is built once: the second task finds it "in a run" and leaves it out. Returns the number
    of tasks queued."""
    from .tasks_print import build_print_run

    if centre is None:
        route_waiting()
    centres = [centre] if centre is not None else list(PrintCentre.objects.filter(is_active=True).order_by("pk"))
    queued = 0
    for one in centres:
        for ids in plan_runs(one):
            build_print_run(one.pk, ids)
            queued += 1
    return queued


def build_planned_run(centre_id: int, letter_ids: list[int], *, now: dt.datetime | None = None) -> BuildResult:
    """One planned run (a task of `queue_runs`): the letters of `letter_ids` still waiting at the centre."""
    result = BuildResult()
    centre = PrintCentre.objects.filter(pk=centre_id, is_active=True).first()
    if centre is None:
        return result
    letters = list(waiting_letters(centre).filter(pk__in=letter_ids))
    if letters:
        run = build_run(centre, letters, now=now or timezone.now(), result=result)
        if run is not None:
            result.runs.append(run)
    return result


def _next_chunk(centre: PrintCentre, *, exclude: set[str]) -> list[Letter]:
    chunk, sheets = [], 0
    for letter in waiting_letters(centre).exclude(reference__in=exclude)[: max_pieces() * 2]:
        letter_sheets = sheets_of(letter.pages or 1, centre.duplex)
        if chunk and (len(chunk) >= max_pieces() or sheets + letter_sheets > max_sheets()):
            break
        chunk.append(letter)
        sheets += letter_sheets
    return chunk


def build_run(centre: PrintCentre, letters: list[Letter], *, now: dt.datetime,
              result: BuildResult | None = None) -> PrintRun | None:
    """One run of these letters (all of `centre`, in "to print"); None when none of them could go in."""
    result = result if result is not None else BuildResult()
    number = references.run_reference(centre.code)
    # S10 numbers first, in their own short transaction: drawing one locks the post's number range until commit,
    # and the counters of the centre's office must not wait for a run's PDF to be built.
    needing = [letter.pk for letter in letters if letter.product.registered and letter.postal_item_id is None]
    if needing:
        order = {pk: index for index, pk in enumerate(needing)}
        with transaction.atomic():
            locked = sorted(Letter.objects.select_for_update(of=("self",)).filter(
                pk__in=needing, state=LetterState.TO_PRINT, print_centre=centre, postal_item=None)
                .select_related("product__postal_product", "sender", "operator", "recipient_commune")
                .order_by("pk"),  # rows locked in one order: two workers on overlapping plans cannot deadlock
                key=lambda letter: order[letter.pk])
            result.skipped.update(_give_s10_many(locked, centre, now=now, cache=result.cache))
    with transaction.atomic():
        locked = {letter.pk: letter for letter in Letter.objects.select_for_update(of=("self",)).filter(
            pk__in=[letter.pk for letter in letters], state=LetterState.TO_PRINT, print_centre=centre)
            .select_related("product", "postal_item", "recipient_commune").order_by("pk")}
        chosen: list[tuple[Letter, bytes]] = []
        for listed in letters:
            letter = locked.get(listed.pk)
            if letter is None:
                continue  # moved by another process since we listed it
            if letter.product.registered and letter.postal_item_id is None:
                result.skipped.setdefault(letter.reference, "no S10 number")
                continue
            try:
                pdf = vault.load(letter.content_path, bound_to=letter.reference)
            except (OSError, vault.VaultError) as exc:
                result.skipped[letter.reference] = f"content: {exc}"
                log.error("letter %s cannot be printed: %s", letter.reference, exc)
                continue
            chosen.append((letter, pdf))
        if not chosen:
            return None
        pdf_bytes, layout = compose(number, [pdf for _letter, pdf in chosen], duplex=centre.duplex)
        run = PrintRun.objects.create(
            centre=centre, number=number, pieces=len(chosen), sheets=layout.total_sheets,
            pdf_sha256=hashlib.sha256(pdf_bytes).hexdigest(), created_at=now,
            reconcile_after=now + reconcile_delay())
        pieces = []
        ids = [letter.pk for letter, _pdf in chosen]
        earlier = Counter(PrintPiece.objects.filter(letter_id__in=ids).values_list("letter_id", flat=True))
        # Earlier pieces that failed or went missing are replaced by these: a late report of them is refused.
        PrintPiece.objects.filter(letter_id__in=ids, state__in=[PieceState.FAILED, PieceState.MISSING]).update(
            state=PieceState.SUPERSEDED)
        for sequence, ((letter, _pdf), (first_sheet, sheets)) in enumerate(zip(chosen, layout.pieces, strict=True),
                                                                           start=1):
            attempt = 1 + earlier[letter.pk]
            pieces.append(PrintPiece(run=run, letter=letter, attempt=attempt, sequence=sequence,
                                     first_sheet=first_sheet, sheets=sheets))
        # The letters are locked above and still "to print": one UPDATE per sheet count, not one per letter.
        lifecycle.move_locked([letter for letter, _pdf in chosen], LetterState.IN_RUN, now=now,
                              fields={piece.letter_id: {"sheets": piece.sheets} for piece in pieces})
        PrintPiece.objects.bulk_create(pieces, batch_size=1000)
        run.pdf_path = vault.store(f"runs/{number}.pdf.bin", pdf_bytes, bound_to=number)
        run.manifest = manifest(run, [(p, letter) for p, (letter, _pdf) in zip(pieces, chosen, strict=True)])
        run.save(update_fields=["pdf_path", "manifest"])
    return run


def _give_s10_many(letters: list[Letter], centre: PrintCentre, *, now: dt.datetime,
                   cache: dict | None = None) -> dict[str, str]:
    """S10 numbers and postal items for a run's registered letters (locked by the caller, in its transaction, in
    run order), each item announced with the recipient's address, the sender's return address and the delivery
    office of the commune, so the letter is in track and trace. In bulk: one block of S10 numbers per postal
    product (`numbering.allocate_block`: one locked UPDATE of the range), the items in one INSERT, the letters'
    links in one UPDATE. Returns the letters that could not get a number (reference -> why): they wait."""
    from bawaba.postal.counter import delivery_offices_for
    from bawaba.postal.models import Item, ItemStatus
    from bawaba.postal.numbering import RangeExhausted, allocate_block

    cache = cache if cache is not None else {}
    skipped: dict[str, str] = {}
    by_product: dict = {}
    for letter in letters:
        postal_product = letter.product.postal_product
        if postal_product is None:
            skipped[letter.reference] = "no postal product (S10) for this registered mail product"
            continue
        by_product.setdefault(postal_product.pk, (postal_product, []))[1].append(letter)
    if not by_product:
        return skipped
    wanted = [letter for _product, group in by_product.values() for letter in group]

    def office_key(letter):
        commune = letter.recipient_commune
        return ("office", letter.operator_id, letter.recipient_commune_id,
                commune.region_id if commune else None, letter.recipient_country)

    missing: dict = {}
    for letter in wanted:
        if office_key(letter) not in cache:
            missing.setdefault(letter.operator_id, (letter.operator, set()))[1].add(office_key(letter)[2:])
    for operator, keys in missing.values():
        for address, office in delivery_offices_for(operator, keys).items():
            cache[("office", operator.pk, *address)] = office
    senders = {letter.sender_id for letter in wanted if ("sender", letter.sender_id) not in cache}
    if senders:
        found = dict(SenderProfile.objects.filter(organisation_id__in=senders).order_by("pk")
                     .values_list("organisation_id", "return_address"))
        for sender_id in senders:
            cache[("sender", sender_id)] = found.get(sender_id) or ""
    items, given = [], []
    for postal_product, group in by_product.values():
        try:
            with transaction.atomic():
                numbers = allocate_block(postal_product, centre.office, len(group), now=now)
        except RangeExhausted as exc:
            for letter in group:
                skipped[letter.reference] = str(exc.messages[0])
            continue
        for letter in group[len(numbers):]:
            skipped[letter.reference] = _("No S10 number range is open for %(product)s at this office.") % {
                "product": postal_product}
        for letter, number in zip(group, numbers, strict=False):
            commune = letter.recipient_commune
            lines = [line.strip() for line in letter.recipient_address.splitlines() if line.strip()]
            items.append(Item(
                number=str(number), organisation_id=letter.operator_id, product=postal_product,
                origin_country=letter.operator.country, destination_country=letter.recipient_country,
                sender_name=letter.sender.name[:150], sender_address=cache[("sender", letter.sender_id)],
                recipient_name=letter.recipient_name[:150], recipient_phone=letter.recipient_phone,
                recipient_street=(lines[0] if lines else "")[:200], recipient_quartier=letter.recipient_quartier,
                recipient_po_box=letter.recipient_po_box, recipient_landmark=letter.recipient_landmark,
                recipient_postcode=letter.recipient_postcode, recipient_commune=commune,
                recipient_region_id=commune.region_id if commune else None, accepted_office=centre.office,
                delivery_office=cache[office_key(letter)], status=ItemStatus.ANNOUNCED, created_at=now))
            given.append(letter)
    if items:
        Item.objects.bulk_create(items, batch_size=1000)
        for letter, item in zip(given, items, strict=True):
            letter.postal_item = item
        Letter.objects.bulk_update(given, ["postal_item"], batch_size=1000)
    return skipped


# --- the PDF ----------------------------------------------------------------------------------------------

@dataclass
class Layout:
    pieces: list[tuple[int, int]]  # (first sheet in the run, sheets) per piece
    total_sheets: int


def compose(run_number: str, pdfs: list[bytes], *, duplex: bool) -> tuple[bytes, Layout]:
    """The run's PDF: each letter's pages, a blank back when needed, a 2-D code on each sheet's front.

    qpdf (pikepdf) copies each letter's pages with their fonts and images into the run: in C++, about four times
    less CPU than pypdf's `add_page` (docs/hybrid-mail-print.md, figures). The letters' own files stay open until
    the run is written: qpdf copies their streams' data when it writes."""
    import pikepdf

    out = pikepdf.Pdf.new()
    sources = []
    pieces, sheet = [], 0
    fronts: list[tuple[int, str]] = []  # (page index in the run, code text)
    try:
        for sequence, data in enumerate(pdfs, start=1):
            source = pikepdf.Pdf.open(io.BytesIO(data))
            sources.append(source)
            pages = len(source.pages)
            sheets = sheets_of(pages, duplex)
            pieces.append((sheet + 1, sheets))
            first_index = len(out.pages)
            out.pages.extend(source.pages)
            if duplex and pages % 2:
                box = source.pages[-1].mediabox
                out.add_blank_page(page_size=(float(box[2]) - float(box[0]), float(box[3]) - float(box[1])))
            step = 2 if duplex else 1
            for index in range(sheets):
                fronts.append((first_index + index * step, code_text(run_number, sequence, index + 1, sheets)))
            sheet += sheets
        kind = symbology()
        stamper = _Stamper(out)
        for index, text in fronts:
            stamper.stamp(out.pages[index], text, code_matrix(text, kind), kind)
        out.docinfo["/Title"] = f"Print run {run_number}"
        out.docinfo["/Producer"] = "Bawaba hybrid mail"
        buffer = io.BytesIO()
        # The letters' streams as they came (already compressed by their renderer): letting qpdf decode and
        # compress them again (its default) cost 2.5 ms a letter, two thirds of the run's PDF.
        out.save(buffer, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    finally:
        out.close()
        for source in sources:
            source.close()
    return buffer.getvalue(), Layout(pieces=pieces, total_sheets=sheet)


def symbology() -> str:
    """DataMatrix (what inserting machines read) when pylibdmtx and the C library libdmtx0b are installed
    (scripts/install installs both), else a QR code (segno, pure Python). HYBRIDMAIL_SHEET_CODE="qr" forces QR."""
    if getattr(settings, "HYBRIDMAIL_SHEET_CODE", "datamatrix") == "qr":
        return "qr"
    try:
        from pylibdmtx import pylibdmtx  # noqa: F401 - loads libdmtx.so.0 (ImportError when it is missing)
    except ImportError:
        return "qr"
    return "datamatrix"


def code_matrix(text: str, kind: str | None = None) -> list[list[bool]]:
    """The code's modules, row by row from the top, dark = True (no quiet zone)."""
    kind = kind or symbology()
    if kind == "qr":
        import segno

        return [[bool(v) for v in row] for row in segno.make(text, error="m", micro=False).matrix]
    return _datamatrix(text)


def _datamatrix(text: str) -> list[list[bool]]:
    """libdmtx (through pylibdmtx's ctypes wrapper) asked for one pixel per module and no margin: its image is
    the matrix itself. pylibdmtx's `encode` draws 5-pixel modules in a margin, which then had to be found and
    sampled: 0.45 ms a code against 0.09 ms (the same matrices, checked on 173 codes)."""
    import ctypes

    from pylibdmtx.wrapper import (
        DmtxProperty,
        DmtxScheme,
        DmtxSymbolSize,
        c_ubyte_p,
        dmtxEncodeCreate,
        dmtxEncodeDataMatrix,
        dmtxEncodeDestroy,
        dmtxEncodeSetProp,
        dmtxImageGetProp,
    )

    data = text.encode("ascii")
    encoder = dmtxEncodeCreate()
    if not encoder:
        raise RuntimeError("libdmtx could not create an encoder")
    try:
        dmtxEncodeSetProp(encoder, DmtxProperty.DmtxPropScheme, DmtxScheme.DmtxSchemeAscii)
        dmtxEncodeSetProp(encoder, DmtxProperty.DmtxPropSizeRequest, DmtxSymbolSize.DmtxSymbolShapeAuto)
        dmtxEncodeSetProp(encoder, DmtxProperty.DmtxPropModuleSize, 1)
        dmtxEncodeSetProp(encoder, DmtxProperty.DmtxPropMarginSize, 0)
        if dmtxEncodeDataMatrix(encoder, len(data), ctypes.cast(data, c_ubyte_p)) == 0:
            raise ValueError(f"libdmtx could not encode {text!r}")
        image = encoder[0].image
        width = dmtxImageGetProp(image, DmtxProperty.DmtxPropWidth)
        height = dmtxImageGetProp(image, DmtxProperty.DmtxPropHeight)
        step = dmtxImageGetProp(image, DmtxProperty.DmtxPropBitsPerPixel) // 8
        pixels = ctypes.string_at(image[0].pxl, width * height * step)  # RGB bytes, rows from the top: 0 is dark
    finally:
        dmtxEncodeDestroy(ctypes.byref(encoder))
    stride = width * step
    return [[pixels[row * stride + column * step] < 128 for column in range(width)] for row in range(height)]


class _Stamper:
    """Draws a sheet's code straight into the page's content: one more content stream (the page's own content
    wrapped in q … Q first, so its graphics state cannot leak into ours) and a Helvetica font resource. Cheaper
    by far than merging an overlay page, which made pypdf parse and rewrite every page's content (measured:
    0.11 s a sheet)."""

    FONT = "/BwmCode"

    def __init__(self, pdf):
        import pikepdf

        self.pikepdf = pikepdf
        self.pdf = pdf
        self.push = pdf.make_stream(b"q\n")
        self.pop = pdf.make_stream(b"\nQ\n")
        self.font = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        ))

    def stamp(self, page, text: str, matrix: list[list[bool]], kind: str) -> None:
        pikepdf = self.pikepdf
        point = 72 / 25.4
        quiet = 2 if kind == "qr" else 1  # modules of quiet zone each side (QR wants more; DataMatrix one)
        size = max(len(matrix), len(matrix[0])) + 2 * quiet
        box = CODE_SIZE_MM * point
        module = box / size
        x0, y0 = CODE_X_MM * point, CODE_Y_MM * point
        top = y0 + box - quiet * module
        xs = [f"{x0 + (column + quiet) * module:.3f} " for column in range(len(matrix[0]))]
        tail = f" {module:.3f} {module:.3f} re f"
        ops = [f"q 1 g {x0:.3f} {y0:.3f} {box:.3f} {box:.3f} re f 0 g"]
        for row, values in enumerate(matrix):
            y = f"{top - (row + 1) * module:.3f}{tail}"
            ops.extend(xs[column] + y for column, dark in enumerate(values) if dark)
        ops.append(f"BT {self.FONT} 5 Tf {x0 + box + 1.5 * point:.3f} {y0 + point:.3f} Td ({text}) Tj ET Q")
        ours = self.pdf.make_stream("\n".join(ops).encode("ascii"))
        obj = page.obj
        contents = obj.get("/Contents")
        if contents is None:
            existing = []
        elif isinstance(contents, pikepdf.Array):
            existing = list(contents)
        else:
            existing = [contents]
        obj.Contents = pikepdf.Array([self.push, *existing, self.pop, ours])
        resources = obj.get("/Resources")
        if resources is None:
            obj.Resources = pikepdf.Dictionary()
            resources = obj.Resources
        if "/Font" not in resources:
            resources.Font = pikepdf.Dictionary()
        resources.Font[self.FONT] = self.font


# --- the manifest -------------------------------------------------------------------------------------------

MANIFEST_COLUMNS = ["piece", "letter", "s10", "first_sheet", "sheets", "recipient", "address", "quartier",
                    "po_box", "landmark", "postcode", "commune", "country", "phone", "centre", "code"]


def address_lines(letter: Letter) -> list[str]:
    """The recipient's address as the postman reads it; Congo's addresses have no postcode but a quartier, a BP,
    a landmark and a phone."""
    lines = [letter.recipient_name, *[x.strip() for x in letter.recipient_address.splitlines() if x.strip()]]
    if letter.recipient_quartier:
        lines.append(letter.recipient_quartier)
    if letter.recipient_po_box:
        lines.append(f"BP {letter.recipient_po_box}")
    if letter.recipient_landmark:
        lines.append(letter.recipient_landmark)
    return lines


def manifest(run: PrintRun, pieces: list[tuple[PrintPiece, Letter]]) -> dict:
    rows = []
    for piece, letter in pieces:
        commune = letter.recipient_commune
        rows.append({
            "piece": piece.sequence, "letter": letter.reference,
            "s10": letter.postal_item.number if letter.postal_item_id else "",
            "first_sheet": piece.first_sheet, "sheets": piece.sheets, "recipient": letter.recipient_name,
            "address": address_lines(letter), "quartier": letter.recipient_quartier,
            "po_box": letter.recipient_po_box, "landmark": letter.recipient_landmark,
            "postcode": letter.recipient_postcode, "commune": commune.name_fr if commune else "",
            "country": letter.recipient_country, "phone": letter.recipient_phone, "centre": run.centre.code,
            "code": code_text(run.number, piece.sequence, 1, piece.sheets).rsplit("|", 1)[0],
        })
    return {"format": "bawaba-print-manifest/1", "run": run.number, "centre": run.centre.code,
            "sheet_code": {"symbology": symbology(), "text": "<run>|<piece>|<sheet>/<sheets>",
                           "position_mm": {"left": CODE_X_MM, "bottom": CODE_Y_MM, "size": CODE_SIZE_MM}},
            "created_at": run.created_at.isoformat(), "pieces": len(rows), "sheets": run.sheets,
            "pdf_sha256": run.pdf_sha256, "rows": rows}


def manifest_json(run: PrintRun) -> bytes:
    return json.dumps(run.manifest, ensure_ascii=False, indent=1).encode()


def manifest_csv(run: PrintRun) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(MANIFEST_COLUMNS)
    for row in run.manifest.get("rows", []):
        writer.writerow([" / ".join(row[c]) if c == "address" else row[c] for c in MANIFEST_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()  # BOM: Excel opens UTF-8 with Arabic names right


def run_pdf(run: PrintRun) -> bytes:
    return vault.load(run.pdf_path, bound_to=run.number)
