import io
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.test import Client
from PIL import Image

from bawaba.channels.email import ingest_email
from bawaba.servicedesk.models import MessageKind, Request

TOKEN = "gateway-secret-for-tests"


@pytest.fixture(autouse=True)
def gateway_token(settings):
    settings.CHANNEL_GATEWAY_TOKEN = TOKEN


@pytest.fixture
def routed_to_faults(orgs):
    """These tests are about the channels, not the classifier: a real routing rule per channel."""
    from bawaba.orgs.models import Service
    from bawaba.routing.models import RoutingRule

    faults = Service.objects.get(code="algerie-telecom/faults")
    for channel in ("email", "sms", "ussd"):
        RoutingRule.objects.create(name=f"all {channel}", channel=channel, service=faults)


def mail(subject, body, sender="Nadia Amrani <nadia.amrani@example.dz>", attachment=None):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "centre@bawaba.dz", subject
    message.set_content(body)
    if attachment:
        message.add_attachment(attachment[1], maintype=attachment[2].split("/")[0],
                               subtype=attachment[2].split("/")[1], filename=attachment[0])
    return message.as_bytes()


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3)).save(buffer, "PNG")
    return buffer.getvalue()


def test_an_email_becomes_a_request_with_address_phone_and_attachment(routed_to_faults):
    outcome = ingest_email(mail("Internet coupé", "Bonjour,\nplus d'internet depuis hier.\nTél : 0550 11 22 33",
                                attachment=("box.png", png(), "image/png")))
    request = outcome.request
    assert outcome.created and request.channel == "email"
    assert request.citizen_email == "nadia.amrani@example.dz" and request.citizen_name == "Nadia Amrani"
    assert request.citizen_phone == "+213550112233"
    assert request.attachments.count() == 1


def test_a_reply_with_the_reference_is_added_to_the_request(routed_to_faults):
    request = ingest_email(mail("Internet coupé", "Plus d'internet.")).request
    reply = mail(f"Re: [{request.reference}] Internet coupé", "Toujours rien ce matin.\n\n> ancien message")
    outcome = ingest_email(reply)
    assert not outcome.created and outcome.request == request
    message = request.messages.get(kind=MessageKind.CITIZEN)
    assert message.body == "Toujours rien ce matin."


def test_someone_else_cannot_write_into_a_request_by_quoting_its_reference(routed_to_faults):
    request = ingest_email(mail("Internet coupé", "Plus d'internet.")).request
    outcome = ingest_email(mail(f"Re: {request.reference}", "hello", sender="intruder@example.com"))
    assert outcome.created and outcome.request != request


def test_a_message_with_a_forbidden_attachment_is_bounced_whole(routed_to_faults, capsys, tmp_path):
    eml = tmp_path / "bad.eml"
    eml.write_bytes(mail("Facture", "Voir pièce jointe", attachment=("run.exe", b"MZ" + b"\0" * 64,
                                                                    "application/octet-stream")))
    with pytest.raises(SystemExit) as exit_code:
        call_command("channels", "email", str(eml))
    assert exit_code.value.code == 65
    assert "refused" in capsys.readouterr().err
    assert Request.objects.count() == 0


def post(path, data, token=TOKEN):
    return Client().post(path, data, headers={"X-Gateway-Token": token} if token else {})


def test_gateways_refuse_calls_without_the_shared_secret(orgs):
    assert post("/channels/sms", {"from": "0550112233", "text": "hi"}, token=None).status_code == 401
    assert post("/channels/sms", {"from": "0550112233", "text": "hi"}, token="wrong").status_code == 401
    assert Client().get("/channels/ussd").status_code == 405


def test_sms_opens_a_request_then_follows_it(routed_to_faults):
    response = post("/channels/sms", {"from": "+213550112233", "text": "ma3andich internet men lbare7"})
    assert response.status_code == 200
    request = Request.objects.get()
    assert request.reference in response.content.decode() and request.channel == "sms"

    response = post("/channels/sms", {"from": "0550112233", "text": f"{request.reference.lower()} mazal"})
    assert request.messages.get().body == "mazal"
    response = post("/channels/sms", {"from": "0550112233", "text": request.reference})
    assert request.reference in response.content.decode()
    # Another number quoting the reference opens its own request instead.
    post("/channels/sms", {"from": "0661000000", "text": f"{request.reference} hello"})
    assert Request.objects.count() == 2


def test_sms_with_an_invalid_number_is_a_clear_400(orgs):
    response = post("/channels/sms", {"from": "12", "text": "hello"})
    assert response.status_code == 400 and response.content


def test_ussd_menu_creates_and_follows_a_request(routed_to_faults):
    phone = {"phoneNumber": "+213661223344", "sessionId": "s1"}
    assert post("/channels/ussd", {**phone, "text": ""}).content.decode().startswith("CON")
    assert "Algérie Poste" in post("/channels/ussd", {**phone, "text": "1"}).content.decode()
    assert post("/channels/ussd", {**phone, "text": "1*1"}).content.decode().startswith("CON")
    final = post("/channels/ussd", {**phone, "text": "1*1*pas de tonalite sur ma ligne"}).content.decode()
    request = Request.objects.get()
    assert final == f"END Demande reçue. Votre référence : {request.reference}" or request.reference in final
    assert request.channel == "ussd" and request.category == "algerie-telecom/faults"

    status = post("/channels/ussd", {**phone, "text": f"2*{request.reference}"}).content.decode()
    assert status.startswith("END") and request.reference in status
    wrong = post("/channels/ussd", {"phoneNumber": "+213550000000", "text": f"2*{request.reference}"})
    assert request.reference not in wrong.content.decode()
    assert post("/channels/ussd", {**phone, "text": "1*9"}).content.decode().startswith("END")
