"""Pick-up codes at the counter: single use, expiry, wrong-attempt limit, hand-over recorded as EMI."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bawaba.postal import pickup
from bawaba.postal.models import Item, PickupAttempt, TrackingEvent
from bawaba.postal.tracking import EventInput, record_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(poste, make_item):
    """An item that failed delivery and waits at the Alger-RP counter (EDH there), with a code issued."""
    item = make_item()
    now = timezone.now()
    record_events(poste, [
        EventInput(item.number, "EMA", now - dt.timedelta(days=2), office_code="16001"),
        EventInput(item.number, "EMG", now - dt.timedelta(days=1), office_code="16001-DIST"),
        EventInput(item.number, "EMH", now - dt.timedelta(hours=6), office_code="16001-DIST", reason_code="ABS"),
        EventInput(item.number, "EDH", now - dt.timedelta(hours=2), office_code="16001"),
    ])
    item.refresh_from_db()
    code = pickup.issue_code(item, now=now - dt.timedelta(hours=2))
    return item, code


def test_only_the_hash_of_the_code_is_kept(held):
    item, code = held
    item.refresh_from_db()
    assert code not in item.pickup_code_hash and len(item.pickup_code_hash) == 64
    assert item.pickup_code_expires_at > timezone.now()


def test_the_right_code_hands_the_item_over_once(clerk, held):
    item, code = held
    done = pickup.do_hand_over(clerk, item.number, code, "Nadia Belkacem")
    assert done.status == "delivered" and done.pickup_code_hash == ""
    event = TrackingEvent.objects.get(item=item, code="EMI")
    assert event.signatory == "Nadia Belkacem" and event.user == clerk and event.source == "counter"
    assert event.details["counter"] == "16001"
    with pytest.raises(pickup.PickupRefused) as refused:  # single use: the item is no longer waiting
        pickup.do_hand_over(clerk, item.number, code, "Nadia Belkacem")
    assert refused.value.status == 404
    assert TrackingEvent.objects.filter(item=item, code="EMI").count() == 1


def test_an_expired_code_is_refused(clerk, held):
    item, code = held
    with pytest.raises(pickup.PickupRefused) as refused:
        pickup.do_hand_over(clerk, item.number, code, "Nadia", now=timezone.now() + pickup.CODE_VALID)
    assert refused.value.code == "expired"
    assert not TrackingEvent.objects.filter(item=item, code="EMI").exists()


def test_wrong_codes_are_counted_then_the_item_is_locked_until_a_new_code(clerk, held):
    item, code = held
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(pickup.MAX_WRONG_ATTEMPTS):
        with pytest.raises(pickup.PickupRefused) as refused:
            pickup.do_hand_over(clerk, item.number, wrong, "Nadia")
        assert refused.value.code == "wrong_code"
    assert PickupAttempt.objects.filter(item=item, succeeded=False).count() == pickup.MAX_WRONG_ATTEMPTS
    with pytest.raises(pickup.PickupRefused) as refused:  # even the right code now
        pickup.do_hand_over(clerk, item.number, code, "Nadia")
    assert refused.value.code == "locked" and refused.value.status == 429
    new_code = pickup.issue_code(Item.objects.get(pk=item.pk))
    assert pickup.do_hand_over(clerk, item.number, new_code, "Nadia").status == "delivered"


def test_a_clerk_of_another_office_cannot_hand_it_over(poste, network, held):
    from bawaba.postal.tests.conftest import _postal_staff

    item, code = held
    other = _postal_staff(poste, "oran.clerk", ["postal.clerk"], office=network["oran_delivery"])
    with pytest.raises(pickup.PickupRefused) as refused:
        pickup.do_hand_over(other, item.number, code, "Nadia")
    assert refused.value.status == 404
    assert not PickupAttempt.objects.exists()


def test_the_counter_page_hands_over_and_answers_a_wrong_code_with_a_4xx(client, clerk, held):
    item, code = held
    client.force_login(clerk)
    page = client.get(reverse("postal:pickup"))
    assert page.status_code == 200 and item.number in page.content.decode()
    wrong = client.post(reverse("postal:pickup"), {"number": item.number, "code": "12", "signatory": "N"})
    assert wrong.status_code == 400
    done = client.post(reverse("postal:pickup"), {"number": item.number, "code": code, "signatory": "Nadia"})
    assert done.status_code == 302
    assert Item.objects.get(pk=item.pk).status == "delivered"


def test_the_counter_page_is_for_clerks(client, postman, held):
    client.force_login(postman)
    assert client.get(reverse("postal:pickup")).status_code == 403


def test_the_counter_takes_in_a_failed_item_and_the_recipient_gets_a_code(
        client, poste, clerk, make_item, django_capture_on_commit_callbacks):
    from bawaba.notifications.models import OutboundMessage

    item = make_item()
    now = timezone.now()
    record_events(poste, [
        EventInput(item.number, "EMA", now - dt.timedelta(days=2), office_code="16001"),
        EventInput(item.number, "EMH", now - dt.timedelta(hours=3), office_code="16001-DIST", reason_code="ABS"),
    ])
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("postal:pickup_receive"), {"number": item.number})
    assert response.status_code == 302
    held = TrackingEvent.objects.get(item=item, code="EDH")
    assert held.office.code == "16001" and held.user == clerk
    message = OutboundMessage.objects.get(reference=item.number, template="postal.held")
    assert "Alger-RP" in message.body
    assert item.number in client.get(reverse("postal:pickup")).content.decode()
    with pytest.raises(pickup.PickupRefused) as refused:  # delivered items cannot be taken in
        pickup.do_receive_for_pickup(clerk, make_item(status="delivered").number)
    assert refused.value.status == 409
