"""The postman's round: taking out the office's items (EDG), recording deliveries from the phone, replays."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from bawaba.postal import rounds
from bawaba.postal.models import DeliveryProof, Item, RecipientChoice, RoundItem, TrackingEvent
from bawaba.postal.tracking import EventInput, record_events

pytestmark = pytest.mark.django_db


def png(width=120, height=40):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return SimpleUploadedFile("signature.png", buffer.getvalue(), content_type="image/png")


def arrive(poste, item, hours_ago=3):
    now = timezone.now()
    record_events(poste, [
        EventInput(item.number, "EMA", now - dt.timedelta(hours=hours_ago + 20), office_code="16001"),
        EventInput(item.number, "EMG", now - dt.timedelta(hours=hours_ago), office_code="16001-DIST"),
    ])
    item.refresh_from_db()
    return item


@pytest.fixture
def arrived(poste, make_item):
    return [arrive(poste, make_item()) for _ in range(3)]


def fields(item, outcome="delivered", client_id="c0ffee00-0000-4000-8000-000000000001", **extra):
    data = {"client_id": client_id, "number": item.number, "outcome": outcome,
            "occurred_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(), "latitude": "36.7525",
            "longitude": "3.0420", "accuracy": "8", "device": "phone-test"}
    if outcome == "delivered":
        data["signatory"] = "Nadia Belkacem"
    data.update(extra)
    return data


def test_taking_out_the_round_records_out_for_delivery_once_per_item(poste, postman, arrived):
    round_ = rounds.do_take_out_round(postman)
    assert round_.entries.count() == 3
    assert TrackingEvent.objects.filter(code="EDG", source="postman", user=postman).count() == 3
    assert set(Item.objects.values_list("status", flat=True)) == {"out_for_delivery"}
    with pytest.raises(rounds.RoundRefused):  # nothing left waiting
        rounds.do_take_out_round(postman)


def test_an_item_the_recipient_asked_to_keep_is_left_out_of_the_round(poste, postman, arrived):
    from bawaba.postal.notices import do_record_choice

    do_record_choice(arrived[0], RecipientChoice.HOLD)
    round_ = rounds.do_take_out_round(postman)
    assert arrived[0].pk not in set(round_.entries.values_list("item_id", flat=True))
    assert list(rounds.held_on_request(arrived[0].delivery_office)) == [arrived[0]]


def test_a_delivery_from_the_phone_is_recorded_with_device_time_gps_signature_and_photo(
        client, poste, postman, arrived):
    rounds.do_take_out_round(postman)
    item = arrived[0]
    client.force_login(postman)
    data = fields(item)
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(photo, format="JPEG")
    response = client.post(reverse("postal:round_record"), {
        **data, "signature": png(), "photo": SimpleUploadedFile("door.jpg", photo.getvalue(), "image/jpeg")},
        HTTP_ACCEPT="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["id"] == data["client_id"]
    event = TrackingEvent.objects.get(item=item, code="EMI")
    assert event.occurred_at == dt.datetime.fromisoformat(data["occurred_at"])  # the phone's time
    assert event.recorded_at > event.occurred_at and event.source == "postman" and event.user == postman
    assert event.signatory == "Nadia Belkacem" and str(event.latitude) == "36.752500"
    assert event.details["signature_sha256"] and event.details["photo_sha256"] and event.device == "phone-test"
    assert DeliveryProof.objects.filter(item=item).count() == 2
    assert RoundItem.objects.get(item=item).outcome == "delivered"
    item.refresh_from_db()
    assert item.status == "delivered"


def test_the_same_record_sent_again_is_stored_once(client, poste, postman, arrived):
    rounds.do_take_out_round(postman)
    client.force_login(postman)
    data = fields(arrived[0])
    first = client.post(reverse("postal:round_record"), {**data, "signature": png()}, HTTP_ACCEPT="application/json")
    again = client.post(reverse("postal:round_record"), {**data, "signature": png()}, HTTP_ACCEPT="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "created": False}
    assert TrackingEvent.objects.filter(item=arrived[0], code="EMI").count() == 1
    assert DeliveryProof.objects.filter(item=arrived[0]).count() == 1


def test_an_unsuccessful_attempt_keeps_reason_and_action(client, poste, postman, arrived):
    rounds.do_take_out_round(postman)
    client.force_login(postman)
    response = client.post(reverse("postal:round_record"), fields(arrived[1], "failed", reason_code="ABS"),
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    event = TrackingEvent.objects.get(item=arrived[1], code="EMH")
    assert (event.reason_code, event.action_code) == ("ABS", "HLD")  # the reason's default action


@pytest.mark.parametrize("change, field", [
    ({"signatory": ""}, "signatory"),
    ({"occurred_at": ""}, "occurred_at"),
    ({"latitude": "123"}, "latitude"),
    ({"client_id": "x"}, "client_id"),
    ({"outcome": "lost"}, "outcome"),
])
def test_a_faulty_record_is_refused_with_the_reason_and_nothing_is_stored(client, postman, arrived, change, field):
    client.force_login(postman)
    response = client.post(reverse("postal:round_record"), {**fields(arrived[0], **change), "signature": png()},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert not TrackingEvent.objects.filter(code="EMI").exists() and not DeliveryProof.objects.exists()


def test_a_delivery_without_signature_or_with_a_fake_png_is_refused(client, postman, arrived):
    client.force_login(postman)
    url = reverse("postal:round_record")
    missing = client.post(url, fields(arrived[0]), HTTP_ACCEPT="application/json")
    fake = client.post(url, {**fields(arrived[0]), "signature": SimpleUploadedFile("s.png", b"<svg/>" * 10)},
                       HTTP_ACCEPT="application/json")
    assert missing.status_code == fake.status_code == 400
    assert "signature" in missing.json()["errors"] and "signature" in fake.json()["errors"]
    assert not TrackingEvent.objects.filter(code="EMI").exists()


def test_a_delivery_dated_in_the_future_is_refused(client, postman, arrived):
    client.force_login(postman)
    later = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    response = client.post(reverse("postal:round_record"), {**fields(arrived[0], occurred_at=later),
                                                             "signature": png()}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "futur" in response.json()["detail"]


def test_a_postman_cannot_record_an_item_of_another_office(client, poste, make_item, network):
    from bawaba.postal.tests.conftest import _postal_staff

    oran_postman = _postal_staff(poste, "oran.postman", ["postal.postman"], office=network["oran_delivery"])
    item = arrive(poste, make_item())  # delivered by Alger-Centre
    client.force_login(oran_postman)
    response = client.post(reverse("postal:round_record"), {**fields(item), "signature": png()},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    page = client.get(reverse("postal:round"))
    assert page.status_code == 200 and item.number not in page.content.decode()


def test_another_posts_postman_sees_nothing_of_this_round(client, sopeco, poste, postman, arrived):
    from bawaba.geo.models import Region
    from bawaba.postal.models import Office, OfficeKind
    from bawaba.postal.tests.conftest import _postal_staff

    region = Region.objects.filter(country="CG").first() or arrived[0].delivery_office.region
    office = Office.objects.create(organisation=sopeco, code="BZV-DIST", name_fr="Distribution Brazzaville",
                                   kind=OfficeKind.DELIVERY_OFFICE, region=region)
    other = _postal_staff(sopeco, "sopeco.postman", ["postal.postman"], office=office)
    rounds.do_take_out_round(postman)
    client.force_login(other)
    page = client.get(reverse("postal:round"))
    assert page.status_code == 200 and arrived[0].number not in page.content.decode()
    response = client.post(reverse("postal:round_record"), {**fields(arrived[0]), "signature": png()},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 404


def test_the_round_page_is_for_postmen_only(client, clerk, postman, arrived):
    assert client.get(reverse("postal:round")).status_code == 302  # sign in first
    client.force_login(clerk)
    assert client.get(reverse("postal:round")).status_code == 403
    client.force_login(postman)
    page = client.get(reverse("postal:round"))
    assert page.status_code == 200 and arrived[0].number in page.content.decode()


def test_the_round_page_has_no_inline_script_or_style_and_its_service_worker_is_served(client, postman, arrived):
    rounds.do_take_out_round(postman)
    client.force_login(postman)
    html = client.get(reverse("postal:round")).content.decode()
    assert 'style="' not in html and "<script>" not in html
    assert "Nadia Belkacem" in html  # the postman needs the recipient's name and address
    sw = client.get(reverse("postal:round_sw"))
    assert sw.status_code == 200 and b"self.POSTAL_SW" in sw.content
    assert sw["Service-Worker-Allowed"] == reverse("postal:round")


def test_after_a_failed_attempt_only_items_to_deliver_again_come_back_on_the_next_round(poste, postman, arrived):
    from bawaba.postal.notices import do_record_choice

    now = timezone.now()
    round_ = rounds.do_take_out_round(postman, now=now - dt.timedelta(hours=2))
    for item, reason, action in zip(arrived, ["ACC", "ABS", "REF"], ["RDL", "HLD", "RTS"], strict=True):
        rounds.do_record_delivery(postman, rounds.DeliveryRecord(
            client_id=f"attempt-{item.pk:08d}", number=item.number, outcome="failed", reason_code=reason,
            action_code=action, occurred_at=now - dt.timedelta(minutes=30)))
    assert list(rounds.candidates(round_.office)) == [arrived[0]]  # RDL; not HLD (the counter), not RTS
    do_record_choice(arrived[1], RecipientChoice.REDELIVER)  # the recipient asks for a new delivery
    assert set(rounds.candidates(round_.office)) == {arrived[0], arrived[1]}


def test_the_round_page_takes_a_fixed_number_of_queries(client, postman, poste, make_item,
                                                         django_assert_max_num_queries):
    for _n in range(3):
        arrive(poste, make_item())
    rounds.do_take_out_round(postman)
    for _n in range(2):
        arrive(poste, make_item())
    client.force_login(postman)
    client.get(reverse("postal:round"))  # warm the session and caches
    with django_assert_max_num_queries(14) as captured:
        client.get(reverse("postal:round"))
    few = len(captured.captured_queries)
    for _n in range(5):
        arrive(poste, make_item())
    with django_assert_max_num_queries(few):
        client.get(reverse("postal:round"))
