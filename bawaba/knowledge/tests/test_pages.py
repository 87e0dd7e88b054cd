"""Citizen pages: /kb/ (list and search) and /kb/<id>-<slug>/."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from bawaba.knowledge.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_language(client):
    def use(code):
        client.cookies.load({settings.LANGUAGE_COOKIE_NAME: code})
        return client

    return use


def article(key, language):
    return Article.objects.get(translation_key=key, language=language)


def test_index_lists_articles_of_the_active_language(demo_articles, in_language):
    response = in_language("fr").get(reverse("knowledge:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="fr"' in html and 'dir="ltr"' in html
    assert "Carte SIM Mobilis bloquée" in html
    assert "PUK code" not in html  # English titles are not listed by default in French
    assert 'name="q"' in html


def test_arabic_index_is_right_to_left(demo_articles, in_language):
    response = in_language("ar").get(reverse("knowledge:index"))
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "شريحة موبيليس مقفلة" in html
    assert "Carte SIM Mobilis" not in html


def test_english_index(demo_articles, in_language):
    html = in_language("en").get(reverse("knowledge:index")).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Mobilis SIM card blocked" in html


def test_search_box_finds_articles(demo_articles, client):
    html = client.get(reverse("knowledge:index"), {"q": "facturé", "language": "fr"}).content.decode()
    assert "Comprendre sa facture de téléphone fixe Idoom" in html
    assert "Suivre un colis" not in html


def test_language_filter_can_show_every_language(demo_articles, client):
    html = client.get(reverse("knowledge:index"), {"q": "puk", "language": "all"}).content.decode()
    assert "Mobilis SIM card blocked" in html and "شريحة موبيليس مقفلة" in html
    assert '<option value="all" selected>' in html


def test_search_without_result_says_so(demo_articles, client):
    response = client.get(reverse("knowledge:index"), {"q": "zzzzzz"})
    assert response.status_code == 200
    assert "Aucun article ne correspond à votre recherche" in response.content.decode()


def test_pagination_links(make_article, client):
    for number in range(23):
        make_article(title=f"Colis numéro {number:02d}")
    first = client.get(reverse("knowledge:index"), {"q": "colis", "language": "fr"}).content.decode()
    assert first.count("Colis numéro") == 10
    assert 'rel="next"' in first and 'rel="prev"' not in first
    third = client.get(reverse("knowledge:index"), {"q": "colis", "language": "fr", "page": 3}).content.decode()
    assert third.count("Colis numéro") == 3
    assert 'rel="prev"' in third and 'rel="next"' not in third
    listing = client.get(reverse("knowledge:index"), {"language": "fr", "page": 2}).content.decode()
    assert listing.count("Colis numéro") == 10


@pytest.mark.parametrize("params", [
    {"q": "x" * 100_000},
    {"q": "<script>alert(1)</script>"},
    {"q": "\x00\x01 ' \" ; -- OR 1=1"},
    {"q": "colis", "page": "abc"},
    {"q": "colis", "page": "-4"},
    {"q": "colis", "page": "99999999999999999999"},
    {"language": "xx"},
    {"language": ["fr", "ar"]},
    {"q": "😀🔥 ١٢٣ ّّّ"},
])
def test_odd_input_gives_a_normal_page(demo_articles, client, params):
    response = client.get(reverse("knowledge:index"), params)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_article_page(demo_articles, in_language):
    item = article("mobilis-puk", "fr")
    response = in_language("fr").get(item.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Carte SIM Mobilis bloquée : retrouver et utiliser le code PUK</h1>" in html
    assert "<p>Attention : après dix codes PUK erronés" in html  # paragraphs rendered
    assert "Également disponible en" in html
    assert article("mobilis-puk", "ar").get_absolute_url() in html
    assert article("mobilis-puk", "en").get_absolute_url() in html


def test_arabic_article_is_right_to_left_even_in_a_french_page(demo_articles, in_language):
    item = article("mobilis-puk", "ar")
    html = in_language("fr").get(item.get_absolute_url()).content.decode()
    assert '<article class="card kb-article" lang="ar" dir="rtl">' in html
    html = in_language("ar").get(item.get_absolute_url()).content.decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_article_body_is_escaped(make_article, client):
    item = make_article(title="Essai", body="<script>alert('x')</script>\n\nDeuxième <b>paragraphe</b>")
    html = client.get(item.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert "<p>Deuxième &lt;b&gt;paragraphe&lt;/b&gt;</p>" in html


def test_wrong_slug_redirects_to_the_canonical_address(make_article, client):
    item = make_article(title="Colis perdu")
    response = client.get(reverse("knowledge:article", kwargs={"pk": item.pk, "slug": "autre"}))
    assert response.status_code == 301
    assert response["Location"] == item.get_absolute_url()


def test_arabic_slug_address_works(make_article, client):
    item = make_article(language="ar", title="تتبع طرد", summary="شرح", body="نص")
    assert item.slug == "تتبع-طرد"
    assert client.get(item.get_absolute_url()).status_code == 200


def test_unknown_and_unpublished_articles_are_not_found(make_article, client):
    draft = make_article(title="Brouillon", is_published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("knowledge:article", kwargs={"pk": 999999, "slug": "x"})).status_code == 404
    assert client.get("/kb/99999999999999999999999-x/").status_code == 404
    assert "Brouillon" not in client.get(reverse("knowledge:index"), {"language": "fr"}).content.decode()
    assert "Brouillon" not in client.get(reverse("knowledge:index"), {"q": "brouillon"}).content.decode()


def test_unpublished_translation_is_not_offered(make_article, client):
    item = make_article(title="Code PUK", translation_key="puk")
    make_article(language="en", title="PUK code", translation_key="puk", is_published=False)
    html = client.get(item.get_absolute_url()).content.decode()
    assert "Code PUK" in html and "Également disponible" not in html


def _static_size(path: str) -> int:
    return Path(finders.find(path)).stat().st_size


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_pages_weigh_less_than_100_kb(demo_articles, in_language, language):
    css = _static_size("css/bawaba.css") + _static_size("css/knowledge.css")
    client = in_language(language)
    pages = [
        client.get(reverse("knowledge:index"), {"language": "all"}),
        client.get(reverse("knowledge:index"), {"q": "carte", "language": "all"}),
        client.get(article("internet-down", language).get_absolute_url()),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "<script" not in page.content.decode()  # works without JavaScript
        assert len(page.content) + css < 100 * 1024


def test_article_page_query_count_is_bounded(demo_articles, client, django_assert_max_num_queries):
    item = article("internet-down", "fr")
    with django_assert_max_num_queries(8):
        client.get(item.get_absolute_url())
    with django_assert_max_num_queries(8):
        client.get(reverse("knowledge:index"), {"language": "all"})
