import html as htmllib
import io
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from bawaba.orgs.models import Organisation, Service
from bawaba.servicedesk import services
from bawaba.servicedesk.models import EventKind, MessageKind, Request, RequestEvent, Status


def png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def text(response) -> str:
    """The page as a person reads it (entities such as &#x27; decoded)."""
    return htmllib.unescape(response.content.decode())


def without_knowledge_base(monkeypatch):
    """Make `import bawaba.knowledge.services` fail, after the URLconf (which imports it) is loaded."""
    reverse("desk:home")
    monkeypatch.setitem(sys.modules, "bawaba.knowledge.services", None)


def url(name, req, **kwargs):
    return reverse(f"desk:{name}", kwargs={"reference": req.reference, **kwargs})


def test_detail_shows_contact_text_history_and_deadlines(login, at_agent, make_request):
    req = make_request(citizen_phone="0550 12 34 56", citizen_name="Samir Ould", attachments=[png()])
    services.do_add_note(req, "Client rappelé, pas de réponse.", actor=at_agent)
    html = text(login(at_agent).get(url("request", req)))
    assert req.reference in html and req.subject in html and req.text in html
    assert "+213 550 12 34 56" in html and 'href="tel:+213550123456"' in html
    assert "Samir Ould" in html
    assert "Client rappelé, pas de réponse." in html and 'data-kind="note"' in html
    # The history, with translated labels and details.
    for label in ("Created", "Routed", "Attachment added", "Internal note", "Channel: Web", "To Faults"):
        assert label in html, label
    assert "First response due" in html and "Resolution due" in html
    assert 'id="reply-form"' in html and 'id="transfer-form"' in html
    assert url("attachment", req, pk=req.attachments.get().pk) in html


def test_agent_of_another_operator_cannot_see_or_act(login, poste_agent, make_request):
    req = make_request()
    client = login(poste_agent)
    assert client.get(url("request", req)).status_code == 404
    for name, data in [("reply", {"body": "Bonjour"}), ("assign", {"assignee": "me"}),
                       ("status", {"status": "closed"}), ("note", {"body": "x"})]:
        assert client.post(url(name, req), data).status_code == 404, name
    req.refresh_from_db()
    assert req.status == Status.NEW and req.assignee is None and not req.messages.exists()
    assert client.get(url("attachment", req, pk=1)).status_code == 404


def test_unknown_or_malformed_reference_is_404(login, at_agent):
    client = login(at_agent)
    assert client.get(reverse("desk:request", kwargs={"reference": "NOPE"})).status_code == 404
    assert client.get(reverse("desk:request", kwargs={"reference": "K7M2-9QXA"})).status_code == 404


def test_after_transfer_receiver_sees_everything_and_sender_reads_only(login, at_agent, poste_agent, make_request):
    req = make_request(subject="Mandat non reçu", text="Mon mandat postal n'est jamais arrivé.")
    services.do_add_note(req, "Ce n'est pas pour nous.", actor=at_agent)
    mail = Service.objects.get(code="algerie-poste/mail")

    client = login(at_agent)
    response = client.post(url("transfer", req), {"service": mail.pk, "reason": "Concerne la poste"})
    assert response.status_code == 302

    html = text(login(poste_agent).get(url("request", req)))
    assert "Ce n'est pas pour nous." in html  # the whole history travels with the request
    for label in ("Created", "Internal note", "Transferred", "Concerne la poste"):
        assert label in html, label
    assert 'id="reply-form"' in html and 'id="read-only"' not in html
    assert req.reference in text(login(poste_agent).get(reverse("desk:home")))

    client = login(at_agent)
    html = text(client.get(url("request", req)))
    assert 'id="read-only"' in html and 'id="reply-form"' not in html and "Algérie Poste" in html
    events_before = RequestEvent.objects.filter(request=req).count()
    for name, data in [("reply", {"body": "Bonjour"}), ("assign", {"assignee": "me"}),
                       ("status", {"status": "closed"}), ("priority", {"priority": "high"})]:
        response = client.post(url(name, req), data)
        assert response.status_code == 403, name
        assert "you can read it only" in text(response)
    assert RequestEvent.objects.filter(request=req).count() == events_before
    assert req.reference not in text(client.get(reverse("desk:home")))


@pytest.fixture
def ready(make_request, at_agent):
    """An AT request and a second one to merge into."""
    return make_request(), make_request(subject="Doublon")


ACTIONS = [
    ("assign", lambda r, o: {"assignee": "me"}, EventKind.ASSIGNED),
    ("reply", lambda r, o: {"body": "Un technicien passera demain.", "wait_for_citizen": "on"}, EventKind.REPLIED),
    ("note", lambda r, o: {"body": "Vérifier le DSLAM."}, EventKind.NOTE),
    ("status", lambda r, o: {"status": "in_progress", "reason": "pris en charge"}, EventKind.STATUS),
    ("priority", lambda r, o: {"priority": "urgent", "reason": "client hospitalisé"}, EventKind.PRIORITY),
    ("transfer", lambda r, o: {"service": Service.objects.get(code="algerie-telecom/billing").pk,
                               "reason": "C'est une facture"}, EventKind.TRANSFERRED),
    ("merge", lambda r, o: {"into": o.reference.lower().replace("-", " ")}, EventKind.MERGED),
]


@pytest.mark.parametrize("name,data,kind", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_every_action_writes_a_history_event(login, at_agent, ready, name, data, kind):
    req, other = ready
    client = login(at_agent)
    response = client.post(url(name, req), data(req, other), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == url("request", req)
    assert RequestEvent.objects.filter(request=req, kind=kind, actor=at_agent).exists()
    assert 'class="success"' in text(response)  # the confirmation message


def test_reply_with_wait_for_citizen_pauses_and_attaches(login, at_agent, make_request):
    req = make_request()
    response = login(at_agent).post(url("reply", req), {"body": "Envoyez une photo du modem.",
                                                         "wait_for_citizen": "on", "attachments": [png()]})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.WAITING and req.sla_paused_at is not None
    message = req.messages.get(kind=MessageKind.PUBLIC_REPLY)
    assert message.attachments.count() == 1


def test_record_shows_every_kind_of_message_and_their_files(login, at_agent, make_request):
    """The record reads messages and files only when the history has a line for them (docs/desk.md, deskopen):
    each way a message or a file is added still shows it, and a request without any says so."""
    client = login(at_agent)
    bare = make_request()
    html = text(client.get(url("request", bare)))
    assert "No messages yet." in html and 'class="attachments"' not in html
    req = make_request()
    assert "No messages yet." in text(client.get(url("request", req)))  # the record of this state is cached
    services.do_reply(req, "Envoyez une photo du modem.", actor=at_agent, attachments=[png("reply.png")])
    services.do_add_note(req, "Client rappelé.", actor=at_agent)
    services.do_citizen_message(req, "Voici la photo.", attachments=[png("citizen.png")])
    html = text(client.get(url("request", req)))
    for body, kind in (("Envoyez une photo du modem.", "reply"), ("Client rappelé.", "note"),
                       ("Voici la photo.", "citizen")):
        assert body in html and f'data-kind="{kind}"' in html, kind
    for item in req.attachments.all():
        assert url("attachment", req, pk=item.pk) in html and item.original_name in html
    assert at_agent.get_full_name() in html and at_agent.organisation.name in html
    assert "No messages yet." not in html


def test_status_select_offers_only_allowed_transitions(login, at_agent, make_request):
    req = make_request()
    services.do_transition(req, Status.RESOLVED, actor=at_agent)
    html = text(login(at_agent).get(url("request", req)))
    form = html[html.index('id="status-form"'):]
    form = form[: form.index("</form>")]
    assert 'value="closed"' in form and 'value="reopened"' in form
    assert 'value="in_progress"' not in form and 'value="waiting"' not in form


def test_refused_transition_is_409_with_message(login, at_agent, make_request):
    req = make_request()
    response = login(at_agent).post(url("status", req), {"status": "reopened"})
    assert response.status_code == 409
    assert "cannot become" in text(response)
    req.refresh_from_db()
    assert req.status == Status.NEW


@pytest.mark.parametrize("name,data,message", [
    ("reply", {"body": "   "}, "This field is required."),
    ("reply", {"body": "x" * 5001}, "This text is too long"),
    ("reply", {"body": "ok", "attachments": [SimpleUploadedFile("a.pdf", b"MZ" + b"\0" * 40)]}, "not an accepted type"),
    ("status", {"status": "flying"}, "Select a valid choice"),
    ("priority", {"priority": "extreme"}, "Select a valid choice"),
    ("transfer", {"service": "", "reason": "x"}, "This field is required."),
    ("transfer", {"service": "999999", "reason": "x"}, "Select a valid choice"),
    ("merge", {"into": "ABCD"}, "No request with this reference"),
    ("assign", {"assignee": "someone"}, "Choose a member of staff."),
    ("assign", {"assignee": "999999"}, "No such member of staff."),
])
def test_bad_input_is_a_400_with_the_message(login, at_agent, make_request, name, data, message):
    req = make_request()
    events_before = req.events.count()
    response = login(at_agent).post(url(name, req), data)
    assert response.status_code == 400
    assert message in text(response)
    assert req.events.count() == events_before


def test_transfer_reason_is_required(login, at_agent, make_request):
    req = make_request()
    billing = Service.objects.get(code="algerie-telecom/billing")
    response = login(at_agent).post(url("transfer", req), {"service": billing.pk, "reason": ""})
    assert response.status_code == 400
    assert Request.objects.get(pk=req.pk).service.code == "algerie-telecom/faults"


def test_transfer_list_offers_every_organisation_grouped(login, at_agent, make_request):
    req = make_request()
    html = text(login(at_agent).get(url("request", req)))
    form = html[html.index('id="transfer-form"'):]
    form = form[: form.index("</form>")]
    for org in Organisation.objects.filter(services__is_active=True).distinct():
        assert f'<optgroup label="{org.name}">' in form, org.slug
    own = Service.objects.get(code="algerie-telecom/faults")
    assert f'value="{own.pk}"' not in form


def test_merge_into_itself_is_refused(login, at_agent, make_request):
    req = make_request()
    response = login(at_agent).post(url("merge", req), {"into": req.reference})
    assert response.status_code == 400
    assert "cannot be merged into itself" in text(response)


def test_agent_can_only_assign_to_self_supervisor_to_colleagues(login, at_agent, at_supervisor, poste_agent,
                                                                 make_request):
    req = make_request()
    response = login(at_agent).post(url("assign", req), {"assignee": at_supervisor.pk})
    assert response.status_code == 403
    html = text(response)
    assert "only assign requests to themselves" in html and 'id="assign-form"' not in html

    client = login(at_supervisor)
    assert 'id="assign-form"' in text(client.get(url("request", req)))
    assert client.post(url("assign", req), {"assignee": at_agent.pk}).status_code == 302
    req.refresh_from_db()
    assert req.assignee == at_agent
    response = client.post(url("assign", req), {"assignee": poste_agent.pk})
    assert response.status_code == 400
    assert "active staff of the owning organisation" in text(response)
    assert client.post(url("assign", req), {"assignee": ""}).status_code == 302
    req.refresh_from_db()
    assert req.assignee is None


def test_actions_are_post_only(login, at_agent, make_request):
    req = make_request()
    assert login(at_agent).get(url("reply", req)).status_code == 405


def test_attachment_download_checks_access(login, at_agent, poste_agent, make_request):
    req = make_request(attachments=[png("modem.png")])
    item = req.attachments.get()
    response = login(at_agent).get(url("attachment", req, pk=item.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "attachment" in response["Content-Disposition"] and "modem.png" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert login(poste_agent).get(url("attachment", req, pk=item.pk)).status_code == 404
    other = make_request()
    assert login(at_agent).get(url("attachment", other, pk=item.pk)).status_code == 404


def test_suggestions_are_searched_once_per_request_text_not_per_change(login, orgs, at_agent, make_request):
    """Taking or answering a request renders its page again; the knowledge-base search is not run again for the
    same text (it was a quarter of that rendering under load)."""
    knowledge = pytest.importorskip("bawaba.knowledge.services")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bawaba.knowledge.models import Article

    modem = knowledge.do_save_article(Article(
        organisation=orgs["algerie-telecom"], language="fr", title="Connexion ADSL coupée : redémarrer le modem",
        summary="Résumé.", body="Redémarrer le modem.", tags="adsl, modem", is_published=True))
    req = make_request(subject="ADSL coupée", text="Ma connexion ADSL est coupée, le modem clignote.")
    client = login(at_agent)
    assert f'data-article="{modem.pk}"' in text(client.get(url("request", req)))
    services.do_assign(req, at_agent, actor=at_agent)  # a new state of the request: its page is rendered again
    with CaptureQueriesContext(connection) as queries:
        page = text(client.get(url("request", req)))
    assert f'data-article="{modem.pk}"' in page and at_agent.get_full_name() in page
    assert not [q["sql"] for q in queries if Article._meta.db_table in q["sql"]]


def test_page_still_works_without_the_knowledge_base(login, at_agent, make_request, monkeypatch):
    without_knowledge_base(monkeypatch)
    req = make_request()
    response = login(at_agent).get(url("request", req))
    assert response.status_code == 200
    assert "No article matches this request." in text(response)


def test_detail_page_query_count_is_bounded(login, at_agent, make_request, django_assert_max_num_queries,
                                            monkeypatch):
    without_knowledge_base(monkeypatch)
    req = make_request(attachments=[png()])
    for i in range(10):
        services.do_add_note(req, f"note {i}", actor=at_agent, attachments=[png()])
    client = login(at_agent)
    with django_assert_max_num_queries(20):
        assert client.get(url("request", req)).status_code == 200


def test_real_knowledge_base_suggests_the_owning_operators_articles(login, orgs, at_agent, make_request):
    knowledge = pytest.importorskip("bawaba.knowledge.services")
    from bawaba.knowledge.models import Article

    def article(org, title, tags):
        return knowledge.do_save_article(Article(
            organisation=orgs[org], language="fr", title=title, summary="Résumé.", body=title, tags=tags,
            is_published=True))

    modem = article("algerie-telecom", "Connexion ADSL coupée : redémarrer le modem", "adsl, modem, coupure")
    general = article("centre", "Suivre une demande ADSL au centre de service", "adsl, suivi")
    poste = article("algerie-poste", "Colis ADSL perdu", "adsl, colis")
    req = make_request(subject="ADSL coupée", text="Ma connexion ADSL est coupée, le modem clignote.")
    page = text(login(at_agent).get(url("request", req)))
    section = page[page.index('id="kb-suggestions"'):]
    assert f'data-article="{modem.pk}"' in section and modem.get_absolute_url() in section
    assert f'data-article="{general.pk}"' in section  # the shared centre's articles too
    assert f'data-article="{poste.pk}"' not in section  # not another operator's


def test_history_explains_a_calendar_the_deadlines_could_not_use(login, at_agent, make_request):
    from bawaba.orgs.models import Organisation

    Organisation.objects.filter(slug="algerie-telecom").update(timezone="Africa/Algier")
    req = make_request()
    html = text(login(at_agent).get(url("request", req), headers={"Accept-Language": "en"}))
    assert "cannot be used" in html and "Africa/Algier" in html and "around the clock" in html


def test_cached_record_follows_every_change_and_each_language(login, at_agent, make_request):
    req = make_request()
    client = login(at_agent)
    url = reverse("desk:request", args=[req.reference])
    assert "Vu avec le technicien" not in client.get(url).content.decode()

    services.do_add_note(req, "Vu avec le technicien.", actor=at_agent)
    assert "Vu avec le technicien" in client.get(url).content.decode()

    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'id="history-title">Historique<' in french


def test_a_colleague_opening_the_same_request_reuses_its_record(orgs, login, at_agent, make_request,
                                                               django_assert_max_num_queries):
    from bawaba.orgs.services import do_add_staff

    colleague = do_add_staff(orgs["algerie-telecom"], {
        "username": "at.colleague", "role": "agent", "password": "correct horse 42", "queues": ["faults"]})
    req = make_request()
    services.do_add_note(req, "Premier appel.", actor=at_agent)
    url = reverse("desk:request", args=[req.reference])
    first = login(at_agent).get(url).content.decode()
    client = login(colleague)
    with django_assert_max_num_queries(9):  # no history, messages, attachments, accesses or article search
        second = client.get(url).content.decode()

    def history(page):
        start = page.index('<section class="card" id="history"')
        return page[start:page.index("</ol>", start)]

    assert "Premier appel." in second
    assert history(second) == history(first)


def test_shared_action_forms_carry_each_viewers_own_csrf_token(orgs, at_agent, make_request):
    import re

    from django.test import Client

    req = make_request()
    page_url = reverse("desk:request", args=[req.reference])
    tokens = []
    for _attempt in range(2):  # the second viewer is served the cached forms
        client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(at_agent)
        html = client.get(page_url).content.decode()
        form = html[html.index('id="note-form"'):]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        assert "csrf-token-put-in-when-served" not in html
        response = client.post(reverse("desk:note", args=[req.reference]),
                               {"csrfmiddlewaretoken": token, "body": f"Note {_attempt}"})
        assert response.status_code == 302
        tokens.append(token)
    assert req.messages.filter(kind="note").count() == 2


def test_opening_a_request_costs_a_fixed_number_of_queries(orgs, login, at_agent, make_request,
                                                           django_assert_num_queries, monkeypatch):
    """The request page's query count, pinned (docs/desk.md, "Opening a request"): the request by its
    reference (service and organisation from memory), the voice panel, the unread count, the messages to
    the citizen and the access log; the first opening of a state adds the record's reads (history,
    attachments, messages, the citizen's wilaya and author in one) and the article search."""
    from bawaba.orgs.services import do_add_staff

    without_knowledge_base(monkeypatch)
    colleague = do_add_staff(orgs["algerie-telecom"], {
        "username": "at.colleague2", "role": "agent", "password": "correct horse 42", "queues": ["faults"]})
    other, req = make_request(), make_request()
    services.do_add_note(req, "Premier appel.", actor=at_agent)
    page = reverse("desk:request", args=[req.reference])
    client = login(colleague)
    assert client.get(reverse("desk:request", args=[other.reference])).status_code == 200  # account, services
    # request, history, messages (the note; no attachment line in the history: no query for files), unread
    # count, outbox, access log (9 before 2026-12-07, deskopen: the files were read too; 8 before deskcpu: the
    # voice and postal panels looked for calls and attached items though the history has no line of theirs)
    with django_assert_num_queries(6):
        assert client.get(page).status_code == 200
    # The record from the cache: the request, unread count, outbox, access log (7 before 2026-12-06: the viewer's
    # organisation and the merged duplicates were read on every opening; 5 before deskcpu: the voice panel).
    with django_assert_num_queries(4):
        assert client.get(page).status_code == 200
