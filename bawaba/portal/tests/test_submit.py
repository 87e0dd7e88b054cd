"""Submitting a request from the portal: two steps, no JavaScript, one request per form."""

import sys
import types
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bawaba.geo.models import Commune, Region
from bawaba.portal.models import Submission
from bawaba.servicedesk.models import Request

from .conftest import png_bytes, token_of, write_data

pytestmark = pytest.mark.django_db

SUBMIT = "/submit/"


def start(client):
    response = client.get(SUBMIT)
    assert response.status_code == 200
    return token_of(response)


def test_home_explains_the_centre_and_offers_the_three_actions(citizen, orgs):
    response = citizen.get(reverse("portal:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "One place for your telecom and postal requests" in html
    for operator in ("Algérie Télécom", "Algérie Poste", "Mobilis"):
        assert operator in html
    assert "Outages and slowness" in html or "outages and slowness" in html  # English service description
    assert f'href="{SUBMIT}"' in html
    assert 'href="/track/"' in html
    assert 'href="/kb/"' in html


def test_full_flow_creates_one_request_with_the_citizens_data(citizen, web_rule):
    token = start(citizen)
    data = write_data(token)

    step2 = citizen.post(SUBMIT, {**data, "action": "continue"})
    html = step2.content.decode()
    assert step2.status_code == 200
    assert "Step 2 of 2" in html
    assert "+213550123456" in html  # the phone number shown back in E.164
    assert 'enctype="multipart/form-data"' in html
    bab_ezzouar = Commune.objects.get(region__code="16", region__country="DZ", name_fr="Bab Ezzouar")
    oran_commune = Commune.objects.filter(region__code="31", region__country="DZ").first()
    assert f'<option value="{bab_ezzouar.pk}">' in html  # commune list limited to the chosen wilaya
    assert f'<option value="{oran_commune.pk}">' not in html
    assert Request.objects.count() == 0  # nothing is stored before the final step

    photo = SimpleUploadedFile("box.png", png_bytes(), content_type="image/png")
    done = citizen.post(SUBMIT, {**data, "commune": str(bab_ezzouar.pk), "attachments": [photo],
                                 "action": "submit"})
    assert Request.objects.count() == 1
    request = Request.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("portal:receipt", args=[request.reference])
    assert request.channel == "web"
    assert request.citizen_phone == "+213550123456"
    assert request.citizen_name == "Samia Belkacem"
    assert request.citizen_email == "samia@example.test"
    assert request.region == Region.objects.get(country="DZ", code="16")
    assert request.commune == bab_ezzouar
    assert request.category == "algerie-telecom/faults"
    assert request.subject == "Internet coupé"
    assert request.text.startswith("Ma connexion ADSL")
    assert request.language == "en"
    assert request.service.code == "algerie-telecom/faults"
    assert request.routing_method == "rule"  # routing ran (service=None)
    attachment = request.attachments.get()
    assert (attachment.content_type, attachment.original_name) == ("image/png", "box.png")

    receipt = citizen.get(done["Location"])
    html = receipt.content.decode()
    assert receipt.status_code == 200
    assert f'<p class="reference big" dir="ltr">{request.reference}</p>' in html
    assert "What happens next" in html
    assert "Algérie Télécom (Faults)" in html
    assert "first answer within 4 working hours" in html
    assert "solve it within 5 working days" in html
    assert reverse("portal:request", args=[request.reference]) in html


def test_congolese_number_is_accepted_and_stored_in_e164(citizen, web_rule):
    token = start(citizen)
    data = write_data(token, phone="06 612 3456", region="")
    citizen.post(SUBMIT, {**data, "action": "submit"})
    assert Request.objects.get().citizen_phone == "+242066123456"


@pytest.mark.parametrize(("typed", "stored"), [("+33 6 12 34 56 78", "+33612345678"),
                                               ("0033 6 12 34 56 78", "+33612345678"),
                                               ("+1 202 555 0143", "+12025550143")])
def test_a_citizen_abroad_submits_with_a_foreign_number(citizen, web_rule, typed, stored):
    token = start(citizen)
    citizen.post(SUBMIT, {**write_data(token, phone=typed, region=""), "action": "submit"})
    assert Request.objects.get().citizen_phone == stored


def test_request_without_wilaya_or_category_is_accepted(citizen, web_rule):
    token = start(citizen)
    data = write_data(token, region="", category="", name="", email="")
    response = citizen.post(SUBMIT, {**data, "action": "submit"})
    assert response.status_code == 302
    request = Request.objects.get()
    assert (request.region, request.commune, request.category) == (None, None, "")


def test_category_lists_public_services_localised_and_i_dont_know(orgs):
    from .conftest import browser

    html = browser("fr").get(SUBMIT).content.decode()
    assert '<option value="" selected>' in html
    assert "Dérangements" in html and "Courrier et colis" in html
    assert 'value="orientation"' not in html  # the orientation queue is not a citizen's category
    arabic = browser("ar").get(SUBMIT).content.decode()
    assert "الأعطال" in arabic and "الجزائر" in arabic  # service and wilaya names in Arabic


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "is not a valid phone number"),
        ({"phone": "+33 6 12"}, "phone", "the number with its country code (+33 6 12 34 56 78"),
        ({"phone": ""}, "phone", "This field is required"),
        ({"description": "   "}, "description", "This field is required"),
        ({"subject": ""}, "subject", "This field is required"),
        ({"description": "x" * 5001}, "description", "at most 5000 characters"),
        ({"subject": "x" * 201}, "subject", "at most 200 characters"),
        ({"email": "not-an-address"}, "email", "valid email address"),
    ],
)
def test_bad_input_rerenders_step_one_with_the_message_and_stores_nothing(
    citizen, web_rule, overrides, field, message
):
    token = start(citizen)
    for action in ("continue", "submit"):
        response = citizen.post(SUBMIT, {**write_data(token, **overrides), "action": action})
        html = response.content.decode()
        assert response.status_code == 400
        assert "Step 1 of 2" in html
        assert f'id="id_{field}_error" role="alert"' in html
        assert message in html
        assert 'aria-invalid="true"' in html
        assert "Internet coupé" in html or field == "subject"  # what the citizen typed is kept
    assert Request.objects.count() == 0
    assert Submission.objects.count() == 0


def test_commune_of_another_wilaya_is_refused(citizen, web_rule):
    token = start(citizen)
    oran_commune = Commune.objects.filter(region__code="31", region__country="DZ").first()
    response = citizen.post(SUBMIT, {**write_data(token), "commune": str(oran_commune.pk), "action": "submit"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Request.objects.count() == 0


def test_executable_renamed_jpg_is_refused_and_the_form_is_refilled(citizen, web_rule):
    token = start(citizen)
    data = write_data(token)
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode",
                              content_type="image/jpeg")
    response = citizen.post(SUBMIT, {**data, "attachments": [fake], "action": "submit"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Step 2 of 2" in html  # back on the step where files are chosen
    assert 'id="id_attachments_error" role="alert"' in html
    assert "“photo.jpg” is not an accepted type" in html
    assert 'value="Internet coupé"' in html
    assert 'value="0550 12 34 56"' in html
    assert Request.objects.count() == 0
    assert Submission.objects.count() == 0  # the token was not used up: the citizen can try again

    good = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    again = citizen.post(SUBMIT, {**data, "attachments": [good], "action": "submit"})
    assert again.status_code == 302
    assert Request.objects.count() == 1


def test_oversize_file_is_refused(citizen, web_rule, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    token = start(citizen)
    big = SimpleUploadedFile("scan.png", png_bytes((200, 200)) + b"\x00" * 2048, content_type="image/png")
    response = citizen.post(SUBMIT, {**write_data(token), "attachments": [big], "action": "submit"})
    assert response.status_code == 400
    assert "“scan.png” is too large" in response.content.decode()
    assert Request.objects.count() == 0


def test_too_many_files_are_refused(citizen, web_rule):
    token = start(citizen)
    files = [SimpleUploadedFile(f"p{i}.png", png_bytes(), content_type="image/png") for i in range(6)]
    response = citizen.post(SUBMIT, {**write_data(token), "attachments": files, "action": "submit"})
    assert response.status_code == 400
    assert "At most 5 files per message" in response.content.decode()
    assert Request.objects.count() == 0


def test_double_submit_creates_one_request_and_shows_the_same_receipt(citizen, web_rule):
    token = start(citizen)
    data = {**write_data(token), "action": "submit"}
    first = citizen.post(SUBMIT, data)
    second = citizen.post(SUBMIT, data)  # second press / reload of the POST
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Request.objects.count() == 1
    assert citizen.get(second["Location"]).status_code == 200


def test_service_refuses_a_second_request_for_the_same_token(web_rule):
    from bawaba.portal.services import do_submit_web_request

    token = uuid.uuid4()
    fields = {"citizen_phone": "0550123456", "subject": "Colis", "text": "Mon colis n'est pas arrivé."}
    first, created = do_submit_web_request(token=token, **fields)
    second, created_again = do_submit_web_request(token=token, **fields)
    assert (created, created_again) == (True, False)
    assert first.pk == second.pk
    assert Request.objects.count() == 1


def test_lost_token_on_submit_goes_back_to_confirmation_instead_of_creating(citizen, web_rule):
    response = citizen.post(SUBMIT, {**write_data("not-a-uuid"), "action": "submit"})
    assert response.status_code == 200
    assert "Step 2 of 2" in response.content.decode()
    assert Request.objects.count() == 0


def test_edit_returns_to_step_one_with_everything_typed(citizen, orgs):
    token = start(citizen)
    response = citizen.post(SUBMIT, {**write_data(token), "action": "edit"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Step 1 of 2" in html
    assert 'value="Internet coupé"' in html
    assert "Ma connexion ADSL est coupée" in html
    assert f'value="{token}"' in html
    assert 'role="alert"' not in html


def _fake_knowledge(monkeypatch, suggest):
    module = types.ModuleType("bawaba.knowledge.services")
    module.suggest_articles = suggest
    monkeypatch.setitem(sys.modules, "bawaba.knowledge.services", module)


def test_suggestions_come_first_and_answered_sends_nothing(citizen, orgs, monkeypatch):
    calls = []

    class Found:
        title = "Que faire si mon ADSL est coupé ?"
        summary = "Redémarrez le modem puis vérifiez le voyant DSL."

        def get_absolute_url(self):
            return "/kb/12-adsl-coupe/"

    def suggest(text, language="", limit=5):
        calls.append((text, language, limit))
        return [Found()]

    _fake_knowledge(monkeypatch, suggest)
    token = start(citizen)
    response = citizen.post(SUBMIT, {**write_data(token), "action": "continue"})
    html = response.content.decode()
    assert calls == [("Internet coupé\nMa connexion ADSL est coupée depuis hier soir à Bab Ezzouar.", "en", 5)]
    assert html.index("These articles may answer your question") < html.index("Submit my request anyway")
    assert 'href="/kb/12-adsl-coupe/"' in html
    assert "Redémarrez le modem" in html
    assert "This answered my question" in html

    answered = citizen.post(SUBMIT, {"action": "answered"})
    assert answered.status_code == 200
    assert "Glad we could help" in answered.content.decode()
    assert Request.objects.count() == 0


def test_a_failing_knowledge_search_does_not_block_the_request(citizen, web_rule, monkeypatch):
    def broken(text, language="", limit=5):
        raise RuntimeError("search index unavailable")

    _fake_knowledge(monkeypatch, broken)
    token = start(citizen)
    response = citizen.post(SUBMIT, {**write_data(token), "action": "continue"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "These articles may answer" not in html
    assert "Submit my request" in html


def test_real_knowledge_base_articles_are_suggested(citizen, orgs):
    from django.db import connection

    knowledge = pytest.importorskip("bawaba.knowledge.services")
    from bawaba.knowledge.models import Article

    if not hasattr(knowledge, "suggest_articles") or "knowledge_article" not in connection.introspection.table_names():
        pytest.skip("the knowledge base is not migrated yet")
    save = getattr(knowledge, "do_save_article", None)
    fields = {
        "organisation": orgs["algerie-telecom"], "language": "en", "title": "My ADSL internet is cut",
        "summary": "Restart the modem, then check the DSL light.",
        "body": "If your ADSL internet connection is cut, restart the modem and check the DSL light.",
        "tags": "adsl, internet, cut, connection", "is_published": True,
    }
    article = save(Article(**fields)) if save else Article.objects.create(**fields)
    token = start(citizen)
    data = write_data(token, subject="ADSL internet cut", description="My ADSL internet connection is cut.")
    html = citizen.post(SUBMIT, {**data, "action": "continue"}).content.decode()
    assert "My ADSL internet is cut" in html
    assert f'href="{article.get_absolute_url()}"' in html


def test_a_wilaya_written_in_other_digits_is_a_400_not_an_error(citizen, web_rule):
    token = start(citizen)
    for region in ("²", "9" * 30):
        response = citizen.post(SUBMIT, {**write_data(token), "region": region, "action": "continue"})
        assert response.status_code == 400
    assert Request.objects.count() == 0
