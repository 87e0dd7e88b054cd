"""A NUL character in an address or a query string never reaches a view (PostgreSQL cannot store it)."""

import pytest


@pytest.mark.django_db
def test_a_nul_in_a_page_query_is_removed(client):
    with_nul = client.get("/kb/?q=wi%00fi&language=fr")
    assert with_nul.status_code == 200
    assert with_nul.context["query"] == "wifi"


@pytest.mark.django_db
def test_a_nul_in_a_page_address_is_a_404(client, at_agent):
    client.force_login(at_agent)
    assert client.get("/desk/r/AT%00-2026/").status_code == 404
    assert client.get("/track/A%00B/").status_code == 404


@pytest.mark.django_db
def test_under_an_api_the_answer_is_the_error_body(client):
    response = client.get("/fibre/api/v1/workOrder?search=a%00b", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json() == {"detail": "The request is not valid: see the errors by field.",
                               "errors": {"search": ["Null characters are not allowed."]}}
    response = client.get("/api/v1/requests/AT%00", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and response.json() == {"detail": "Not found.", "errors": {}}


@pytest.mark.django_db
def test_ordinary_queries_pass(client):
    assert client.get("/kb/?q=wifi").status_code == 200
