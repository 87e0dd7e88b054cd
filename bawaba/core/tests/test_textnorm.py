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
