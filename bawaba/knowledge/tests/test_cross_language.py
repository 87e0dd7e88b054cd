"""Help search across scripts: Darija in Latin letters, Arabic (standard and Darija) and French queries find
the demo articles whatever the page's language, the page's language first. Runs on SQLite (FTS5) by
default and on PostgreSQL with DATABASE_URL set."""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from bawaba.core.textnorm import arabizi_skeleton
from bawaba.knowledge import lexicon
from bawaba.knowledge.services import search_articles, suggest_articles

pytestmark = pytest.mark.django_db

QUERIES = [
    # Darija in Latin letters
    ("connexion ma temchich", "internet-down"),
    ("makanch internet", "internet-down"),
    ("internet ma yemchich", "internet-down"),
    ("facture ghalia", "idoom-bill"),
    ("kifach nbeddel mot de passe", "baridimob-activation"),  # the Edahabia PIN article may come first
    ("rani ma nkhalsch la facture", "idoom-bill"),
    ("la carte dahabia tlafatli", "edahabia-lost"),
    ("sarkouli la carta", "edahabia-lost"),
    ("win rah el coli", "parcel-tracking"),
    ("la puce tbloquat", "mobilis-puk"),
    ("makach rizo", "mobile-no-network"),
    ("wa9tach t5roj la retraite", "ccp-pension"),
    # Arabic script, standard and Darija
    ("الانترنت مقطوعة", "internet-down"),
    ("ماكانش الانترنت", "internet-down"),
    ("فاتورة غالية", "idoom-bill"),
    ("البطاقة الذهبية ضاعت", "edahabia-lost"),
    ("الطرد ما وصلش", "parcel-tracking"),
    ("الكريدي ينقص", "unwanted-services"),
    # French
    ("internet coupé", "internet-down"),
    ("facture trop chère", "idoom-bill"),
    ("carte edahabia perdue", "edahabia-lost"),
    ("colis pas arrivé", "parcel-tracking"),
    ("code puk", "mobilis-puk"),
]
PAGES = ["fr", "ar", "en"]


def keys_and_languages(articles):
    return [(article.translation_key, article.language) for article in articles]


def assert_page_language_first(articles, page):
    languages = [article.language for article in articles]
    in_page = [language == page for language in languages]
    assert in_page == sorted(in_page, reverse=True), languages
    assert in_page and in_page[0], languages


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_query_finds_the_article_in_the_page_language_first(demo_articles, query, expected, page):
    found = search_articles(query, first_language=page, limit=50)
    assert (expected, page) in keys_and_languages(found)
    assert_page_language_first(found, page)
    page_articles = [article.translation_key for article in found if article.language == page]
    assert expected in page_articles[:4 if query.startswith("kifach") else 2], page_articles


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("query", "expected"), [
    ("makanch internet", "internet-down"),
    ("ماكانش الانترنت", "internet-down"),
    ("facture ghalia", "idoom-bill"),
])
def test_help_page_lists_page_language_articles_first_then_the_others(demo_articles, client, query, expected,
                                                                      page):
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: page})
    response = client.get(reverse("knowledge:index"), {"q": query})
    assert response.status_code == 200
    articles = response.context["articles"]
    assert (expected, page) in keys_and_languages(articles)
    assert_page_language_first(articles, page)
    assert {article.language for article in articles} == set(PAGES)  # the other languages follow


def test_explicit_language_choice_goes_first_on_any_page(demo_articles, client):
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "fr"})
    articles = client.get(reverse("knowledge:index"), {"q": "makanch internet", "language": "ar"}).context[
        "articles"]
    assert ("internet-down", "ar") in keys_and_languages(articles)
    assert_page_language_first(articles, "ar")


def test_language_filter_still_restricts_the_service(demo_articles):
    found = search_articles("makanch internet", language="ar")
    assert found and {article.language for article in found} == {"ar"}
    assert ("internet-down", "ar") in keys_and_languages(found)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("query", ["zorblax quintefrob", "xyzzy", "ثخصضق ظغفق", "blorp makanch9z"])
def test_nonsense_query_finds_nothing(demo_articles, page, query):
    assert search_articles(query, first_language=page) == []


def test_darija_problem_description_suggests_the_arabic_article(demo_articles):
    suggestions = suggest_articles("salam, makanch internet men lbareh w lmodem fih dou rouge", language="ar")
    assert suggestions and suggestions[0].translation_key == "internet-down"
    assert suggestions[0].language == "ar"


@pytest.mark.parametrize(("spellings", "skeleton"), [
    (["temchich", "tamchich", "TEMCHICH"], "tmc"),
    (["sar9oli", "sarkouli", "sarqouli"], "srkl"),
    (["internet", "anternet"], "ntrnt"),
    (["t5roj", "tkhroj"], "txrj"),
    (["dahabia", "edahabia", "dhahabia"], "dhb"),
])
def test_arabizi_spellings_share_one_skeleton(spellings, skeleton):
    assert {arabizi_skeleton(word) for word in spellings} == {skeleton}


@pytest.mark.parametrize("word", ["", "الانترنت", "deux mots", "l'internet"])
def test_skeleton_of_what_is_not_one_latin_word_is_empty(word):
    assert arabizi_skeleton(word) == ""


def test_lexicon_file_names_its_source_and_uses_known_columns():
    data = json.loads(lexicon.LEXICON_PATH.read_text(encoding="utf-8"))
    assert "Hand-written" in data["source"]
    for group in data["groups"]:
        assert set(group) <= {"concept", *lexicon.COLUMNS}, group["concept"]
        assert all(group.get(column) for column in ("fr", "ar", "en")), group["concept"]


def test_lexicon_skeletons_do_not_join_unrelated_groups():
    """A Darija spelling skeleton that two groups share would make one meaning find the other's articles."""
    shared = {skeleton: groups for skeleton, groups in lexicon.lexicon().skeletons.items() if len(groups) > 1}
    assert shared == {}
