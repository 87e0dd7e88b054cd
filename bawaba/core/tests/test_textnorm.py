import pytest

from bawaba.core.textnorm import normalise, tokens


def test_french_accents_and_case_are_folded():
    assert normalise("Facturé À Béjaïa") == "facture a bejaia"


def test_arabic_letter_variants_and_diacritics_are_unified():
    assert normalise("الفاتورة") == normalise("الفاتوره")
    assert normalise("أنترنت") == normalise("انترنت")
    assert normalise("مُشْكِلَة") == normalise("مشكله")
    assert normalise("على") == normalise("علي")
    assert normalise("٠٥٥٠") == "0550"


def test_darija_digits_stay_inside_words():
    assert tokens("la connexion ta3i ma7lolach") == ["la", "connexion", "ta3i", "ma7lolach"]


@pytest.mark.parametrize(("text", "declared", "expected"), [
    ("Bonjour, je n'ai plus de connexion depuis hier.", "", "fr"),
    ("Hello, my internet has been down since yesterday.", "", "en"),
    ("السلام عليكم، الإنترنت مقطوع", "", "ar"),
    ("salam, internet ma kanch 3andi men lbareh", "", "fr"),  # Darija in Latin letters: answered in French
    ("Panne", "ar", "ar"),
    ("Panne", "de-DE", "fr"),  # a language we do not answer in is ignored
    ("0550 12 34 56", "", ""),
])
def test_guess_language_of_a_citizens_message(text, declared, expected):
    from bawaba.core.textnorm import guess_language

    assert guess_language(text, declared=declared) == expected
