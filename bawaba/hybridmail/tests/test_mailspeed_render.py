"""Merged letters drawn with the font objects made once per subset (merge._subset_font_class) and the chunk's
glyph assignment (merge.glyphs_for): the PDF is ReportLab's own, byte for byte; each letter keeps its own
address in the window, its text and its embedded fonts; and the letters of a chunk share their font subsets
(the reason it is faster: a chunk that made one subset per letter would fail here)."""

import io
import zlib

import pytest
from pypdf import PdfReader

from bawaba.hybridmail import merge, pdfcheck
from bawaba.hybridmail.window import read_windows

WINDOW = "din5008_b"
NAMES = [
    "Zoé Hélène Ménard",
    "Amina Bouchaïb",
    "Ouïza Aït Ahmed",
    "Noël Çelik",
    "Kheïra Boumédiène",
    "Yasmine Kheddache",
    "Łukasz Żółw",
    "Anaïs Ferhat",
    "Mériem Saâdi",
    "Brahim Oulhadj",
]
BODY = (
    "Madame, Monsieur {name},\n\nVotre dossier n° {n} a été examiné par nos services.\n\n"
    "السيد(ة) {name}، نعلمكم أن ملفكم رقم {n} قد تمت دراسته.\n\nVeuillez agréer nos salutations."
)


def content(index: int, name: str | None = None) -> merge.LetterContent:
    name = name or f"{NAMES[index % len(NAMES)]} {index}"
    return merge.LetterContent(
        address_lines=[name, f"{index + 1} rue de la République", "16000 Alger"],
        subject=f"Dossier D-{index:05d}",
        body=BODY.format(name=name, n=f"D-{index:05d}"),
        place_date="Alger, le 7 décembre 2026",
        return_address=["Ministère des Finances"],
    )


def fonts_of(pdf: bytes) -> list[dict]:
    reader = PdfReader(io.BytesIO(pdf))
    out = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        if "/FontDescriptor" not in font:
            continue  # ReportLab's Helvetica entry, standard and unused
        descriptor = font["/FontDescriptor"].get_object()
        stream = descriptor["/FontFile2"].get_object()
        out.append(
            {
                "base": str(font["/BaseFont"]),
                "length1": int(stream["/Length1"]),
                "data": stream.get_data(),
                "cmap": font["/ToUnicode"].get_object().get_data(),
            }
        )
    return out


def test_a_letter_is_byte_for_byte_what_reportlab_draws_with_its_own_font_objects():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = merge.fonts()
    letter = content(3, "عبد القادر بن علي")
    ours, pages = merge.render(letter, WINDOW)
    again, _pages = merge.render(letter, WINDOW)  # from the cached subset objects this time
    assert pages == 1 and again == ours
    saved = {name: pdfmetrics.getFont(name) for name in (regular, bold)}
    try:
        for name, font in saved.items():
            pdfmetrics._fonts[name] = TTFont(name, font.face.filename)  # ReportLab's plain TrueType font
        plain, _pages = merge.render(letter, WINDOW)
    finally:
        pdfmetrics._fonts.update(saved)
    assert plain == ours


def test_each_letter_of_a_chunk_keeps_its_address_text_and_embedded_fonts():
    letters = [content(index) for index in range(12)]
    glyphs = merge.glyphs_for(letters)
    rendered = [merge.render(letter, WINDOW, glyphs=glyphs)[0] for letter in letters]
    for index, (letter, pdf) in enumerate(zip(letters, rendered, strict=True)):
        report = pdfcheck.check_pdf(pdf, max_pages=2)
        assert report.problems == [] and report.has_fonts and report.pages == 1
        assert read_windows(report.fragments)[WINDOW] == letter.address_lines
        text = "".join(fragment[2] for fragment in report.fragments)
        assert f"Votre dossier n° D-{index:05d} a été examiné" in text
        assert letter.address_lines[0] in text
        other = letters[(index + 1) % len(letters)].address_lines[0]
        assert other not in text
        embedded = fonts_of(pdf)
        assert len(embedded) == 2  # DejaVu Sans and its bold (the subject)
        for font in embedded:
            assert font["length1"] == len(font["data"]) > 1000  # the subset's TrueType program, embedded
            assert font["data"][:4] in (b"\x00\x01\x00\x00", b"true")
            assert b"beginbfchar" in font["cmap"] or b"beginbfrange" in font["cmap"]


def test_the_letters_of_a_chunk_share_their_font_subsets():
    from reportlab.pdfbase import pdfmetrics

    regular, _bold = merge.fonts()
    font = pdfmetrics.getFont(regular)
    letters = [content(index, f"Prénom{index} Ñúñez-{chr(0x100 + index)}") for index in range(20)]
    glyphs = merge.glyphs_for(letters)
    font._parts.clear()
    rendered = [merge.render(letter, WINDOW, glyphs=glyphs)[0] for letter in letters]
    # One subset (the chunk's assignment) for twenty letters whose names each bring a character of their own.
    assert len(font._parts) == 1
    bases = {tuple(f["base"] for f in fonts_of(pdf)) for pdf in rendered}
    assert len(bases) == 1
    # Without the chunk's assignment each letter's own first-use order gives it a subset of its own.
    font._parts.clear()
    for letter in letters[:5]:
        merge.render(letter, WINDOW)
    assert len(font._parts) == 5


def test_a_character_outside_the_chunk_glyphs_is_still_drawn_and_embedded():
    letters = [content(index) for index in range(3)]
    glyphs = merge.glyphs_for(letters)
    odd = content(9, "Ωmega Ŧest")
    assert "Ω" not in glyphs[0]
    pdf, _pages = merge.render(odd, WINDOW, glyphs=glyphs)
    report = pdfcheck.check_pdf(pdf, max_pages=2)
    assert report.problems == []
    assert read_windows(report.fragments)[WINDOW][0] == "Ωmega Ŧest"


@pytest.mark.parametrize("compression", [0, 1])
def test_the_cached_font_streams_decode_to_the_subset_reportlab_makes(compression):
    from reportlab.pdfbase import pdfmetrics

    regular, _bold = merge.fonts()
    font = pdfmetrics.getFont(regular)
    subset = [0] + [ord(c) for c in "Bonjour ملف"]
    data, length1, cmap, widths = font._subset_parts("AAAAAA+Test", subset, bool(compression))
    raw = zlib.decompress(data) if compression else data
    assert raw == font.face.makeSubset(subset) and length1 == len(raw)
    assert widths.startswith(b"[") and len(widths.split()) - 2 == len(subset)


def test_the_letters_fonts_are_the_caching_ones_even_after_another_module_registered_dejavu():
    """ReportLab gives a new font name the object already registered for the same face: another module's DejaVu
    Sans (postal, billing, proofs) registered first must not take the letters' fonts and their cache away."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, _bold = merge.fonts()
    path = pdfmetrics.getFont(regular).face.filename
    saved_fonts, saved_faces = dict(pdfmetrics._fonts), dict(pdfmetrics._dynFaceNames)
    try:
        for name in (merge.FONT, merge.FONT_BOLD):
            pdfmetrics._fonts.pop(name, None)
        pdfmetrics._dynFaceNames.clear()
        pdfmetrics.registerFont(TTFont("SomeOtherModuleDejaVu", path))
        merge.fonts.cache_clear()
        regular, bold = merge.fonts()
        for name in (regular, bold):
            assert isinstance(pdfmetrics.getFont(name), merge._subset_font_class())
        letters = [content(index) for index in range(3)]
        pdf, _pages = merge.render(letters[0], WINDOW, glyphs=merge.glyphs_for(letters))
        assert pdfcheck.check_pdf(pdf, max_pages=2).problems == []
    finally:
        pdfmetrics._fonts.clear()
        pdfmetrics._fonts.update(saved_fonts)
        pdfmetrics._dynFaceNames.clear()
        pdfmetrics._dynFaceNames.update(saved_faces)
        merge.fonts.cache_clear()
        merge.fonts()
