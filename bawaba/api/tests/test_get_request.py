"""GET /api/v1/requests/{reference}: the whole request for staff, nothing for other organisations."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bawaba.orgs.models import Service
from bawaba.servicedesk.services import do_add_note, do_citizen_message, do_reply, do_transfer


def png() -> bytes:
    """A real one-pixel PNG: uploads are decoded whole, so a damaged image would be refused."""
    buffer = io.BytesIO()
    Image.new("RGBA", (1, 1)).save(buffer, "PNG")
    return buffer.getvalue()


def test_detail_has_messages_notes_attachments_and_history(api, make_request, at_agent):
    req = make_request()
    do_reply(req, "Un technicien passera demain.", actor=at_agent)
    do_add_note(req, "Client déjà appelé deux fois.", actor=at_agent)
    do_citizen_message(req, "Merci, je serai là.", attachments=[SimpleUploadedFile("photo.png", png())])

    response = api.get(f"/api/v1/requests/{req.reference}")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == req.reference
    assert [(m["kind"], m["public"], m["author"]) for m in body["messages"]] == [
        ("reply", True, "at.agent"), ("note", False, "at.agent"), ("citizen", True, None)]
    assert body["messages"][1]["body"] == "Client déjà appelé deux fois."
    assert body["messages"][2]["attachments"][0]["content_type"] == "image/png"
    assert body["attachments"][0]["sha256"] == body["messages"][2]["attachments"][0]["sha256"]
    kinds = [event["kind"] for event in body["history"]]
    assert kinds[:2] == ["created", "routed"]
    assert {"replied", "note", "citizen_message", "attachment"} <= set(kinds)
    assert body["history"][0]["label"] == "Created"


def test_reference_is_found_however_it_is_typed(api, make_request):
    req = make_request()
    typed = req.reference.replace("-", " ").lower()
    assert api.get(f"/api/v1/requests/{typed}").json()["reference"] == req.reference


def test_request_of_another_organisation_answers_404_like_an_unknown_one(api, make_request):
    other = make_request(service_code="mobilis/network")
    hidden = api.get(f"/api/v1/requests/{other.reference}")
    unknown = api.get("/api/v1/requests/AAAA-AAAA")
    garbage = api.get("/api/v1/requests/%22%3Cscript%3E")
    assert hidden.status_code == unknown.status_code == garbage.status_code == 404
    assert hidden.json() == unknown.json() == {"detail": "Not found.", "errors": {}}


def test_request_transferred_away_stays_readable(api, make_request, at_agent):
    req = make_request()
    do_transfer(req, Service.objects.get(code="algerie-poste/mail"), actor=at_agent, reason="Courrier")
    body = api.get(f"/api/v1/requests/{req.reference}").json()
    assert body["organisation"] == "algerie-poste"
    assert body["read_only"] is True
    assert body["history"][-1]["data"]["across_organisations"] is True
