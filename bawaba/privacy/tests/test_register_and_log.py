import csv
import io
import json

from django.urls import reverse

from bawaba.privacy.models import AccessLog


def test_register_is_shown_to_admins_and_exported(client, at_admin, at_agent):
    client.force_login(at_agent)
    assert client.get(reverse("privacy:register")).status_code == 403
    client.force_login(at_admin)
    page = client.get(reverse("privacy:register"))
    assert page.status_code == 200 and "servicedesk.requests" in page.content.decode()
    data = json.loads(client.get(reverse("privacy:register_export", args=["json"])).content)
    codes = {row["code"] for row in data["processing"]}
    assert {"servicedesk.requests", "notifications.outbox", "postal.items", "lifeproof.biometrics",
            "hybridmail.mailboxes", "evidence.records", "privacy.staff_access_log"} <= codes
    for row in data["processing"]:
        assert row["purpose"] and row["legal_basis_label"] and row["retention"] and row["data_categories"]
    rows = list(csv.reader(io.StringIO(client.get(reverse("privacy:register_export", args=["csv"]))
                                       .content.decode("utf-8-sig"))))
    assert rows[0][0] == "code" and len(rows) == len(codes) + 1
    assert client.get(reverse("privacy:register_export", args=["xml"])).status_code == 404


def test_register_page_in_arabic(client, at_admin):
    client.force_login(at_admin)
    page = client.get(reverse("privacy:register"), HTTP_ACCEPT_LANGUAGE="ar")
    assert 'dir="rtl"' in page.content.decode() and "سجل المعالجات" in page.content.decode()


def test_opening_a_request_page_is_logged_and_reviewable_by_the_org_admin_only(
        client, make_request, at_agent, at_admin, mobilis_admin):
    request = make_request(citizen_name="Samir Ould")
    client.force_login(at_agent)
    assert client.get(reverse("desk:request", args=[request.reference])).status_code == 200
    log = AccessLog.objects.get()
    assert (log.user, log.view_name, log.record_kind, log.record_ref, log.organisation) == (
        at_agent, "desk:request", "servicedesk.request", request.reference, at_agent.organisation)
    # The agent's own pages that show no citizen's data, and refused pages, are not logged.
    client.get(reverse("desk:queue"))
    client.get(reverse("desk:request", args=["NOSUCHREF"]))
    assert AccessLog.objects.count() == 1
    # Agents cannot read the log.
    assert client.get(reverse("privacy:access_log")).status_code == 403

    client.force_login(at_admin)
    page = client.get(reverse("privacy:access_log"), {"user": at_agent.pk, "since": "2000-01-01"})
    assert page.status_code == 200 and request.reference in page.content.decode()
    exported = client.get(reverse("privacy:access_log"), {"user": at_agent.pk, "format": "csv"})
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[1][1:] == ["at.agent", "desk:request", "servicedesk.request", request.reference]
    assert "Samir" not in exported.content.decode()

    client.force_login(mobilis_admin)
    other = client.get(reverse("privacy:access_log"))
    assert other.status_code == 200 and request.reference not in other.content.decode()


def test_logging_an_access_costs_one_insert(client, make_request, at_agent, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bawaba.privacy import middleware

    request = make_request()
    client.force_login(at_agent)
    url = reverse("desk:request", args=[request.reference])
    client.get(url)  # warm the caches (session, account, rendered record)
    with CaptureQueriesContext(connection) as logged:
        client.get(url)
    monkeypatch.setattr(middleware, "personal_data_views", lambda: {})
    with CaptureQueriesContext(connection) as unlogged:
        client.get(url)
    extra = [q["sql"] for q in logged.captured_queries if "privacy_accesslog" in q["sql"]]
    assert len(extra) == 1 and extra[0].startswith("INSERT")
    assert len(logged.captured_queries) == len(unlogged.captured_queries) + 1


def test_the_retention_audit_is_shown_to_platform_admins_only(client, at_admin, platform_admin):
    from bawaba.privacy.retention import apply_all

    apply_all()
    client.force_login(at_admin)
    assert 'id="retention-runs"' not in client.get(reverse("privacy:register")).content.decode()
    client.force_login(platform_admin)
    page = client.get(reverse("privacy:register")).content.decode()
    assert 'id="retention-runs"' in page and "servicedesk.closed_requests" in page and "requests: 0" in page
