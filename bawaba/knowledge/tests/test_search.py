"""Search behaviour; runs on SQLite (FTS5) by default and on PostgreSQL with DATABASE_URL set."""

import pytest

from bawaba.knowledge import search
from bawaba.knowledge.models import Article
from bawaba.knowledge.services import do_delete_article, do_save_article, search_articles

pytestmark = pytest.mark.django_db


def titles(articles):
    return [article.title for article in articles]


@pytest.mark.parametrize("query", ["facture", "FACTURE", "facturé", "Facturé", "factures"])
def test_accentless_and_accented_queries_find_accented_title(make_article, query):
    make_article(title="Facturé deux fois pour le même mois")
    make_article(title="Colis en retard")
    assert titles(search_articles(query)) == ["Facturé deux fois pour le même mois"]


@pytest.mark.parametrize("query", ["édahabia", "Edahabia", "EDAHABIA"])
def test_accented_query_finds_plain_word(make_article, query):
    make_article(title="Bloquer sa carte Edahabia")
    assert titles(search_articles(query)) == ["Bloquer sa carte Edahabia"]


@pytest.mark.parametrize("query", ["فاتورة", "فاتوره", "الفاتورة", "الفاتوره", "الفاتورَة"])
def test_arabic_letter_variants_and_article_are_ignored(make_article, query):
    make_article(language="ar", title="كيف تقرأ الفاتوره", summary="شرح", body="نص")
    make_article(language="ar", title="تتبع طرد", summary="شرح", body="نص")
    assert titles(search_articles(query)) == ["كيف تقرأ الفاتوره"]


def test_arabic_hamza_and_alef_maqsura_variants(make_article):
    make_article(language="ar", title="إيداع طلب إلى المركز", summary="شرح", body="نص")
    assert titles(search_articles("ايداع")) == ["إيداع طلب إلى المركز"]
    assert titles(search_articles("أيداع")) == ["إيداع طلب إلى المركز"]


def test_prefix_of_a_word_matches(make_article):
    make_article(title="Comprendre la facturation")
    assert titles(search_articles("factu")) == ["Comprendre la facturation"]


def test_title_match_ranks_before_body_match(make_article):
    make_article(title="Autre sujet", summary="Rien à voir.",
                 body="La fibre arrive. La fibre est rapide. Parlez de fibre à votre voisin.")
    make_article(title="Raccordement à la fibre", summary="Les étapes.", body="Texte sans le mot.")
    make_article(title="Troisième", summary="La fibre en bref.", body="Texte.")
    assert titles(search_articles("fibre")) == ["Raccordement à la fibre", "Troisième", "Autre sujet"]


def test_every_word_must_match_when_possible(make_article):
    make_article(title="Colis perdu", body="Un colis qui n'arrive pas.")
    make_article(title="Colis à retirer", body="Avis de passage.")
    assert titles(search_articles("colis perdu")) == ["Colis perdu"]


def test_falls_back_to_any_word_when_no_article_has_them_all(make_article):
    make_article(title="Colis perdu")
    make_article(title="Carte perdue")
    make_article(title="Recharge internet")
    assert set(titles(search_articles("colis carte zzzunknown"))) == {"Colis perdu", "Carte perdue"}


def test_language_filter(make_article):
    make_article(language="fr", title="Code PUK", translation_key="puk")
    make_article(language="en", title="PUK code", translation_key="puk")
    make_article(language="ar", title="رمز PUK", summary="شرح", body="نص", translation_key="puk")
    assert titles(search_articles("puk", language="en")) == ["PUK code"]
    assert titles(search_articles("puk", language="ar")) == ["رمز PUK"]
    assert len(search_articles("puk")) == 3
    assert len(search_articles("puk", language="xx")) == 3  # unknown language: no filter


def test_unpublished_articles_are_never_found(make_article):
    make_article(title="Brouillon sur la fibre", is_published=False)
    make_article(title="Publié sur la fibre")
    assert titles(search_articles("fibre")) == ["Publié sur la fibre"]


def test_articles_of_an_inactive_organisation_are_hidden(make_article, orgs):
    make_article(organisation="mobilis", title="Code PUK")
    orgs["mobilis"].is_active = False
    orgs["mobilis"].save()
    assert search_articles("puk") == []


def test_organisation_filter(make_article, orgs):
    make_article(organisation="mobilis", title="Recharge mobile")
    make_article(organisation="algerie-telecom", title="Recharge Idoom")
    assert titles(search_articles("recharge", organisation_ids=[orgs["mobilis"].id])) == ["Recharge mobile"]
    assert search_articles("recharge", organisation_ids=[]) == []


def test_pagination_returns_disjoint_pages(make_article):
    for number in range(25):
        make_article(title=f"Colis numéro {number:02d}")
    first = search_articles("colis", limit=10, offset=0)
    second = search_articles("colis", limit=10, offset=10)
    third = search_articles("colis", limit=10, offset=20)
    assert (len(first), len(second), len(third)) == (10, 10, 5)
    assert len({a.pk for a in first + second + third}) == 25
    assert search_articles("colis", limit=10, offset=30) == []


def test_past_the_last_page_of_an_all_words_match_does_not_fall_back(make_article):
    make_article(title="Colis perdu")
    make_article(title="Colis abîmé")
    assert titles(search_articles("colis perdu", limit=1, offset=0)) == ["Colis perdu"]
    assert search_articles("colis perdu", limit=1, offset=1) == []


@pytest.mark.parametrize("query", [
    "", "   ", "!!!", '"', "'", "colis\"", "col*", "NEAR(a b)", "a AND OR NOT", "' OR 1=1 --", "\x00colis",
    "colis:*", "!colis & | ()", "😀 colis", "x" * 5000, "١٢٣", "_ _ _", "\\", "le la les",
])
def test_odd_queries_never_raise(make_article, query):
    make_article(title="Colis perdu")
    result = search_articles(query)
    assert isinstance(result, list)
    if "colis" in query:
        assert titles(result) == ["Colis perdu"]


def test_bad_limits_are_tolerated(make_article):
    make_article(title="Colis perdu")
    assert search_articles("colis", limit=0) == []
    assert search_articles("colis", limit=-5) == []
    assert len(search_articles("colis", limit=10_000, offset=-3)) == 1


def test_edit_updates_the_index(make_article):
    article = make_article(title="Ancien titre colis")
    article.title = "Nouveau titre recommandé"
    do_save_article(article)
    assert search_articles("ancien") == []
    assert titles(search_articles("recommandé")) == ["Nouveau titre recommandé"]


def test_delete_removes_from_the_index(make_article):
    article = make_article(title="Colis perdu")
    do_delete_article(article)
    assert search_articles("colis") == []
    replacement = make_article(title="Carte perdue")  # may reuse the id on SQLite
    assert search_articles("colis") == []
    assert titles(search_articles("carte")) == [replacement.title]


def test_plain_save_does_not_lose_the_index(make_article):
    article = make_article(title="Colis perdu")
    Article.objects.get(pk=article.pk).save()
    assert titles(search_articles("colis")) == ["Colis perdu"]


def test_rebuild_index_restores_rows_saved_without_the_service(make_article, orgs):
    Article.objects.create(organisation=orgs["mobilis"], language="fr", title="Code PUK oublié",
                           summary="s", body="b", is_published=True)
    assert search_articles("puk") == []
    assert search.rebuild_index() == 1
    assert titles(search_articles("puk")) == ["Code PUK oublié"]


def test_search_inside_a_failed_query_keeps_the_transaction_usable(make_article, monkeypatch):
    make_article(title="Colis perdu")
    monkeypatch.setattr(search, "_sqlite_match", lambda *args: 'bad"syntax')
    monkeypatch.setattr(search, "_pg_query_text", lambda *args: "&&&")
    assert search_articles("colis") == []
    assert Article.objects.count() == 1  # the connection still works


def test_stemming_from_many_threads_at_once_gives_each_its_own_words():
    """A web worker runs several threads: each must stem as if it were alone (a shared Snowball stemmer
    mixed their words up and crashed with IndexError under load)."""
    import threading

    from bawaba.knowledge.search import stem

    words = {"ar": ["المعاشات", "بالبطاقات", "والحسابات", "المكالمات", "للاشتراكات", "فاتورتي"] * 150,
             "fr": ["connexions", "factures", "recharges", "abonnements", "coupures", "remboursements"] * 150}
    expected = {language: [stem(language, w) for w in ws] for language, ws in words.items()}
    failures = []

    def work(language):
        try:
            for _round in range(5):
                if [stem(language, w) for w in words[language]] != expected[language]:
                    failures.append(language)
                    return
        except Exception as exc:  # noqa: BLE001 - any crash is the failure this test is about
            failures.append(repr(exc))

    threads = [threading.Thread(target=work, args=(language,)) for language in ["ar", "fr"] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
