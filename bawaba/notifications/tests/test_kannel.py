"""The notification path through a real Kannel (bearerbox + smsbox + the fake SMSC): SMS out through
sendsms, delivery reports back through the dlr-url, citizens' SMS in through the get-url."""

import pytest

from bawaba.notifications.models import DeliveryReport, OptOut, OutboundMessage, State
from bawaba.notifications.services import send_due
from bawaba.servicedesk.models import MessageKind, Status
from bawaba.servicedesk.services import do_reply, do_transition

from .kannel import wait_for

pytestmark = [
    pytest.mark.kannel,
    pytest.mark.xdist_group("kannel"),  # one Kannel per worker: keep its tests together
    pytest.mark.django_db(transaction=True),
]


def _sms_to(kannel, phone, count=1):
    return wait_for(lambda: len(kannel.received_by(phone)) >= count and kannel.received_by(phone),
                    what=f"{count} SMS to {phone} at the fake SMSC")


def _state(message, state):
    return wait_for(lambda: OutboundMessage.objects.get(pk=message.pk).state == state,
                    what=f"message {message.pk} {state}")


def test_an_agent_reply_reaches_the_citizens_phone_in_french_and_its_delivery_report_is_stored(
        through_kannel, make_request, at_agent, client):
    req = make_request(citizen_phone="0550 11 22 01", language="fr")
    client.force_login(at_agent)  # the agent answers on the desk's request page
    response = client.post(f"/desk/r/{req.reference}/reply/", {"body": "Un technicien passera demain matin."})
    assert response.status_code == 302

    assert send_due() == 1
    [sms] = _sms_to(through_kannel, "+213550112201")
    assert sms.sender == "Bawaba"
    assert sms.text.startswith(f"Votre demande {req.reference} a une réponse")
    assert "https://bawaba.example/s/" + req.reference.replace("-", "") in sms.text

    message = OutboundMessage.objects.get(reference=req.reference, channel="sms")
    _state(message, State.DELIVERED)
    reports = list(DeliveryReport.objects.filter(message=message).values_list("status", flat=True))
    assert "kannel:1" in reports  # delivered to the handset (the SMSC's acceptance, 8, may come first)
    message.refresh_from_db()
    assert message.provider == "kannel" and message.provider_message_id and message.delivered_at


def test_an_arabic_request_gets_its_sms_in_arabic_in_one_ucs2_segment(through_kannel, make_request, at_agent):
    req = make_request(citizen_phone="0550 11 22 02", language="ar",
                       subject="انقطاع الإنترنت", text="الإنترنت مقطوع منذ أمس")
    do_transition(req, Status.RESOLVED, actor=at_agent)
    send_due()
    [sms] = _sms_to(through_kannel, "+213550112202")
    assert req.reference in sms.text and "طلبكم" in sms.text
    assert len(sms.text) <= 70


def test_darija_in_latin_letters_is_answered_in_french(through_kannel, make_request, at_agent):
    req = make_request(citizen_phone="0550 11 22 03", language="arq-Latn", text="l'internet maranich n9der")
    do_reply(req, "Nous vérifions la ligne.", actor=at_agent)
    send_due()
    [sms] = _sms_to(through_kannel, "+213550112203")
    assert sms.text.startswith("Votre demande")


def test_a_citizens_sms_reaches_the_request_through_smsbox_get_url(through_kannel, make_request, at_agent):
    req = make_request(citizen_phone="0550 11 22 04", language="fr")
    do_reply(req, "Quel est votre numéro de ligne ?", actor=at_agent, wait_for_citizen=True)
    through_kannel.citizen_sends("+213550112204", f"{req.reference} ma ligne est le 021 00 00 00")

    wait_for(lambda: req.messages.filter(kind=MessageKind.CITIZEN).exists(), what="the citizen's message")
    assert req.messages.get(kind=MessageKind.CITIZEN).body == "ma ligne est le 021 00 00 00"
    req.refresh_from_db()
    assert req.status == Status.IN_PROGRESS  # no longer waiting for the citizen
    # The channel's answer goes back to the citizen through Kannel.
    wait_for(lambda: any("ajouté" in sms.text for sms in through_kannel.received_by("+213550112204")),
             what="the channel's acknowledgement")


def test_stop_by_sms_in_arabic_stops_every_further_message(through_kannel, make_request, at_agent):
    req = make_request(citizen_phone="0550 11 22 05", language="ar", subject="شكوى", text="الهاتف لا يعمل")
    through_kannel.citizen_sends("+213550112205", "توقف")
    wait_for(lambda: OptOut.objects.filter(channel="sms", address="+213550112205").exists(), what="the opt-out")
    acknowledgement = wait_for(lambda: through_kannel.received_by("+213550112205"), what="the confirmation")
    assert "لن" in acknowledgement[0].text  # "you will receive no more SMS", in Arabic

    do_reply(req, "تم إصلاح العطل.", actor=at_agent)
    assert send_due() == 0
    message = OutboundMessage.objects.get(reference=req.reference, channel="sms")
    assert message.state == State.STOPPED
    assert len(through_kannel.received_by("+213550112205")) == 1  # the confirmation only


def test_one_event_is_one_sms_however_often_the_sweep_runs(through_kannel, make_request, at_agent):
    req = make_request(citizen_phone="0550 11 22 06", language="fr")
    do_reply(req, "Réponse unique.", actor=at_agent)
    assert send_due() == 1
    assert send_due() == 0
    _sms_to(through_kannel, "+213550112206")
    wait_for(lambda: DeliveryReport.objects.filter(message__reference=req.reference, status="kannel:1").exists(),
             what="the delivery report")
    send_due()
    assert len(through_kannel.received_by("+213550112206")) == 1


def test_kannel_refusing_the_credentials_fails_the_message_visibly(through_kannel, settings, make_request,
                                                                  at_agent, client):
    settings.KANNEL_PASSWORD = "wrong"
    req = make_request(citizen_phone="0550 11 22 07", language="fr")
    do_reply(req, "Réponse.", actor=at_agent)
    send_due()
    message = OutboundMessage.objects.get(reference=req.reference, channel="sms")
    assert message.state == State.FAILED  # refused (403): trying again would not help
    assert "403" in message.error
    client.force_login(at_agent)
    page = client.get(f"/desk/r/{req.reference}/").content.decode()
    assert f'data-notification="{message.pk}" data-channel="sms" data-state="failed"' in page
