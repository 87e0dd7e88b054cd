"""TMF621 tickets: create, list, retrieve, patch; a ticket IS a service desk request."""

from __future__ import annotations

import json

import pytest

from bawaba.servicedesk.models import Request, Status
from bawaba.servicedesk.services import do_reply
from bawaba.tmf621.models import TicketDetail

from .conftest import MINIMAL, TmfClient, conforms

pytestmark = pytest.mark.django_db


def test_creating_a_ticket_creates_a_request_of_the_tokens_organisation(tmf, ticket, orgs):
    req = Request.objects.get(reference=ticket["id"])
    assert req.organisation == orgs["algerie-telecom"]
    assert req.service.code == "algerie-telecom/faults"  # ticketType named the service
    assert (req.channel, req.subject, req.citizen_phone, req.citizen_name) == ("api", "Ligne coupée",
                                                                               "+213550123456", "Samia Kaci")
    assert req.priority == "high"  # severity Major, no priority given
    assert req.messages.get().body == "Ouvert par le BSS."
    detail = TicketDetail.objects.get(request=req)
    assert detail.external_id == "BSS-1001"
    assert detail.related_party == [{"id": "crm-42", "role": "reporter", "@referredType": "PartyRole"}]
    assert ticket["status"] == "acknowledged"
    assert ticket["href"].endswith(f"/tmf-api/troubleTicket/v4/troubleTicket/{req.reference}")
    roles = [party["role"] for party in ticket["relatedParty"]]
    assert roles == ["customer", "owner", "reporter"]


def test_create_answer_conforms_to_the_published_schema(tmf):
    response = tmf.post("/troubleTicket", MINIMAL)
    body = conforms(response, "/troubleTicket", "post")
    assert response["Location"] == body["href"]
    # No customer: an operator's system may open a ticket about its network.
    assert Request.objects.get(reference=body["id"]).citizen_phone == ""


@pytest.mark.parametrize("payload, words", [
    ({**MINIMAL, "description": 42}, "description"),
    ({"description": "x", "severity": "Minor"}, "ticketType"),
    ({**MINIMAL, "relatedParty": [{"id": "1"}]}, "@referredType"),
    ({**MINIMAL, "requestedResolutionDate": "tomorrow"}, "date-time"),
    ({**MINIMAL, "requestedResolutionDate": "2026-02-30T10:00:00Z"}, "date"),
    ({**MINIMAL, "status": "closed"}, "acknowledged"),
    ({**MINIMAL, "status": "open"}, "status"),
    ({**MINIMAL, "priority": "whenever"}, "priority"),
    ({**MINIMAL, "note": "a string"}, "note"),
    ({**MINIMAL, "relatedParty": [{"id": "not a phone", "role": "customer", "@referredType": "Individual"}]},
     "citizen_phone"),
    ({**MINIMAL, "attachment": [{"url": "http://example.test/x.png"}]}, "by value"),
    ([1, 2], "JSON object"),
])
def test_bad_payloads_are_refused_in_tmf_error_format_and_store_nothing(tmf, payload, words):
    before = Request.objects.count()
    response = tmf.post("/troubleTicket", payload)
    body = conforms(response, "/troubleTicket", "post")
    assert response.status_code == 400
    assert body["@type"] == "Error" and body["status"] == "400"
    assert words in body["reason"] + body.get("message", "")
    assert Request.objects.count() == before


def test_a_body_that_is_not_json_is_a_400(tmf):
    response = tmf.post("/troubleTicket", None, raw="{nope")
    assert conforms(response, "/troubleTicket", "post")["code"] == "invalidBody"
    response = tmf.post("/troubleTicket", None, raw="a=b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_without_a_token_401_and_read_only_token_cannot_create(orgs):
    from bawaba.api.services import do_create_token

    body = conforms(TmfClient().get("/troubleTicket"), "/troubleTicket", "get")
    assert body["code"] == "unauthorized"
    reader = TmfClient(do_create_token(orgs["algerie-telecom"], "Dashboard", read_only=True)[1])
    assert reader.post("/troubleTicket", MINIMAL).status_code == 403
    assert TmfClient("bwb_nope").get("/troubleTicket").status_code == 401


def test_list_pages_with_counts_and_fields(tmf, make_request):
    for index in range(3):
        tmf.post("/troubleTicket", {**MINIMAL, "name": f"Panne {index}"})
    make_request(service_code="algerie-poste/mail")  # another organisation's request: never listed
    response = tmf.get("/troubleTicket", {"offset": 1, "limit": 2, "fields": "name,status"})
    body = conforms(response, "/troubleTicket", "get")
    assert (response["X-Total-Count"], response["X-Result-Count"]) == ("3", "2")
    assert [item["name"] for item in body] == ["Panne 1", "Panne 0"]
    assert set(body[0]) == {"id", "href", "@type", "name", "status"}


def test_list_filters(tmf, ticket):
    other = json.loads(tmf.post("/troubleTicket", {**MINIMAL, "severity": "Minor"}).content)
    tmf.patch(f"/troubleTicket/{other['id']}", {"status": "inProgress"})
    assert [t["id"] for t in json.loads(tmf.get("/troubleTicket", {"status": "inProgress"}).content)] == [other["id"]]
    assert [t["id"] for t in json.loads(tmf.get("/troubleTicket", {"externalId": "BSS-1001"}).content)] == [
        ticket["id"]]
    assert len(json.loads(tmf.get("/troubleTicket", {"creationDate.gte": "2000-01-01T00:00:00Z"}).content)) == 2
    for params in ({"status": "open"}, {"colour": "red"}, {"limit": "-1"}, {"limit": "²"}, {"fields": "nope"},
                   {"lastUpdate.gt": "yesterday"}, {"lastUpdate.gt": "2026-02-30T00:00:00Z"}):
        response = tmf.get("/troubleTicket", params)
        assert conforms(response, "/troubleTicket", "get")["code"] == "invalidQuery", params


def test_another_organisations_ticket_is_not_found(ticket, poste_tmf):
    response = poste_tmf.get(f"/troubleTicket/{ticket['id']}")
    assert conforms(response, "/troubleTicket/{id}", "get")["code"] == "notFound"
    assert poste_tmf.patch(f"/troubleTicket/{ticket['id']}", {"priority": "Low"}).status_code == 404
    assert poste_tmf.get("/troubleTicket").content == b"[]"


def test_retrieve_with_fields(tmf, ticket):
    body = conforms(tmf.get(f"/troubleTicket/{ticket['id']}", {"fields": "status"}), "/troubleTicket/{id}", "get")
    assert body == {"id": ticket["id"], "href": ticket["href"], "@type": "TroubleTicket", "status": "acknowledged"}


def test_patch_merges_attributes_adds_notes_and_changes_priority(tmf, ticket):
    response = tmf.patch(f"/troubleTicket/{ticket['id']}", {
        "priority": "Critical", "externalId": None, "note": [*ticket["note"], {"text": "Technicien envoyé."}],
        "relatedEntity": [{"id": "LINE-021-56", "role": "affectedLine", "@referredType": "Resource"}],
    })
    body = conforms(response, "/troubleTicket/{id}", "patch")
    assert body["priority"] == "Critical" and "externalId" not in body
    assert [note["text"] for note in body["note"]] == ["Ouvert par le BSS.", "Technicien envoyé."]
    assert body["relatedEntity"][0]["id"] == "LINE-021-56"
    req = Request.objects.get(reference=ticket["id"])
    assert req.priority == "urgent"
    assert req.events.filter(kind="module_update", data__module="tmf621").exists()  # the audit trail


@pytest.mark.parametrize("patch, code", [
    ({"status": 5}, "invalidBody"),
    ({"status": "closed"}, "illegalTransition"),  # acknowledged → closed is not in the life cycle
    ({"id": "X"}, "readOnlyAttribute"),
    ({"description": "changed"}, "readOnlyAttribute"),
    ({"severity": None}, "invalidValue"),
    ({"note": [{"id": "999999", "text": "?"}]}, "invalidValue"),
    ({"note": [{"id": "²", "text": "?"}]}, "invalidValue"),
    ({"priority": "Low", "status": "resolved"}, "illegalTransition"),  # all or nothing: priority unchanged
])
def test_bad_patches_change_nothing(tmf, ticket, patch, code):
    req = Request.objects.get(reference=ticket["id"])
    events = req.events.count()
    response = tmf.patch(f"/troubleTicket/{ticket['id']}", patch)
    assert conforms(response, "/troubleTicket/{id}", "patch")["code"] == code
    req.refresh_from_db()
    assert (req.status, req.priority, req.events.count()) == ("new", "high", events)


def test_the_life_cycle_through_the_desks_transitions(tmf, ticket):
    path = f"/troubleTicket/{ticket['id']}"
    seen = []
    for status in ("inProgress", "held", "inProgress", "resolved", "inProgress", "resolved", "closed"):
        body = conforms(tmf.patch(path, {"status": status, "statusChangeReason": f"to {status}"}),
                        "/troubleTicket/{id}", "patch")
        seen.append((body["status"], Request.objects.get(reference=ticket["id"]).status))
    assert seen == [("inProgress", "in_progress"), ("held", "in_progress"), ("inProgress", "in_progress"),
                    ("resolved", "resolved"), ("inProgress", "in_progress"), ("resolved", "resolved"),
                    ("closed", "closed")]
    history = [change["status"] for change in body["statusChange"]]
    assert history == ["acknowledged", "inProgress", "held", "inProgress", "resolved", "acknowledged", "inProgress",
                       "resolved", "closed"]
    response = tmf.patch(path, {"status": "inProgress"})
    assert response.status_code == 409


def test_rejected_and_cancelled_are_closures(tmf, ticket):
    body = json.loads(tmf.patch(f"/troubleTicket/{ticket['id']}", {"status": "rejected",
                                                                   "statusChangeReason": "Pas chez nous"}).content)
    assert body["status"] == "rejected" and body["statusChange"][-1]["status"] == "rejected"
    assert Request.objects.get(reference=ticket["id"]).status == Status.CLOSED
    listed = json.loads(tmf.get("/troubleTicket", {"status": "rejected"}).content)
    assert [t["id"] for t in listed] == [ticket["id"]]
    assert json.loads(tmf.get("/troubleTicket", {"status": "closed"}).content) == []


def test_pending_asks_the_customer_the_reason(tmf, ticket):
    path = f"/troubleTicket/{ticket['id']}"
    tmf.patch(path, {"status": "inProgress"})
    refused = tmf.patch(path, {"status": "pending"})
    assert refused.status_code == 409 and "statusChangeReason" in json.loads(refused.content)["reason"]
    body = json.loads(tmf.patch(path, {"status": "pending", "statusChangeReason": "Quel est votre numéro de ligne ?"})
                      .content)
    req = Request.objects.get(reference=ticket["id"])
    assert body["status"] == "pending" and req.status == Status.WAITING
    assert req.messages.filter(kind="reply", body="Quel est votre numéro de ligne ?").exists()


def test_desk_changes_show_in_the_ticket(tmf, ticket, at_supervisor):
    req = Request.objects.get(reference=ticket["id"])
    do_reply(req, "Nous regardons.", actor=at_supervisor, wait_for_citizen=True)
    body = json.loads(tmf.get(f"/troubleTicket/{ticket['id']}").content)
    assert body["status"] == "pending"
    assert body["note"][-1]["text"] == "Nous regardons."


def test_delete_is_not_allowed_and_unknown_paths_are_tmf_404(tmf, ticket):
    response = tmf.delete(f"/troubleTicket/{ticket['id']}")
    assert conforms(response, "/troubleTicket/{id}", "delete")["code"] == "methodNotAllowed"
    assert Request.objects.filter(reference=ticket["id"]).exists()
    response = tmf.get("/nothing/here")
    assert response.status_code == 404 and json.loads(response.content)["@type"] == "Error"
    assert tmf.client.put(f"/tmf-api/troubleTicket/v4/troubleTicket/{ticket['id']}", "{}",
                          headers=tmf.headers).status_code == 405


def test_errors_speak_the_callers_language(tmf):
    tmf.headers["Accept-Language"] = "fr"
    body = json.loads(tmf.get("/troubleTicket/ABCD-EFGH").content)
    assert body["reason"] == "Aucun ticket d’incident avec l’id « ABCD-EFGH »."
    tmf.headers["Accept-Language"] = "ar"
    assert json.loads(tmf.get("/troubleTicket", {"colour": "x"}).content)["reason"] == "مرشّح «colour» غير معروف."


def test_listing_costs_the_same_queries_for_5_or_15_tickets(tmf):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for total in (5, 15):
        while Request.objects.count() < total:
            tmf.post("/troubleTicket", {**MINIMAL, "note": [{"text": "n"}]})
        with CaptureQueriesContext(connection) as queries:
            assert len(json.loads(tmf.get("/troubleTicket").content)) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_requests_made_in_the_desk_are_tickets_too(tmf, make_request):
    req = make_request()
    listed = json.loads(tmf.get("/troubleTicket", {"status": "acknowledged"}).content)
    assert [t["id"] for t in listed] == [req.reference]
    body = conforms(tmf.get(f"/troubleTicket/{req.reference}"), "/troubleTicket/{id}", "get")
    assert (body["ticketType"], body["severity"], body["channel"]["id"]) == ("algerie-telecom/faults", "Minor", "web")
    assert json.loads(tmf.get("/troubleTicket", {"status": "held"}).content) == []
    body = conforms(tmf.patch(f"/troubleTicket/{req.reference}", {"status": "inProgress", "externalId": "BSS-7"}),
                    "/troubleTicket/{id}", "patch")
    assert body["externalId"] == "BSS-7"
