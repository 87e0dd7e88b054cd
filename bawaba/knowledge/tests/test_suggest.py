"""Suggestions for a citizen's free problem description, on the demo articles (both backends)."""

import pytest

from bawaba.knowledge.services import suggest_articles

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "language", "expected"), [
    # French
    ("Bonjour, ma connexion ADSL est coupée depuis hier soir, le voyant du modem est rouge.", "fr",
     "internet-down"),
    ("On m'a volé ma carte Edahabia ce matin, je veux la bloquer avant qu'on retire mon argent.", "fr",
     "edahabia-lost"),
    ("J'attends un colis venant de France depuis un mois, le numéro de suivi ne bouge plus.", "fr",
     "parcel-tracking"),
    ("Ma facture de téléphone fixe est beaucoup trop élevée ce mois-ci.", "fr", "idoom-bill"),
    # Darija written in Latin letters
    ("salam, la carte edahabia ta3i tlafet, kifach nbloquiha ?", "fr", "edahabia-lost"),
    ("rani nstenna el colis men 3 semaines w ma wsalch", "fr", "parcel-tracking"),
    ("wa9tach t5roj la retraite had chhar ?", "fr", "ccp-pension"),
    ("la puce tbloquat, ta9olli code puk", "fr", "mobilis-puk"),
    ("chargit flexy 500 da w ma dkhalch le crédit", "fr", "mobile-recharge-problem"),
    # Arabic (standard and Darija)
    ("سرقت بطاقتي الذهبية البارحة، كيف أوقفها؟", "ar", "edahabia-lost"),
    ("لم يصلني رمز التفعيل في رسالة قصيرة لتطبيق بريدي موب", "ar", "baridimob-activation"),
    ("أريد الربط بالألياف البصرية في منزلي", "ar", "fibre-request"),
    ("ماكاش الانترنت ADSL من البارح والمودم فيه ضوء أحمر", "ar", "internet-down"),
    # English
    ("I lost my gold card yesterday, how do I block it?", "en", "edahabia-lost"),
    ("My SIM card asks for a PUK code after I typed the wrong PIN three times", "en", "mobilis-puk"),
    ("Where is my parcel? The tracking number has not changed for weeks", "en", "parcel-tracking"),
    ("Credit keeps disappearing from my phone, I think I am subscribed to some SMS service", "en",
     "unwanted-services"),
])
def test_suggestion_for_a_problem_description(demo_articles, text, language, expected):
    suggestions = suggest_articles(text, language=language)
    assert suggestions, text
    assert suggestions[0].translation_key == expected
    assert suggestions[0].language == language
    assert len(suggestions) <= 5


@pytest.mark.parametrize(("text", "expected"), [
    ("ma carte edahabia est perdue", "edahabia-lost"),
    ("كود PUK تاع الشريحة", "mobilis-puk"),
    ("my parcel tracking number", "parcel-tracking"),
])
def test_suggestion_without_language_searches_every_language(demo_articles, text, expected):
    assert suggest_articles(text)[0].translation_key == expected


def test_suggestions_respect_organisation_and_limit(demo_articles, orgs):
    poste = orgs["algerie-poste"].id
    suggestions = suggest_articles("carte perdue, colis, recharge, facture, internet coupé", language="fr",
                                   organisation_ids=[poste], limit=3)
    assert 1 <= len(suggestions) <= 3
    assert {article.organisation_id for article in suggestions} == {poste}


@pytest.mark.parametrize("text", ["", "   ", "???", "0550 12 34 56", "le la les de", None, 42, "\x00" * 20])
def test_unusable_text_gives_no_suggestion(demo_articles, text):
    assert suggest_articles(text) == []


def test_very_long_text_is_handled(demo_articles):
    text = "Bonjour, ma carte Edahabia a été avalée par le distributeur. " * 400
    assert suggest_articles(text, language="fr")[0].translation_key == "edahabia-lost"
