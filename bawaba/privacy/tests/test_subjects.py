import json

import pytest
import time_machine
from django.urls import reverse

from bawaba.notifications.models import OutboundMessage, State
from bawaba.privacy.models import SubjectRequest
from bawaba.privacy.retention import ANONYMISED
from bawaba.servicedesk.models import Request

from .conftest import LONG_AGO, NATIONAL_ID, OTHER_PHONE, PHONE, make_item, make_pensioner


def _open(client, user, *, kind="access", identifier_kind="phone", identifier="0550 12 34 56"):
    client.force_login(user)
    response = client.post(reverse("privacy:subject_start"), {
        "kind": kind, "identifier_kind": identifier_kind, "identifier": identifier, "document_type": "id_card",
        "document_last_digits": "4821", "identity_checked": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return SubjectRequest.objects.latest("pk")


@pytest.fixture
def citizen_records(orgs, at_org, make_request, closed_request):
    """The citizen's records at Algérie Télécom, the same phone at Mobilis, and another citizen at AT."""
    mobilis = orgs["mobilis"]
    with time_machine.travel(LONG_AGO, tick=False):
        open_request = make_request(citizen_name="Samir Ould")
        other_citizen = make_request(citizen_name="Nadia Kaci", citizen_phone="0661 98 76 54",
                                     text="Coupure chez Nadia")
        at_mobilis = make_request(service_code="mobilis/network", text="Pas de réseau à Mobilis")
    return {
        "closed": closed_request, "open": open_request, "other_citizen": other_citizen, "mobilis": at_mobilis,
        "item": make_item(at_org, "RR000000001DZ"), "other_item": make_item(at_org, "RR000000002DZ",
                                                                             recipient_phone=OTHER_PHONE),
        "mobilis_item": make_item(mobilis, "RR000000003DZ"),
        "pensioner": make_pensioner(at_org), "mobilis_pensioner": make_pensioner(mobilis, number="M-1"),
    }


def test_access_export_holds_the_citizens_data_and_nothing_of_others(client, at_admin, citizen_records):
    record = _open(client, at_admin)
    assert (record.checked_by, record.document_type, record.document_last_digits) == (at_admin, "id_card", "4821")
    assert record.identifier_last_digits == "3456" and PHONE not in record.identifier_hash

    response = client.get(reverse("privacy:subject_export", args=[record.pk, "json"]))
    assert response.status_code == 200
    text = response.content.decode()
    data = json.loads(text)
    assert {r["reference"] for r in data["service_desk"]} == {citizen_records["closed"].reference,
                                                             citizen_records["open"].reference}
    closed = next(r for r in data["service_desk"] if r["reference"] == citizen_records["closed"].reference)
    assert closed["citizen_name"] == "Samir Ould" and "12 rue des Oliviers" in json.dumps(closed["messages"])
    assert [i["number"] for i in data["postal_items"]] == ["RR000000001DZ"]
    assert [p["pension_number"] for p in data["proof_of_life"]] == ["P-1"]
    assert data["proof_of_life"][0]["biometric_reference"] == {"held": False, "created_at": None}
    assert data["messages_sent"] and all(m["recipient"] == PHONE for m in data["messages_sent"])
    # Nothing of another citizen, nor of another organisation.
    for absent in (citizen_records["other_citizen"].reference, citizen_records["mobilis"].reference,
                   "RR000000002DZ", "RR000000003DZ", "M-1", "Nadia", "Mobilis"):
        assert absent not in text

    html = client.get(reverse("privacy:subject_export", args=[record.pk, "html"]))
    assert html.status_code == 200 and citizen_records["closed"].reference in html.content.decode()
    record.refresh_from_db()
    assert record.completed_at and record.outcome["exported"]["service_desk"] == 2


def test_access_by_national_id_finds_the_pensioner_and_the_mailbox(client, at_admin, at_org, citizen_records):
    from django.utils import timezone

    from bawaba.hybridmail.identity import id_hash
    from bawaba.hybridmail.models import IdentityRecord, Mailbox

    identity = IdentityRecord.objects.create(id_hash=id_hash(NATIONAL_ID), id_last_digits="6789",
                                             full_name="Samir Ould")
    Mailbox.objects.create(number="BX-0001", operator=at_org, identity=identity, holder_name="Samir Ould",
                           phone=PHONE, opened_via="counter", opened_at=timezone.now())
    record = _open(client, at_admin, identifier_kind="national_id", identifier="1098 7012 3456 789")
    data = json.loads(client.get(reverse("privacy:subject_export", args=[record.pk, "json"])).content)
    assert [p["pension_number"] for p in data["proof_of_life"]] == ["P-1"]
    assert [b["number"] for b in data["hybrid_mail"]["mailboxes"]] == ["BX-0001"]
    assert data["service_desk"] == []  # requests carry no ID number


def test_another_organisations_admin_cannot_open_the_request(client, at_admin, mobilis_admin, citizen_records):
    record = _open(client, at_admin)
    client.force_login(mobilis_admin)
    assert client.get(reverse("privacy:subject", args=[record.pk])).status_code == 404
    assert client.get(reverse("privacy:subject_export", args=[record.pk, "json"])).status_code == 404


def test_agents_cannot_answer_data_requests(client, at_agent):
    client.force_login(at_agent)
    assert client.get(reverse("privacy:subject_start")).status_code == 403


def test_the_identity_check_is_required(client, at_admin):
    client.force_login(at_admin)
    response = client.post(reverse("privacy:subject_start"), {
        "kind": "access", "identifier_kind": "phone", "identifier": "0550 12 34 56", "document_type": "id_card",
        "document_last_digits": "4821"})
    assert response.status_code == 400 and not SubjectRequest.objects.exists()
    response = client.post(reverse("privacy:subject_start"), {
        "kind": "access", "identifier_kind": "phone", "identifier": "12", "document_type": "id_card",
        "document_last_digits": "4821", "identity_checked": "on"})
    assert response.status_code == 400 and not SubjectRequest.objects.exists()


def test_erasure_anonymises_what_it_may_and_says_why_it_keeps_the_rest(client, at_admin, citizen_records):
    OutboundMessage.objects.update(state=State.SENT)
    record = _open(client, at_admin, kind="erasure")
    response = client.post(reverse("privacy:subject_erase", args=[record.pk]))
    assert response.status_code == 200
    record.refresh_from_db()
    outcome = record.outcome
    assert outcome["removed"]["servicedesk.requests"] == 1
    assert outcome["removed"]["notifications.messages"] >= 1
    kept = {k["records"]: k["reason"] for k in outcome["kept"]}
    assert kept == {"servicedesk.requests": "open_request", "postal.items": "accounting",
                    "lifeproof.pensioners": "legal_obligation"}
    assert all(k["explanation"] for k in outcome["kept"])

    closed = Request.objects.get(pk=citizen_records["closed"].pk)
    assert closed.citizen_phone == "" and closed.text == ANONYMISED
    assert Request.objects.get(pk=citizen_records["open"].pk).citizen_phone == PHONE
    assert Request.objects.get(pk=citizen_records["mobilis"].pk).citizen_phone == PHONE  # another organisation's
    assert Request.objects.get(pk=citizen_records["other_citizen"].pk).citizen_phone == OTHER_PHONE
    assert not OutboundMessage.objects.filter(organisation=citizen_records["closed"].organisation,
                                              recipient=PHONE).exclude(state=State.QUEUED).exists()
    assert "Comptabilité et responsabilité postale" in response.content.decode()  # the reason, in the language


def test_rectification_corrects_contact_fields_and_audits_field_names_only(client, at_admin, citizen_records):
    record = _open(client, at_admin, kind="rectification")
    response = client.post(reverse("privacy:subject_rectify", args=[record.pk]),
                           {"email": "samir.ould@example.test", "phone": ""})
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.outcome["fields"] == ["email"] and record.outcome["rectified"]["servicedesk.requests"] == 2
    assert "samir.ould" not in json.dumps(record.outcome)
    assert Request.objects.get(pk=citizen_records["open"].pk).citizen_email == "samir.ould@example.test"
    assert Request.objects.get(pk=citizen_records["mobilis"].pk).citizen_email == ""


def test_a_request_is_answered_in_the_session_that_checked_identity(client, at_admin, citizen_records):
    record = _open(client, at_admin)
    client.logout()
    client.force_login(at_admin)
    assert client.get(reverse("privacy:subject", args=[record.pk])).status_code == 409


def test_an_access_request_cannot_erase_or_rectify(client, at_admin, citizen_records):
    record = _open(client, at_admin)
    assert client.post(reverse("privacy:subject_erase", args=[record.pk])).status_code == 409
    assert client.post(reverse("privacy:subject_rectify", args=[record.pk]), {"email": "x@example.test"}
                       ).status_code == 409
    assert Request.objects.get(pk=citizen_records["closed"].pk).citizen_phone == PHONE


def test_a_platform_admin_chooses_the_organisation(client, platform_admin, orgs, citizen_records):
    client.force_login(platform_admin)
    data = {"kind": "access", "identifier_kind": "phone", "identifier": "0550 12 34 56", "document_type": "passport",
            "document_last_digits": "77", "identity_checked": "on"}
    assert client.post(reverse("privacy:subject_start"), data).status_code == 400  # no organisation chosen
    response = client.post(reverse("privacy:subject_start"), {**data, "organisation": orgs["mobilis"].pk})
    assert response.status_code == 302
    record = SubjectRequest.objects.get()
    exported = json.loads(client.get(reverse("privacy:subject_export", args=[record.pk, "json"])).content)
    assert [r["reference"] for r in exported["service_desk"]] == [citizen_records["mobilis"].reference]
