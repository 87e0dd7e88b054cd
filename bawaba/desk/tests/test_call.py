import html as htmllib
import re

import pytest
from django.urls import reverse

from bawaba.geo.models import Region
from bawaba.orgs.models import Service
from bawaba.routing.models import RoutingRule
from bawaba.servicedesk.models import EventKind, Request, RoutingMethod


def text(response) -> str:
    return htmllib.unescape(response.content.decode())


def test_lookup_lists_the_callers_earlier_requests_as_they_type(login, at_agent, make_request):
    first = make_request(citizen_phone="0550 12 34 56", subject="Ligne coupée")
    second = make_request("algerie-telecom/billing", citizen_phone="+213550123456", subject="Facture")
    make_request(citizen_phone="0661 00 00 01", subject="Autre client")
    poste = make_request("algerie-poste/mail", citizen_phone="0550123456", subject="Colis")
    client = login(at_agent)

    page = text(client.get(reverse("desk:caller_lookup"), {"citizen_phone": "0550 12 34 56"},
                           HTTP_HX_REQUEST="true"))
    assert re.findall(r'data-reference="([^"]+)"', page) == [second.reference, first.reference]
    assert "Autre client" not in page
    assert poste.reference not in page  # another operator's request stays invisible
    assert "+213 550 12 34 56" in page


def test_partial_or_invalid_numbers_show_nothing_and_no_error(login, at_agent, make_request):
    make_request(citizen_phone="0550 12 34 56")
    client = login(at_agent)
    for partial in ("", "05", "0550 12", "abc", "+33 6 12 34 56 78"):
        response = client.get(reverse("desk:caller_lookup"), {"citizen_phone": partial})
        assert response.status_code == 200, partial
        page = text(response)
        assert "data-reference" not in page and "errorlist" not in page, partial
        assert 'id="caller-history"' in page


def test_call_form_is_keyboard_ready(login, at_agent):
    page = text(login(at_agent).get(reverse("desk:call")))
    form = page[page.index('id="new-request-form"'):page.index("</form>", page.index('id="new-request-form"'))]
    phone = re.search(r"<input[^>]*id=\"caller-phone\"[^>]*>", form).group(0)
    assert "autofocus" in phone and 'name="citizen_phone"' in phone
    assert 'hx-trigger="input changed delay:300ms"' in phone and 'hx-get="/desk/call/lookup/"' in phone
    # Logical tab order: fields in document order, no positive tabindex anywhere.
    names = re.findall(r'name="([a-z_]+)"', form)
    assert names == ["csrfmiddlewaretoken", "citizen_phone", "citizen_name", "citizen_email", "service", "channel",
                     "priority", "region", "subject", "text", "attachments"]
    assert not re.search(r'tabindex="[1-9]', page)
    assert 'accesskey="s"' in form and 'type="submit"' in form
    assert 'accesskey="n"' in page  # "new call" in the navigation
    assert "Alt+N" in page and "Alt+S" in page  # shortcuts documented on the page
    assert '<option value="phone" selected>' in form
    assert ">Automatic routing</option>" in form


def test_creating_a_request_from_a_call(login, at_agent):
    faults = Service.objects.get(code="algerie-telecom/faults")
    oran = Region.objects.get(country="DZ", code="31")
    response = login(at_agent).post(reverse("desk:call"), {
        "citizen_phone": "0550 98 76 54", "citizen_name": "Nadia", "service": faults.pk, "channel": "phone",
        "priority": "high", "region": oran.pk, "subject": "Pas de tonalité",
        "text": "Plus de tonalité depuis ce matin.",
    }, follow=True)
    req = Request.objects.get()
    assert response.redirect_chain[-1][0] == reverse("desk:request", kwargs={"reference": req.reference})
    assert f"Request {req.reference} created" in text(response)
    assert (req.citizen_phone, req.channel, req.priority, req.region, req.service) == (
        "+213550987654", "phone", "high", oran, faults)
    assert req.created_by == at_agent and req.routing_method == RoutingMethod.MANUAL
    assert req.events.filter(kind=EventKind.CREATED, actor=at_agent).exists()


def test_automatic_routing_when_no_service_is_chosen(login, at_agent):
    billing = Service.objects.get(code="algerie-telecom/billing")
    RoutingRule.objects.create(name="factures", keywords="facture", service=billing)
    response = login(at_agent).post(reverse("desk:call"), {
        "citizen_phone": "0550 98 76 54", "service": "", "channel": "phone", "priority": "normal",
        "subject": "Facture trop élevée", "text": "Ma facture Idoom a doublé ce mois-ci.",
    })
    assert response.status_code == 302
    req = Request.objects.get()
    assert req.service == billing and req.routing_method == RoutingMethod.RULE


def test_request_for_another_operator_is_created_and_not_opened(login, at_agent):
    mail = Service.objects.get(code="algerie-poste/mail")
    response = login(at_agent).post(reverse("desk:call"), {
        "citizen_phone": "0550 98 76 54", "service": mail.pk, "channel": "counter", "priority": "normal",
        "subject": "Colis", "text": "Colis perdu.",
    }, follow=True)
    req = Request.objects.get()
    assert response.redirect_chain[-1][0] == reverse("desk:call")
    assert f"Request {req.reference} created and sent to Algérie Poste" in text(response)


def test_invalid_call_form_is_400_with_field_messages_and_keeps_input(login, at_agent):
    response = login(at_agent).post(reverse("desk:call"), {
        "citizen_phone": "12", "service": "", "channel": "pigeon", "priority": "normal",
        "subject": "Sujet gardé", "text": "",
    })
    assert response.status_code == 400
    page = text(response)
    assert "Select a valid choice" in page and "This field is required." in page
    assert 'value="Sujet gardé"' in page
    assert Request.objects.count() == 0

    response = login(at_agent).post(reverse("desk:call"), {
        "citizen_phone": "12", "service": "", "channel": "phone", "priority": "normal",
        "subject": "Sujet", "text": "Texte",
    })
    assert response.status_code == 400
    assert "is not a valid phone number" in text(response)
    assert 'id="caller-phone-errors"' in text(response)
    assert Request.objects.count() == 0


def test_new_is_the_same_form(login, at_agent):
    assert 'id="new-request-form"' in text(login(at_agent).get(reverse("desk:new")))


def test_prefilled_number_shows_history_at_once(login, at_agent, make_request):
    req = make_request(citizen_phone="0550 12 34 56")
    page = text(login(at_agent).get(reverse("desk:call"), {"phone": "0550123456"}))
    assert f'data-reference="{req.reference}"' in page and 'value="0550123456"' in page


@pytest.mark.parametrize(("typed", "stored"), [("+33 6 12 34 56 78", "+33612345678"),
                                               ("00 1 202 555 0143", "+12025550143")])
def test_a_caller_living_abroad_gives_a_foreign_number(login, at_agent, typed, stored):
    faults = Service.objects.get(code="algerie-telecom/faults")
    oran = Region.objects.get(country="DZ", code="31")
    response = login(at_agent).post(reverse("desk:call"), {
        "citizen_phone": typed, "service": faults.pk, "channel": "phone", "priority": "normal",
        "region": oran.pk, "subject": "Ligne de ma mère", "text": "J'appelle de l'étranger pour la ligne de ma mère.",
    })
    assert response.status_code == 302
    assert Request.objects.get().citizen_phone == stored


def test_an_invalid_number_says_how_to_write_a_foreign_one(login, at_agent):
    client = login(at_agent)
    client.cookies["django_language"] = "fr"
    response = client.post(reverse("desk:call"), {
        "citizen_phone": "+33 6 12", "service": "", "channel": "phone", "priority": "normal",
        "subject": "Sujet", "text": "Texte",
    })
    assert response.status_code == 400
    assert "indicatif pays (+33 6 12 34 56 78" in text(response)
