"""Editing articles in the web admin: scoped to the editor's organisation, index kept in sync."""

import pytest
from django.urls import reverse

from bawaba.knowledge.models import Article
from bawaba.knowledge.services import search_articles
from bawaba.orgs.models import Service

pytestmark = pytest.mark.django_db


def form_data(article=None, **overrides):
    data = {
        "organisation": article.organisation_id if article else "",
        "service": (article.service_id or "") if article else "",
        "language": article.language if article else "fr",
        "translation_key": article.translation_key if article else "",
        "title": article.title if article else "",
        "slug": article.slug if article else "",
        "summary": article.summary if article else "Résumé.",
        "body": article.body if article else "Texte.",
        "tags": article.tags if article else "",
        "is_published": "on",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_org_admin_creates_an_article_that_search_finds(client, at_admin, orgs):
    client.force_login(at_admin)
    billing = Service.objects.get(code="algerie-telecom/billing")
    response = client.post(reverse("admin:knowledge_article_add"), form_data(
        organisation=orgs["algerie-telecom"].id, service=billing.id, title="Payer sa facture en ligne",
    ))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Article.objects.get(title="Payer sa facture en ligne")
    assert created.organisation == orgs["algerie-telecom"] and created.slug == "payer-sa-facture-en-ligne"
    assert [a.pk for a in search_articles("facture en ligne")] == [created.pk]


def test_admin_edit_keeps_the_index_in_sync(client, at_admin, make_article):
    article = make_article(title="Ancien titre")
    client.force_login(at_admin)
    response = client.post(reverse("admin:knowledge_article_change", args=[article.pk]),
                           form_data(article, title="Débit ADSL très lent le soir"))
    assert response.status_code == 302
    assert search_articles("ancien") == []
    assert [a.pk for a in search_articles("debit lent")] == [article.pk]


def test_admin_delete_removes_from_search(client, at_admin, make_article):
    article = make_article(title="Colis perdu")
    client.force_login(at_admin)
    response = client.post(reverse("admin:knowledge_article_delete", args=[article.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()
    assert search_articles("colis") == []


def test_admin_list_shows_only_own_organisation(client, at_admin, make_article):
    make_article(organisation="algerie-telecom", title="Article Télécom")
    make_article(organisation="algerie-poste", title="Article Poste")
    client.force_login(at_admin)
    html = client.get(reverse("admin:knowledge_article_changelist")).content.decode()
    assert "Article Télécom" in html and "Article Poste" not in html


def test_org_admin_cannot_edit_another_organisations_article(client, at_admin, make_article):
    other = make_article(organisation="algerie-poste", title="Colis perdu")
    client.force_login(at_admin)
    url = reverse("admin:knowledge_article_change", args=[other.pk])
    assert client.get(url).status_code == 302  # the admin treats it as missing
    client.post(url, form_data(other, title="Piraté"))
    other.refresh_from_db()
    assert other.title == "Colis perdu"
    assert client.post(reverse("admin:knowledge_article_delete", args=[other.pk]), {"post": "yes"}).status_code == 302
    assert Article.objects.filter(pk=other.pk).exists()


def test_org_admin_cannot_create_for_another_organisation(client, at_admin, orgs):
    client.force_login(at_admin)
    mail = Service.objects.get(code="algerie-poste/mail")
    response = client.post(reverse("admin:knowledge_article_add"), form_data(
        organisation=orgs["algerie-poste"].id, service=mail.id, title="Faux article Poste",
    ))
    assert response.status_code == 200  # the form comes back with errors
    assert not Article.objects.filter(title="Faux article Poste").exists()


def test_service_must_belong_to_the_article_organisation(client, platform_admin, orgs):
    client.force_login(platform_admin)
    mail = Service.objects.get(code="algerie-poste/mail")
    response = client.post(reverse("admin:knowledge_article_add"), form_data(
        organisation=orgs["mobilis"].id, service=mail.id, title="Mélange",
    ))
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert "Le service doit appartenir à l'organisme de l'article" in page
    assert not Article.objects.filter(title="Mélange").exists()


def test_platform_admin_edits_any_article(client, platform_admin, make_article):
    article = make_article(organisation="mobilis", title="Code PUK")
    client.force_login(platform_admin)
    response = client.post(reverse("admin:knowledge_article_change", args=[article.pk]),
                           form_data(article, title="Code PUK perdu"))
    assert response.status_code == 302
    assert [a.title for a in search_articles("puk")] == ["Code PUK perdu"]


def test_agents_have_no_access(client, at_agent):
    client.force_login(at_agent)
    assert client.get(reverse("admin:knowledge_article_changelist")).status_code in (302, 403)


def test_duplicate_translation_key_and_language_is_refused(client, at_admin, make_article, orgs):
    make_article(title="Code", translation_key="code", language="fr")
    client.force_login(at_admin)
    response = client.post(reverse("admin:knowledge_article_add"), form_data(
        organisation=orgs["algerie-telecom"].id, title="Doublon", translation_key="code",
    ))
    assert response.status_code == 200
    assert not Article.objects.filter(title="Doublon").exists()
