"""Is this PDF a letter a print centre can print and envelope correctly? (docs/hybrid-mail-senders.md, "Checks")

Every letter is checked before anything is stored or sent, and each failure has a code and a translated reason
the sender can act on:

- size within HYBRIDMAIL_MAX_PDF_BYTES, and a PDF at all (header, readable cross-reference and page tree);
- not encrypted (even with an empty password: the print centre must open it without a key);
- no JavaScript, launch or submit actions, no embedded files, no rich media, no XFA forms: a letter is a
  document, not a program, and it is shown in the recipients' browsers;
- every page A4 portrait within ±2 mm (after /Rotate), between 1 page and the product's maximum;
- every font used is embedded (Type 3 fonts are drawn by the file itself); a page without any font at all (a
  scan, or text flattened to outlines) is fine here — the window check then says whether an address can be read.

pypdf reads the file; nothing is rendered or executed.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

A4_MM = (210.0, 297.0)
A4_TOLERANCE_MM = 2.0
PT_PER_MM = 72 / 25.4
MAX_OBJECTS_WALKED = 200_000  # a letter has a few hundred objects; beyond this the file is refused as hostile

# Dictionary keys and action types that make a PDF do something rather than show something.
ACTIVE_KEYS = {"/JS": "javascript", "/JavaScript": "javascript", "/EmbeddedFiles": "attachment",
               "/EmbeddedFile": "attachment", "/RichMedia": "attachment", "/XFA": "javascript"}
ACTIVE_ACTIONS = {"/JavaScript": "javascript", "/Launch": "javascript", "/SubmitForm": "javascript",
                  "/ImportData": "javascript", "/RichMediaExecute": "javascript"}


def max_pdf_bytes() -> int:
    return int(getattr(settings, "HYBRIDMAIL_MAX_PDF_BYTES", 10 * 1024 * 1024))


@dataclass
class Problem:
    code: str
    message: str

    def __str__(self):
        return self.message


@dataclass
class PdfReport:
    problems: list[Problem] = field(default_factory=list)
    pages: int = 0
    has_fonts: bool = False
    reader: object = None  # the pypdf reader (only when the file passed)
    fragments: list = field(default_factory=list)  # page 1's text: (x mm, y mm from the top, text), for the window

    @property
    def ok(self) -> bool:
        return not self.problems

    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None


class _Quiet:
    """pypdf logs every repaired structure as a warning; those are collected instead (a repaired file is
    corrupt: what the centre's RIP makes of it is not what the sender saw)."""

    def __init__(self):
        self.messages: list[str] = []

    def __enter__(self):
        self.logger = logging.getLogger("pypdf")
        self.handler = logging.Handler()
        self.handler.emit = lambda record: self.messages.append(record.getMessage())
        self.logger.addHandler(self.handler)
        self.previous = self.logger.propagate
        self.logger.propagate = False
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self.handler)
        self.logger.propagate = self.previous


def check_pdf(data: bytes, *, max_pages: int) -> PdfReport:
    """Check a letter; the report lists every problem found (the first one is the refusal reason)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    report = PdfReport()
    limit = max_pdf_bytes()
    if len(data) > limit:
        report.problems.append(Problem("too_large", _(
            "The file is %(size)s MB; a letter may be at most %(limit)s MB.") % {
            "size": f"{len(data) / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}))
        return report
    if data.lstrip()[:5] != b"%PDF-":
        report.problems.append(Problem("not_pdf", _("The file is not a PDF.")))
        return report
    with _Quiet() as quiet:
        try:
            reader = PdfReader(io.BytesIO(data), strict=True)
            if reader.is_encrypted:
                report.problems.append(Problem("encrypted", _(
                    "The PDF is encrypted or password-protected: save it without protection.")))
                return report
            pages = list(reader.pages)
            report.pages = len(pages)
            active = _active_content(reader)
            sizes = [_page_size_mm(page) for page in pages]
            fonts_missing, has_fonts, report.fragments = _fonts(pages)
        except RecursionError:
            report.problems.append(Problem("corrupt", _("The PDF's structure is damaged (nested too deeply).")))
            return report
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError,
                AssertionError, ZeroDivisionError) as exc:
            report.problems.append(Problem("corrupt", _(
                "The PDF is damaged and cannot be read (%(detail)s): export it again.") % {
                "detail": str(exc)[:120] or exc.__class__.__name__}))
            return report
    if quiet.messages:
        report.problems.append(Problem("corrupt", _(
            "The PDF is damaged (%(detail)s): export it again.") % {"detail": quiet.messages[0][:120]}))
    report.has_fonts = has_fonts
    if "javascript" in active:
        report.problems.append(Problem("javascript", _(
            "The PDF contains JavaScript or actions (scripts, launch, form submission): a letter may not contain "
            "any. Export it again as a plain PDF (PDF/A).")))
    if "attachment" in active:
        report.problems.append(Problem("attachment", _(
            "The PDF contains embedded files or media: a letter may not carry attachments. Send each document "
            "as its own letter.")))
    if report.pages == 0:
        report.problems.append(Problem("no_pages", _("The PDF has no pages.")))
    elif report.pages > max_pages:
        report.problems.append(Problem("too_many_pages", ngettext(
            "The letter has %(pages)d pages; this product allows at most %(max)d page.",
            "The letter has %(pages)d pages; this product allows at most %(max)d pages.", max_pages) % {
            "pages": report.pages, "max": max_pages}))
    for number, (width, height) in enumerate(sizes, start=1):
        if not (abs(width - A4_MM[0]) <= A4_TOLERANCE_MM and abs(height - A4_MM[1]) <= A4_TOLERANCE_MM):
            report.problems.append(Problem("not_a4", _(
                "Page %(page)d is %(width).0f × %(height).0f mm; letters must be A4 portrait (210 × 297 mm).") % {
                "page": number, "width": width, "height": height}))
            break
    if fonts_missing:
        report.problems.append(Problem("fonts_not_embedded", _(
            "These fonts are not embedded in the PDF, so the printed letter would not look like yours: "
            "%(fonts)s. Export with “embed all fonts” (PDF/A).") % {"fonts": ", ".join(sorted(fonts_missing)[:5])}))
    if report.ok:
        report.reader = reader
        # The PDF travels with the fragments: a scanned window is then read by OCR (bawaba.hybridmail.window).
        from .window import Fragments

        report.fragments = Fragments(report.fragments, pdf=data)
    return report


def _page_size_mm(page) -> tuple[float, float]:
    box = page.mediabox
    width, height = float(box.width) / PT_PER_MM, float(box.height) / PT_PER_MM
    if int(page.get("/Rotate", 0) or 0) % 180:
        width, height = height, width
    return abs(width), abs(height)


def _active_content(reader) -> set[str]:
    """Walk every object reachable from the trailer (streams' dictionaries too, not their data) for active
    content. Bounded, and each indirect object is visited once, so a loop or a bomb of references ends."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    walked = 0
    while stack:
        item = stack.pop()
        walked += 1
        if walked > MAX_OBJECTS_WALKED:
            raise ValueError("too many objects")
        if isinstance(item, IndirectObject):
            ident = (item.idnum, item.generation)
            if ident in seen:
                continue
            seen.add(ident)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in ACTIVE_KEYS:
                    found.add(ACTIVE_KEYS[key])
                if key == "/S" and isinstance(value, NameObject) and value in ACTIVE_ACTIONS:
                    found.add(ACTIVE_ACTIONS[value])
                if key == "/Subtype" and value in ("/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen"):
                    found.add("attachment")
                if key in ("/Parent", "/P"):
                    continue  # back references up the tree: already walked from the top
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return found


def _fonts(pages) -> tuple[set[str], bool, list]:
    """The names of fonts that draw text without their program embedded, whether any text is drawn at all, and
    page 1's text fragments with their positions (read in the same pass, for the window check). Only fonts that
    draw visible text count: ReportLab and others list a default font in every page's resources unused."""
    from .window import PT_PER_MM as _pt

    missing: set[str] = set()
    any_font = False
    first: list = []
    checked: dict[int, bool] = {}
    for number, page in enumerate(pages):
        box = page.mediabox
        left, top = float(box.left), float(box.top)

        def visit(text, cm, tm, font_dict, font_size, number=number, left=left, top=top):
            nonlocal any_font
            if not text or not text.strip() or font_dict is None:
                return
            any_font = True
            key = id(font_dict)
            if key not in checked:
                checked[key] = _embedded(font_dict.get_object())
                if not checked[key]:
                    missing.add(str(font_dict.get("/BaseFont", "?")).lstrip("/"))
            if number == 0:
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                first.append(((x - left) / _pt, (top - y) / _pt, text))

        page.extract_text(visitor_text=visit)
    return missing, any_font, first


def _embedded(font) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True  # glyphs drawn by the file's own content streams
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        if not descendants:
            return False
        font = descendants.get_object()[0].get_object()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
