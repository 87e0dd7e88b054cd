"""Following a request: reference and phone must both match; the citizen sees only public messages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bawaba.servicedesk.models import MessageKind, Status
from bawaba.servicedesk.services import do_add_note, do_reply, do_transition

from .conftest import browser, png_bytes

pytestmark = pytest.mark.django_db

TRACK = "/track/"
NOT_FOUND = "We found no request with this reference and this phone number."


def spoken(reference: str) -> str:
    """How a citizen may type it back: lower case, a space instead of the dash."""
    return reference.lower().replace("-", " ")


def open_request(client, request, phone="+213 550 12 34 56"):
    response = client.post(TRACK, {"reference": spoken(request.reference), "phone": phone})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("portal:request", args=[request.reference])
    return client.get(response["Location"])


def test_track_with_forgiving_reference_and_phone_shows_the_request(citizen, make_request):
    request = make_request(citizen_phone="0550 12 34 56")
    page = open_request(citizen, request)
    html = page.content.decode()
    assert page.status_code == 200
    assert request.reference in html
    assert "New" in html  # translated status label
    assert "Algérie Télécom – Faults" in html
    assert "Ma connexion ADSL est coupée" in html


@pytest.mark.parametrize("case", ["wrong phone", "wrong reference", "both wrong"])
def test_wrong_credentials_get_the_same_generic_answer(citizen, make_request, case):
    from bawaba.core.references import new_reference

    request = make_request(citizen_phone="0550 12 34 56")
    make_request(citizen_phone="0661 22 33 44")
    reference = request.reference if case == "wrong phone" else new_reference()
    phone = "0550 12 34 56" if case == "wrong reference" else "0661 22 33 44"
    response = citizen.post(TRACK, {"reference": reference, "phone": phone})
    html = response.content.decode()
    assert response.status_code == 404
    assert NOT_FOUND in html
    assert request.subject not in html
    assert citizen.get(reverse("portal:request", args=[request.reference])).status_code == 302  # not granted


def test_malformed_reference_or_phone_is_a_400_with_a_field_message(citizen, orgs):
    response = citizen.post(TRACK, {"reference": "HELLO", "phone": "abc"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_reference_error" role="alert"' in html
    assert "This is not a valid reference" in html
    assert 'id="id_phone_error" role="alert"' in html


def test_request_page_needs_the_phone_check_in_this_session(make_request):
    request = make_request()
    stranger = browser()
    response = stranger.get(reverse("portal:request", args=[request.reference]))
    assert response.status_code == 302
    assert response["Location"] == f"{TRACK}?reference={request.reference}"
    assert request.reference in stranger.get(response["Location"]).content.decode()  # prefilled
    receipt = stranger.get(reverse("portal:receipt", args=[request.reference]))
    assert receipt.status_code == 302 and receipt["Location"].startswith(TRACK)


def test_internal_notes_are_never_shown(citizen, make_request, at_agent):
    request = make_request()
    do_add_note(request, "Client connu pour des réclamations abusives", actor=at_agent,
                attachments=[SimpleUploadedFile("internal.png", png_bytes(), content_type="image/png")])
    do_reply(request, "Un technicien passera demain matin.", actor=at_agent)
    html = open_request(citizen, request).content.decode()
    assert "Un technicien passera demain matin." in html
    assert "Algérie Télécom" in html
    assert "réclamations abusives" not in html
    assert "internal.png" not in html
    assert "Amina" not in html  # agents' names are not shown to citizens
    note_file = request.attachments.get(message__kind=MessageKind.INTERNAL_NOTE)
    download = citizen.get(reverse("portal:attachment", args=[request.reference, note_file.pk]))
    assert download.status_code == 404


def test_citizen_answer_resumes_a_waiting_request(citizen, make_request, at_agent):
    request = make_request()
    do_reply(request, "Quel est votre numéro de ligne fixe ?", actor=at_agent, wait_for_citizen=True)
    request.refresh_from_db()
    assert request.status == Status.WAITING
    page = open_request(citizen, request)
    html = page.content.decode()
    assert "We need information from you to continue." in html
    assert html.index("We need information from you") < html.index("Quel est votre numéro")
    assert "Answer the agent" in html

    token = "2f1c1c3e-3b7a-4a43-9d55-8f8d9b0f6c11"
    proof = SimpleUploadedFile("facture.png", png_bytes(), content_type="image/png")
    url = reverse("portal:request", args=[request.reference])
    sent = citizen.post(url, {"token": token, "body": "021 23 45 67", "attachments": [proof]})
    assert sent.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    message = request.messages.get(kind=MessageKind.CITIZEN)
    assert message.body == "021 23 45 67"
    assert message.attachments.get().original_name == "facture.png"

    again = citizen.post(url, {"token": token, "body": "021 23 45 67"})  # double tap on "Send"
    assert again.status_code == 302
    assert request.messages.filter(kind=MessageKind.CITIZEN).count() == 1

    html = citizen.get(url).content.decode()
    assert "Your message has been sent." in html
    assert "facture.png" in html
    download = citizen.get(reverse("portal:attachment", args=[request.reference, message.attachments.get().pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == png_bytes()
    assert browser().get(reverse("portal:attachment", args=[request.reference, message.attachments.get().pk])
                         ).status_code == 404


def test_a_message_that_failed_to_store_is_stored_when_sent_again(citizen, make_request, monkeypatch):
    from django.db import OperationalError

    from bawaba.portal import views

    request = make_request()
    open_request(citizen, request)
    url = reverse("portal:request", args=[request.reference])
    store = views.do_citizen_message
    failures = iter([OperationalError("database is locked")])

    def failing_once(*args, **kwargs):  # a fault injected once: the database gives up on a lock
        for error in failures:
            raise error
        return store(*args, **kwargs)

    monkeypatch.setattr(views, "do_citizen_message", failing_once)
    citizen.raise_request_exception = False
    data = {"token": "0d6f3f9a-6a55-4a4e-9d3b-1b9c2f0f7a21", "body": "Toujours pas de ligne."}
    assert citizen.post(url, data).status_code == 500
    assert not request.messages.exists()
    assert citizen.post(url, data).status_code == 302  # the same form sent again
    assert request.messages.get(kind=MessageKind.CITIZEN).body == "Toujours pas de ligne."


def test_bad_citizen_message_is_refused_with_the_message(citizen, make_request):
    request = make_request()
    open_request(citizen, request)
    url = reverse("portal:request", args=[request.reference])
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 100, content_type="image/jpeg")
    response = citizen.post(url, {"body": "Voici la photo", "attachments": [fake]})
    assert response.status_code == 400
    assert "is not an accepted type" in response.content.decode()
    empty = citizen.post(url, {"body": "  "})
    assert empty.status_code == 400
    assert "This field is required" in empty.content.decode()
    assert not request.messages.exists()


def test_closed_request_cannot_be_answered(citizen, make_request, at_agent):
    request = make_request()
    do_transition(request, Status.CLOSED, actor=at_agent)
    html = open_request(citizen, request).content.decode()
    assert "This request is closed" in html
    assert 'name="body"' not in html
    response = citizen.post(reverse("portal:request", args=[request.reference]), {"body": "Encore là ?"})
    assert response.status_code == 409
    assert "This request is closed. Please submit a new request." in response.content.decode()
    assert not request.messages.exists()


def test_request_page_queries_do_not_grow_with_messages(citizen, make_request, at_agent):
    request = make_request()
    open_request(citizen, request)
    url = reverse("portal:request", args=[request.reference])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert citizen.get(url).status_code == 200
        return len(queries)

    do_reply(request, "Première réponse", actor=at_agent,
             attachments=[SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")])
    few = count()
    for i in range(4):  # still one page (five messages a page)
        do_reply(request, f"Réponse {i}", actor=at_agent,
                 attachments=[SimpleUploadedFile(f"r{i}.png", png_bytes(), content_type="image/png")])
    assert count() == few


def test_long_conversations_are_paginated_latest_first(citizen, make_request, at_agent):
    request = make_request()
    for i in range(7):
        do_reply(request, f"Réponse numéro {i:02d}", actor=at_agent)
    latest = open_request(citizen, request).content.decode()
    assert "Réponse numéro 06" in latest and "Réponse numéro 02" in latest
    assert "Réponse numéro 01" not in latest
    assert latest.index("Réponse numéro 02") < latest.index("Réponse numéro 06")  # oldest first on the page
    assert "Ma connexion ADSL est coupée" not in latest  # the original text is on the last page
    assert 'href="?page=2"' in latest and "Older messages" in latest
    older = citizen.get(reverse("portal:request", args=[request.reference]) + "?page=2").content.decode()
    assert "Ma connexion ADSL est coupée" in older and "Réponse numéro 00" in older
    assert "Réponse numéro 06" not in older
    assert 'href="?page=1"' in older and "Newer messages" in older
    assert citizen.get(reverse("portal:request", args=[request.reference]) + "?page=zzz").status_code == 200
