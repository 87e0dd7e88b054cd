"""A conformance walk: every operation of the published TMF621 v4 document, answered as it documents.

The listener operations (/listener/…) are served by the client, not by us: the notifications we post to them
are validated against their schemas in test_hub.py."""

from __future__ import annotations

import json

import pytest

from bawaba.tmf621.schema import spec

from .conftest import MINIMAL, TmfClient, conforms

pytestmark = pytest.mark.django_db


def server_operations() -> set[tuple[str, str]]:
    return {(path, method) for path, item in spec()["paths"].items() for method in item
            if not path.startswith("/listener/")}


def test_every_operation_of_the_published_document_answers_as_documented(tmf, poste_tmf):
    walked = set()

    def call(path, method, response):
        conforms(response, path, method)
        walked.add((path, method))
        return response

    anonymous = TmfClient()
    created = json.loads(call("/troubleTicket", "post", tmf.post("/troubleTicket", MINIMAL)).content)
    call("/troubleTicket", "post", tmf.post("/troubleTicket", {"severity": 1}))
    call("/troubleTicket", "get", tmf.get("/troubleTicket", {"offset": 0, "limit": 5, "fields": "status"}))
    call("/troubleTicket", "get", anonymous.get("/troubleTicket"))
    ticket = f"/troubleTicket/{created['id']}"
    call("/troubleTicket/{id}", "get", tmf.get(ticket))
    call("/troubleTicket/{id}", "get", poste_tmf.get(ticket))
    call("/troubleTicket/{id}", "patch", tmf.patch(ticket, {"status": "inProgress", "severity": "Critical"}))
    call("/troubleTicket/{id}", "patch", tmf.patch(ticket, {"status": "acknowledged"}))
    call("/troubleTicket/{id}", "delete", tmf.delete(ticket))
    hub = json.loads(call("/hub", "post", tmf.post("/hub", {"callback": "https://bss.example.test/"})).content)
    call("/hub", "post", tmf.post("/hub", {"query": "x"}))
    call("/hub/{id}", "delete", tmf.delete(f"/hub/{hub['id']}"))
    call("/hub/{id}", "delete", tmf.delete(f"/hub/{hub['id']}"))
    assert walked == server_operations()


def test_the_document_is_served_unmodified(tmf):
    response = tmf.client.get("/tmf-api/troubleTicket/v4/swagger.json")
    assert json.loads(response.content) == spec()
    assert spec()["info"]["version"] == "4.0.0"
