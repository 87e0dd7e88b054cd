"""The recipient's SMS at EMG/EDH with a one-time pick-up code and a signed link (through the real
notification outbox), and the recipient's choice recorded from that link."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from bawaba.notifications.models import OutboundMessage
from bawaba.postal import notices, pickup
from bawaba.postal.models import DeliveryInstruction, Item, TrackingEvent
from bawaba.postal.tracking import EventInput, record_events

pytestmark = pytest.mark.django_db


def arrive(poste, item, code="EMG", office="16001-DIST", now=None):
    now = now or timezone.now()
    record_events(poste, [EventInput(item.number, "EMA", now - dt.timedelta(days=2), office_code="16001"),
                          EventInput(item.number, code, now - dt.timedelta(hours=1), office_code=office)])


def test_arrival_at_the_delivery_office_sends_one_sms_with_a_working_code_and_link(
        poste, make_item, clerk, django_capture_on_commit_callbacks):
    item = make_item()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        arrive(poste, item, now=now)
    message = OutboundMessage.objects.get(topic="postal.item", reference=item.number)
    assert message.channel == "sms" and message.recipient == "+213661234567"
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    link = re.search(r"(https?://\S+)", message.body).group(1)
    assert "Nadia" not in message.body and "/post/r/" in link
    item.refresh_from_db()
    assert item.pickup_code_hash == pickup.code_hash(item, code)
    # The same events again, or a second arrival scan later, tell nobody twice (the code stays in force).
    with django_capture_on_commit_callbacks(execute=True):
        arrive(poste, item, now=now)
        record_events(poste, [EventInput(item.number, "EMG", now - dt.timedelta(minutes=20),
                                         office_code="16001-DIST")])
    assert TrackingEvent.objects.filter(item=item, code="EMG").count() == 2
    assert OutboundMessage.objects.filter(reference=item.number).count() == 1
    assert Item.objects.get(pk=item.pk).pickup_code_hash == item.pickup_code_hash
    # The code opens the hand-over at the delivery office's counter side.
    page = Client().get(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert page.status_code == 200 and item.number in page.content.decode()


def test_held_at_a_pickup_point_names_the_place(poste, make_item, django_capture_on_commit_callbacks):
    item = make_item()
    with django_capture_on_commit_callbacks(execute=True):
        arrive(poste, item, code="EDH", office="16001")
    message = OutboundMessage.objects.get(reference=item.number)
    assert message.template == "postal.held" and "Alger-RP" in message.body


def test_no_phone_no_message_and_no_code(poste, make_item, django_capture_on_commit_callbacks):
    item = make_item(recipient_phone="")
    with django_capture_on_commit_callbacks(execute=True):
        arrive(poste, item)
    assert not OutboundMessage.objects.exists()
    assert Item.objects.get(pk=item.pk).pickup_code_hash == ""


def test_a_late_arrival_scan_after_delivery_tells_nobody(poste, make_item, django_capture_on_commit_callbacks):
    item = make_item()
    now = timezone.now()
    record_events(poste, [EventInput(item.number, "EMA", now - dt.timedelta(days=3), office_code="16001"),
                          EventInput(item.number, "EMI", now - dt.timedelta(hours=1), office_code="16001-DIST",
                                     signatory="N")])
    with django_capture_on_commit_callbacks(execute=True):
        record_events(poste, [EventInput(item.number, "EMG", now - dt.timedelta(hours=5),
                                         office_code="16001-DIST")])
    assert not OutboundMessage.objects.exists()


def test_the_recipient_chooses_from_the_signed_link_and_a_forged_link_is_404(poste, make_item):
    item = make_item()
    arrive(poste, item)
    code = notices.choice_code(item)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/post/r/{code}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Nadia" not in html and "Didouche" not in html
    response = client.post(f"/post/r/{code}/", {"choice": "hold"})
    assert response.status_code == 200 and 'id="choice-done"' in response.content.decode()
    assert DeliveryInstruction.objects.get(item=item).choice == "hold"
    assert client.post(f"/post/r/{code}/", {"choice": "burn"}).status_code == 400
    forged = code[:-1] + ("a" if code[-1] != "a" else "b")
    assert client.get(f"/post/r/{forged}/").status_code == 404


def test_no_choice_once_delivered(poste, make_item):
    item = make_item()
    now = timezone.now()
    record_events(poste, [EventInput(item.number, "EMI", now - dt.timedelta(hours=1), office_code="16001-DIST",
                                     signatory="N")])
    with pytest.raises(notices.ChoiceRefused):
        notices.do_record_choice(Item.objects.get(pk=item.pk), "redeliver")
    page = Client().get(f"/post/r/{notices.choice_code(item)}/")
    assert page.status_code == 200 and 'id="choice-form"' not in page.content.decode()


def test_every_notice_text_is_translated_in_french_and_arabic():
    from django.utils import translation

    from bawaba.notifications.texts import TEMPLATES

    context = {"reference": "RR473124829DZ", "code": "123456", "link": "https://bawaba.dz/post/r/x", "office": "X"}
    for key in ("postal.arrived", "postal.held"):
        with translation.override("en"):
            english = TEMPLATES[key].sms(context)
        for language in ("fr", "ar"):
            with translation.override(language):
                assert TEMPLATES[key].sms(context) != english, (key, language)
