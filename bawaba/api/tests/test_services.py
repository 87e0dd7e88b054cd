"""GET /api/v1/services: the codes integrations use."""


def test_lists_active_services_and_marks_the_organisations_own(api):
    body = api.get("/api/v1/services").json()
    codes = {item["code"]: item for item in body["items"]}
    assert codes["algerie-telecom/faults"]["mine"] is True
    assert codes["mobilis/network"]["mine"] is False
    assert body["count"] == len(body["items"])
    mine = api.get("/api/v1/services", {"mine": "true"}).json()["items"]
    assert {item["organisation"] for item in mine} == {"algerie-telecom"}


def test_services_need_a_token(anonymous):
    assert anonymous.get("/api/v1/services").status_code == 401
