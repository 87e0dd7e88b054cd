"""Mail merge: a text template with {placeholders} and a list (CSV or XLSX), made into one A4 PDF per row.

Why a plain-text template rendered by the platform (docs/hybrid-mail-senders.md, "Mail merge"): any mail office
can write one (Notepad, Word "save as text", or pasted in the page), it holds no layout that could push the
address out of the window, and the platform lays the letter out itself — the sender's return address at the top,
the recipient's address exactly in the chosen envelope window, the date, the subject and the body — so every
merged letter prints right. ReportLab draws it with DejaVu Sans embedded (Latin and Arabic); Arabic is shaped
(arabic-reshaper) and ordered (python-bidi) line by line after wrapping, so a right-to-left paragraph wraps in
reading order and is right-aligned. (WeasyPrint would need Pango/HarfBuzz system libraries the embedded default
does not install; a DOCX template would need a word processor to render faithfully.)

The list: a header row, then one letter per row. Columns (French or English names, any case): name/nom,
address/adresse (and address2/adresse2), postcode/code_postal, commune, nin (national identity number, to find
the recipient's mailbox), phone/telephone, email, reference; in Congo quartier, bp, landmark/repere replace the
postcode, and department/departement (the ISO 3166-2:CG code or the department's name in French, Arabic or
English) sets the letter's region, which routes it to its print centre. Any other column can be used in the
template as {its_name}.
"""

from __future__ import annotations

import io
import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

from bawaba.core.textnorm import normalise

from .window import WINDOW_BY_CODE

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
FONT, FONT_BOLD = "BawabaMailDejaVuSans", "BawabaMailDejaVuSansBold"
FONT_PATHS = {
    FONT: [Path(__file__).resolve().parent.parent / "deployments" / "data" / "fonts" / "DejaVuSans.ttf",
           Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")],
    FONT_BOLD: [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")],
}
ADDRESS_SIZE, BODY_SIZE, LEADING = 10, 10.5, 1.35
MAX_TEMPLATE_CHARS = 20_000
MAX_ADDRESS_LINES = 6

ALIASES = {
    "name": ("name", "nom", "recipient", "destinataire", "الاسم"),
    "address": ("address", "adresse", "address1", "adresse1", "rue", "street", "العنوان"),
    "address2": ("address2", "adresse2", "complement"),
    "postcode": ("postcode", "code_postal", "codepostal", "cp", "postal_code"),
    "commune": ("commune", "city", "ville", "localite", "البلدية"),
    "nin": ("nin", "national_id", "id", "nni", "identifiant", "cni"),
    "phone": ("phone", "telephone", "tel", "mobile", "الهاتف"),
    "email": ("email", "e-mail", "courriel", "mail"),
    "reference": ("reference", "ref", "votre_reference", "sender_reference"),
    "quartier": ("quartier", "neighbourhood", "neighborhood"),
    "bp": ("bp", "po_box", "boite_postale"),
    "landmark": ("landmark", "repere", "point_de_repere"),
    "department": ("department", "departement", "region", "province", "المقاطعة", "الجهة"),
    "subject": ("subject", "objet"),
}


@lru_cache(maxsize=1)
def fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics

    for name, candidates in FONT_PATHS.items():
        for path in candidates:
            if path.exists():
                font = _subset_font_class()(name, str(path))
                pdfmetrics.registerFont(font)
                if pdfmetrics.getFont(name) is not font:
                    # ReportLab hands a new name the font object already registered for the same face (another
                    # module's DejaVu Sans): the letters' names get this one, with its subset cache.
                    pdfmetrics._fonts[name] = font
                break
    registered = pdfmetrics.getRegisteredFontNames()
    regular = FONT if FONT in registered else "Helvetica"
    return regular, FONT_BOLD if FONT_BOLD in registered else regular


@lru_cache(maxsize=1)
def _subset_font_class():
    """ReportLab's TrueType font, with the font objects of each subset made once per process instead of once per
    letter (docs/hybrid-mail-senders.md, "Rendering cost"). ReportLab embeds in every document a subset of the
    font holding the glyphs that document used, in the order it first used them: cutting that subset out of
    DejaVu Sans (makeSubset), compressing it and its ToUnicode map, and formatting the widths took about half
    of a merged letter's rendering time. Letters of a chunk are drawn with the same glyph assignment (render's
    `glyphs`, every character of the chunk assigned first, in one order), so their subsets are the same and
    those bytes are made once, here, keyed by the subset's characters: the PDF is what ReportLab writes, with
    the same objects (a font file with Length1 and FlateDecode, a ToUnicode CMap, the widths), only not
    recomputed. A letter drawing a character outside `glyphs` gets a subset of its own (made, then cached)."""
    import copy
    import threading
    import zlib

    from reportlab.pdfbase import pdfdoc
    from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, makeToUnicodeCMap

    class _Raw(pdfdoc.PDFObject):
        """Bytes already formatted (an array of widths)."""

        def __init__(self, data: bytes):
            self.data = data

        def format(self, document):
            return self.data

    def _stream(data: bytes, **entries) -> pdfdoc.PDFStream:
        stream = pdfdoc.PDFStream(content=data)
        stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])  # already compressed
        for name, value in entries.items():
            stream.dictionary[name] = value
        return stream

    class SubsetCachingTTFont(TTFont):
        _parts_cache_size = 64

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._parts: dict[tuple, tuple] = {}
            self._primed: dict[str, object] = {}
            self._lock = threading.Lock()  # thread workers share the registered font

        def prime(self, chars: str, doc) -> None:
            """Assign `chars` in `doc` first, in their order (a copy of the assignment made once for them)."""
            template = self._primed.get(chars)
            if template is None:
                holder = _Raw(b"")  # any object: the font keeps its states by (weak) reference to their document
                self.splitString(chars, holder)
                template = self.state.pop(holder)
                with self._lock:
                    if len(self._primed) >= 8:
                        self._primed.pop(next(iter(self._primed)), None)
                    self._primed[chars] = template
            state = copy.copy(template)
            state.assignments = dict(template.assignments)
            state.subsets = [list(subset) for subset in template.subsets]
            self.state[doc] = state

        def _subset_parts(self, base_name: str, subset: list[int], compress: bool) -> tuple:
            cache_key = (base_name, tuple(subset), compress)
            parts = self._parts.get(cache_key)
            if parts is None:
                face = self.face
                font_data = face.makeSubset(subset)
                cmap = makeToUnicodeCMap(base_name, subset).encode("utf-8")
                widths = pdfdoc.PDFArray(list(map(face.getCharWidth, subset))).format(None)
                parts = (zlib.compress(font_data) if compress else font_data, len(font_data),
                         zlib.compress(cmap) if compress else cmap, widths)
                with self._lock:
                    if len(self._parts) >= self._parts_cache_size:
                        self._parts.pop(next(iter(self._parts)), None)
                    self._parts[cache_key] = parts
            return parts

        def addObjects(self, doc):  # ReportLab 5.1's TTFont.addObjects, the parts of each subset cached
            try:
                state = self.state[doc]
            except KeyError:
                state = self.state[doc] = TTFont.State(self._asciiReadable)
            state.frozen = 1
            face = self.face
            compress = bool(doc.compression)
            for n, subset in enumerate(state.subsets):
                internal_name = self.getSubsetInternalName(n, doc)[1:]
                base_name = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
                font_data, length1, cmap, widths = self._subset_parts(base_name, subset, compress)
                pdf_font = pdfdoc.PDFTrueTypeFont()
                pdf_font.__Comment__ = f"Font {self.fontName} subset {n}"
                pdf_font.Name = internal_name
                pdf_font.BaseFont = base_name
                pdf_font.FirstChar = 0
                pdf_font.LastChar = len(subset) - 1
                pdf_font.Widths = _Raw(widths)
                cmap_stream = _stream(cmap) if compress else pdfdoc.PDFStream(content=cmap)
                pdf_font.ToUnicode = doc.Reference(cmap_stream, "toUnicodeCMap:" + base_name)
                if compress:
                    font_file = _stream(font_data, Length1=length1)
                else:
                    font_file = pdfdoc.PDFStream(content=font_data)
                    font_file.dictionary["Length1"] = length1
                font_file_ref = doc.Reference(font_file, f"fontFile:{face.filename}({base_name})")
                descriptor = pdfdoc.PDFDictionary({
                    "Type": "/FontDescriptor", "Ascent": face.ascent, "CapHeight": face.capHeight,
                    "Descent": face.descent, "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                    "FontBBox": pdfdoc.PDFArray(face.bbox), "FontName": pdfdoc.PDFName(base_name),
                    "ItalicAngle": face.italicAngle, "StemV": face.stemV, "FontFile2": font_file_ref,
                    "MissingWidth": face.defaultWidth})
                pdf_font.FontDescriptor = doc.Reference(descriptor, "fontDescriptor:" + base_name)
                doc.Reference(pdf_font, internal_name)
                doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
            del self.state[doc]

    return SubsetCachingTTFont


def key(header: str) -> str:
    return re.sub(r"[^\w]+", "_", normalise(header).strip()).strip("_")


def canonical(name: str) -> str:
    """The field a column or placeholder name stands for ({nom} and {name} are the same)."""
    name = key(name)
    for field_name, names in ALIASES.items():
        if name in names:
            return field_name
    return name


def canonical_columns(headers: list[str]) -> dict[str, int]:
    """Column index of each known field and of every other column (by its normalised name)."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = key(header)
        for canonical, names in ALIASES.items():
            if name in names and canonical not in found:
                found[canonical] = index
                break
        else:
            if name and name not in found:
                found[name] = index
    return found


class TemplateError(Exception):
    pass


def placeholders(template: str) -> set[str]:
    """The placeholders of a template; only {simple_names} (no attributes, indexes or formats)."""
    names = set()
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateError(_("The template has an unmatched brace: write {{ and }} for a brace itself.")) from exc
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not re.fullmatch(r"\w+", name) or spec or conversion:
            raise TemplateError(_("“{%(name)s}” is not a valid placeholder: use a column name, like {nom}.") % {
                "name": (name or "")[:40]})
        names.add(canonical(name))
    return names


def fill(template: str, values: dict[str, str]) -> str:
    out = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is not None:
            out.append(values.get(canonical(name), ""))
    return "".join(out)


# --- Layout -----------------------------------------------------------------------------------------------

def is_rtl(text: str) -> bool:
    for char in text:
        if "\u0590" <= char <= "\u08ff" or "\ufb1d" <= char <= "\ufefc":
            return True
        if char.isalpha():
            return False
    return False


@lru_cache(maxsize=20000)
def visual(text: str) -> str:
    """A line as it must be drawn: Arabic shaped and in visual order; other text unchanged."""
    if not any("\u0600" <= c <= "\u06ff" for c in text):
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display

    return get_display(arabic_reshaper.reshape(text), base_dir="R" if is_rtl(text) else "L")


@lru_cache(maxsize=50000)
def width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(visual(text), font, size)


@lru_cache(maxsize=5000)
def wrap(paragraph: str, font: str, size: float, limit: float) -> tuple[str, ...]:
    """Greedy wrap in logical order (bidi is applied to each line afterwards). Words are measured one by one
    (cached): Arabic letters join within a word only, so a line's width is its words' plus the spaces."""
    space = width(" ", font, size)
    lines, current, current_width = [], [], 0.0
    for word in paragraph.split():
        word_width = width(word, font, size)
        if current and current_width + space + word_width > limit:
            lines.append(" ".join(current))
            current, current_width = [word], word_width
        else:
            current_width += (space if current else 0) + word_width
            current.append(word)
    if current:
        lines.append(" ".join(current))
    return tuple(lines) or ("",)


@dataclass
class LetterContent:
    address_lines: list[str]
    subject: str = ""
    body: str = ""
    place_date: str = ""
    return_address: list[str] = field(default_factory=list)


def address_problem(lines: list[str], window_code: str) -> str | None:
    """Why these address lines would not fit in the window, or None: checked for every row before anything is
    stored (the merged letter's address is laid out by us, so measuring it is the window check)."""
    window = WINDOW_BY_CODE[window_code]
    regular, _bold = fonts()
    if len(lines) > MAX_ADDRESS_LINES:
        return _("The address has %(count)d lines; at most %(max)d fit in the envelope window.") % {
            "count": len(lines), "max": MAX_ADDRESS_LINES}
    limit = (window.width - 10) * MM
    for line in lines:
        if width(line, regular, ADDRESS_SIZE) > limit:
            return _("The address line “%(line)s” is too long for the envelope window (%(width)d mm).") % {
                "line": line[:60], "width": window.width - 10}
    return None


@lru_cache(maxsize=20000)
def _drawn_chars(word: str) -> str:
    return visual(word) if any("\u0600" <= c <= "\u06ff" for c in word) else word


def glyphs_for(contents: list[LetterContent]) -> tuple[str, str]:
    """The characters the letters of a chunk draw, in the regular font and in bold (the subject), each sorted:
    render(..., glyphs=) assigns them first, in this order, so every letter of the chunk embeds the same font
    subsets and their bytes are made once (_subset_font_class). Arabic is drawn shaped (presentation forms),
    word by word, so each word's drawn form is taken; a character missed here is still drawn right (it is
    assigned after the others, in that letter's subset only)."""
    regular, bold = set(), set()
    for content in contents:
        for text in (*content.address_lines, content.body, content.place_date, *content.return_address[:5]):
            for word in text.split():
                regular.update(_drawn_chars(word))
        for word in content.subject.split():
            bold.update(_drawn_chars(word))
    return "".join(sorted(regular)), "".join(sorted(bold))


def render(content: LetterContent, window_code: str, *, glyphs: tuple[str, str] = ("", "")) -> tuple[bytes, int]:
    """One A4 letter, the address lines inside `window_code`'s window; returns (PDF, number of pages).
    `glyphs` (glyphs_for the letter's chunk): the characters to assign first in the regular and bold fonts."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    regular, bold = fonts()
    window = WINDOW_BY_CODE[window_code]
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    page.setAuthor("Bawaba")
    for name, chars in zip((regular, bold), glyphs, strict=True):
        font = pdfmetrics.getFont(name)
        if chars and hasattr(font, "prime"):
            font.prime(chars, page._doc)  # the chunk's assignment: the same subsets in every letter
    height = A4[1]
    left, right = 20 * MM, 190 * MM

    def line_at(text, x, y, font, size, *, rtl_right=None):
        page.setFont(font, size)
        if rtl_right is not None and is_rtl(text):
            page.drawRightString(rtl_right, y, visual(text))
        else:
            page.drawString(x, y, visual(text))

    y = height - 15 * MM
    for text in content.return_address[:5]:
        line_at(text, left, y, regular, 8, rtl_right=left + 80 * MM)
        y -= 8 * LEADING
    # The address: 5 mm inside the window, from its top.
    ax = (window.left + 5) * MM
    y = height - (window.top + 7) * MM
    for text in content.address_lines:
        line_at(text, ax, y, regular, ADDRESS_SIZE, rtl_right=(window.left + window.width - 5) * MM)
        y -= ADDRESS_SIZE * LEADING
    y = height - 102 * MM
    if content.place_date:
        page.setFont(regular, BODY_SIZE)
        if is_rtl(content.place_date):  # the date sits on the left of an Arabic letter, on the right otherwise
            page.drawString(left, y, visual(content.place_date))
        else:
            page.drawRightString(right, y, visual(content.place_date))
    y -= 10 * MM
    if content.subject:
        for text in wrap(content.subject, bold, BODY_SIZE, right - left):
            line_at(text, left, y, bold, BODY_SIZE, rtl_right=right)
            y -= BODY_SIZE * LEADING
        y -= 4 * MM
    bottom = 25 * MM
    for paragraph in re.split(r"\n\s*\n", content.body.strip()):
        for text in wrap(" ".join(paragraph.split()), regular, BODY_SIZE, right - left):
            if y < bottom:
                page.showPage()
                y = height - 25 * MM
            line_at(text, left, y, regular, BODY_SIZE, rtl_right=right)
            y -= BODY_SIZE * LEADING
        y -= BODY_SIZE * 0.6
    pages = page.getPageNumber()
    page.showPage()
    page.save()
    return buffer.getvalue(), pages
