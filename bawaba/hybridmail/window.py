"""The address in the envelope window: read from the letter's first page, and matched to the recipient given.

A letter is folded into a window envelope at the print centre; what shows through the window is what the postman
reads. So the text inside the window area of page 1 must name the recipient the sender gave us, and nothing
outside it counts. Window areas on an A4 portrait page, from its top-left corner, in millimetres (sources checked
on 2026-12-07; docs/hybrid-mail-senders.md, "The envelope window", lists them):

- DIN 5008 form B (the German standard most European letter templates follow): the address field is 20 mm from
  the left, 45 mm from the top, 85 mm wide and 45 mm high (17.7 mm of return address and notes, then 27.3 mm, six
  lines, of address). Sources: Deutsche Post's requirements for A4 letters it prints and envelopes, quoted at
  https://swspedia.atlassian.net/wiki/pages/viewpage.action?pageId=903720867 ("45 mm von oben, 20 mm von links,
  85 mm Breite, 45 mm Höhe"); https://www.din-5008-richtlinien.de/startseite/anschriftenfeld/ (field 45 x 85 mm,
  form B's address line 62.7 mm = 45 + 17.7 mm from the top).
  It shows through the window of a DL envelope (DIN 678-1: 110 x 220 mm) or a C5/6 one (114 x 229 mm) made to
  DIN 680: window 90 mm wide, 45 mm high, 20 mm from the envelope's left edge and 15 mm from its bottom edge, so
  50 mm below a DL envelope's top edge. Sources: https://de.wiki.li/DIN_lang (a copy of Wikipedia's "DIN lang",
  citing DIN 680: "Das Fenster ist 90 mm breit und 45 mm hoch, es liegt 20 mm vom linken und 15 mm vom unteren
  Rand entfernt"); https://studylibfr.com/doc/2273411 (window positions "L-DIN (Norme DIN)": C5/6, 90 x 45 mm,
  15 mm from the bottom, 119 mm from the right of a 229 mm envelope, i.e. 20 mm from the left). A4 folded to
  DIN 5008 (first fold 105 mm) moves up to 5 mm in a 110 mm envelope and up to 10 mm sideways in a 220 mm one: the
  field at 45-90 mm from the top of the page is inside the window's 50-95 mm once the sheet sits at the bottom.
- DL right window (the French layout used by Algerian and Congolese administrations, the address on the right):
  95 mm from the left, 50 mm from the top, 100 x 45 mm. No published standard for a right-hand DL window was found
  (the French letter-layout standard NF Z 11-001 is not public): this area is DIN 680's window mirrored (20 mm
  from the right edge and 15 mm from the bottom of a 220 x 110 mm DL envelope), 100 x 45 mm (a window size sold
  beside 90 x 45: https://www.antalis.de/home/kontaktieren-sie-uns/faqs/faq-produkte-und-dienstleistunge/
  wozu-dient-ein-adressfenster-in-.html), the A4 sheet centred (5 mm each side). It contains the address block
  French mailing houses recommend for right-window envelopes, 85 mm wide and 33 mm high, 110 mm from the left and
  55 mm from the top of the page (https://edics.fr/rediger-vos-adresses-les-bonnes-pratiques/), which is what
  tests/test_mailfix2_window_ocr.py checks; check it against the print centres' own envelopes.

A text fragment belongs to a window when its starting point is inside it (±2 mm). pypdf gives each fragment's
position (text matrix × current matrix); fragments are grouped into lines by their baseline.

A scanned letter (an image, no text layer) has no text fragments on page 1: then the band of page 1 holding
both windows is rendered (poppler's pdftoppm, 300 dpi, grey) and read by Tesseract (French and Arabic), and each
line read becomes a fragment at its position; those lines are matched like text. An address read this way is
marked: the lines returned start with OCR_MARK and the mean confidence ("[OCR 91%]"), kept in the letter's
window_text. Without tesseract or pdftoppm on the server the letter is refused with a reason saying so.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bawaba.core.textnorm import normalise

PT_PER_MM = 72 / 25.4
TOLERANCE_MM = 2.0
OCR_MARK = "[OCR"   # first line of an address read by OCR: "[OCR 91%]"
OCR_DPI = 300
OCR_TIMEOUT_S = 60
log = logging.getLogger(__name__)


class Fragments(list):
    """Page 1's text fragments (x mm, y mm from the top, text), with the PDF they were read from, so that the
    window of a scanned letter can be read by OCR when no fragment falls in it (bawaba.hybridmail.pdfcheck)."""

    def __init__(self, items=(), *, pdf: bytes = b""):
        super().__init__(items)
        self.pdf = pdf


@dataclass(frozen=True)
class Window:
    code: str
    label: object
    left: float   # mm from the page's left edge
    top: float    # mm from the page's top edge
    width: float
    height: float


WINDOWS = (
    Window("din5008_b", gettext_lazy("DIN 5008 form B (left window)"), 20, 45, 85, 45),
    Window("dl_right", gettext_lazy("C5/6 – DL right window (French layout)"), 95, 50, 100, 45),
)
WINDOW_BY_CODE = {w.code: w for w in WINDOWS}
# An address starting 95 mm from the left is inside the DIN box's corner too, but shows through the right window
# only: the right window is tried first.
MATCH_ORDER = (WINDOW_BY_CODE["dl_right"], WINDOW_BY_CODE["din5008_b"])


@dataclass
class WindowReading:
    window: Window | None
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def read_windows(pieces: list[tuple[float, float, str]]) -> dict[str, list[str]]:
    """The lines of text inside each window, top to bottom, from page 1's fragments (x mm from the left, y mm
    from the top, text: bawaba.hybridmail.pdfcheck reads them while checking the fonts)."""
    result = {}
    for window in WINDOWS:
        inside = [(y, x, text) for x, y, text in pieces
                  if window.left - TOLERANCE_MM <= x <= window.left + window.width + TOLERANCE_MM
                  and window.top - TOLERANCE_MM <= y <= window.top + window.height + TOLERANCE_MM]
        result[window.code] = _lines(inside)
    return result


def _lines(inside: list[tuple[float, float, str]]) -> list[str]:
    inside.sort()
    lines: list[list[tuple[float, str]]] = []
    last_y = None
    for y, x, text in inside:
        if last_y is None or abs(y - last_y) > 1.5:
            lines.append([])
        lines[-1].append((x, text))
        last_y = y
    out = []
    for line in lines:
        joined = " ".join(t.strip() for _x, t in sorted(line) if t.strip())
        if joined:
            out.append(re.sub(r"\s+", " ", joined))
    return out


@dataclass
class Recipient:
    """What the sender told us about the recipient (the fields that must show through the window)."""

    name: str
    country: str = "DZ"
    postcode: str = ""
    commune_names: tuple[str, ...] = ()
    quartier: str = ""
    po_box: str = ""
    landmark: str = ""


def _words(text: str) -> set[str]:
    """Normalised words, and each reversed too: Arabic drawn by a PDF generator in visual order (shaped and
    reversed) is extracted right-to-left (NFKC already undoes the shaping into presentation forms)."""
    words = set(re.findall(r"\w+", normalise(text)))
    return words | {w[::-1] for w in words}


def _contains(haystack: set[str], needle: str) -> bool:
    wanted = [w for w in re.findall(r"\w+", normalise(needle)) if len(w) > 1 or w.isdigit()]
    return bool(wanted) and all(w in haystack for w in wanted)


def match(reading_lines: list[str], recipient: Recipient) -> str | None:
    """None when the window names the recipient, else the translated reason it does not."""
    if not reading_lines:
        return _("No address can be read in the envelope window (DIN 5008 form B or DL window): put the "
                 "recipient's address there, as text (a scanned page has no text to read).")
    words = _words(" ".join(reading_lines))
    if not _contains(words, recipient.name):
        return _("The address in the window does not name the recipient “%(name)s” (the window reads: "
                 "%(window)s).") % {"name": recipient.name, "window": " / ".join(reading_lines)[:200]}
    if recipient.country == "DZ":
        if recipient.postcode and recipient.postcode in re.findall(r"\d{5}", " ".join(reading_lines)):
            return None
        if any(_contains(words, name) for name in recipient.commune_names if name):
            return None
        return _("The address in the window does not show the recipient's postcode %(postcode)s or commune "
                 "(the window reads: %(window)s).") % {"postcode": recipient.postcode or "—",
                                                         "window": " / ".join(reading_lines)[:200]}
    # Congo: no postcodes. The quartier, the BP or the landmark given must show, or the commune.
    for value in (recipient.po_box, recipient.quartier, recipient.landmark, *recipient.commune_names):
        if value and _contains(words, value):
            return None
    return _("The address in the window does not show the recipient's quartier, BP or landmark (the window "
             "reads: %(window)s).") % {"window": " / ".join(reading_lines)[:200]}


def find_address(pieces, recipient: Recipient, *, pdf: bytes | None = None
                 ) -> tuple[str | None, Window | None, list[str]]:
    """(refusal reason or None, the window that matched, the lines read). When page 1 has no text at all (a scan)
    and the PDF is known (`pdf`, or `pieces` is a Fragments), the windows are read by OCR; the lines then start
    with the OCR mark."""
    readings = read_windows(pieces)
    source = pdf if pdf is not None else getattr(pieces, "pdf", b"")
    if source and not pieces:
        return _find_by_ocr(source, recipient)
    return _best(readings, recipient)


def _best(readings: dict[str, list[str]], recipient: Recipient):
    best_reason, best_lines = None, []
    for window in MATCH_ORDER:
        lines = readings[window.code]
        if not lines:
            continue
        reason = match(lines, recipient)
        if reason is None:
            return None, window, lines
        if best_reason is None:
            best_reason, best_lines = reason, lines
    if best_reason is None:
        return match([], recipient), None, []
    return best_reason, None, best_lines


# --- Scanned letters: OCR of the window band --------------------------------------------------------------

def _tool(name: str) -> str | None:
    configured = getattr(settings, f"HYBRIDMAIL_{name.upper()}", name)
    return shutil.which(configured) if configured else None


def ocr_available() -> bool:
    return bool(_tool("tesseract") and _tool("pdftoppm"))


# The band of page 1 that holds both windows, with the tolerance: rendered once, read once.
BAND = (min(w.left for w in WINDOWS) - TOLERANCE_MM, min(w.top for w in WINDOWS) - TOLERANCE_MM,
        max(w.left + w.width for w in WINDOWS) + TOLERANCE_MM, max(w.top + w.height for w in WINDOWS) + TOLERANCE_MM)


class OcrUnavailable(RuntimeError):
    pass


def ocr_fragments(pdf: bytes) -> tuple[list[tuple[float, float, str]], float]:
    """Lines read by Tesseract in the window band of page 1, as fragments (x mm, y mm from the top, text) at
    each line's left edge and middle height, and the mean word confidence (0-100). OcrUnavailable when the
    tools are missing or fail."""
    tesseract, pdftoppm = _tool("tesseract"), _tool("pdftoppm")
    if not (tesseract and pdftoppm):
        raise OcrUnavailable("tesseract or pdftoppm not installed")
    px = OCR_DPI / 25.4
    left, top, right, bottom = BAND
    with tempfile.TemporaryDirectory(prefix="bawaba-ocr-") as tmp:
        source, image = os.path.join(tmp, "letter.pdf"), os.path.join(tmp, "band")
        with open(source, "wb") as handle:
            handle.write(pdf)
        try:
            subprocess.run([pdftoppm, "-f", "1", "-l", "1", "-r", str(OCR_DPI), "-gray", "-png", "-singlefile",
                            "-x", str(round(left * px)), "-y", str(round(top * px)),
                            "-W", str(round((right - left) * px)), "-H", str(round((bottom - top) * px)),
                            source, image], check=True, capture_output=True, timeout=OCR_TIMEOUT_S)
            done = subprocess.run([tesseract, image + ".png", "stdout", "-l", "fra+ara", "--psm", "6",
                                   "--dpi", str(OCR_DPI), "tsv"], check=True, capture_output=True,
                                  timeout=OCR_TIMEOUT_S, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("OCR of a scanned letter failed: %s", exc)
            raise OcrUnavailable(str(exc)) from exc
    lines: dict[tuple[str, str, str], list[tuple[int, int, int, str, float]]] = {}
    for row in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or not cells[11].strip():
            continue
        try:
            conf = float(cells[10])
            x, y, height = int(cells[6]), int(cells[7]), int(cells[9])
        except ValueError:
            continue
        if conf < 0:
            continue
        lines.setdefault((cells[2], cells[3], cells[4]), []).append((x, y, height, cells[11].strip(), conf))
    fragments, confidences = [], []
    for words in lines.values():
        x = min(w[0] for w in words)
        middle = sum(w[1] + w[2] / 2 for w in words) / len(words)
        fragments.append((left + x / px, top + middle / px, " ".join(w[3] for w in sorted(words))))
        confidences += [w[4] for w in words]
    return fragments, (sum(confidences) / len(confidences) if confidences else 0.0)


def _find_by_ocr(pdf: bytes, recipient: Recipient):
    try:
        fragments, confidence = ocr_fragments(pdf)
    except OcrUnavailable:
        return _("This letter is a scanned image (no text in the envelope window) and scanned letters cannot be "
                 "read on this server: export the letter as a PDF with its text, or deposit it where OCR is "
                 "installed."), None, []
    reason, found, lines = _best(read_windows(fragments), recipient)
    if not lines:
        return _("This letter is a scanned image and no address could be read in its envelope window, even by "
                 "character recognition: put the recipient's address in the window, clearly printed."), None, []
    if reason:  # say that the window was read by OCR, so that the sender checks the scan before blaming the list
        note = _("(Address read by OCR from a scanned page, confidence %(confidence)s %%: check that the scan is "
                 "clear.)") % {"confidence": f"{confidence:.0f}"}
        reason = f"{reason} {note}"
    return reason, found, [f"{OCR_MARK} {confidence:.0f}%]", *lines]


def read_by_ocr(window_text: str) -> int | None:
    """The OCR confidence (percent) of an address read by OCR, from a letter's window_text; None for text."""
    first = (window_text or "").split("\n", 1)[0]
    found = re.fullmatch(re.escape(OCR_MARK) + r" (\d+)%\]", first)
    return int(found.group(1)) if found else None


def address_lines(window_text: str) -> list[str]:
    """The lines read in the window (a letter's window_text), without the OCR mark line."""
    lines = (window_text or "").split("\n")
    if lines and read_by_ocr(lines[0]) is not None:
        lines = lines[1:]
    return [line for line in lines if line]
