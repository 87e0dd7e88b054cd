"""Fibre roles are least-privilege: a contractor's technician reports work and sees the contractor's orders,
nothing else; another organisation's objects answer 404 (pages and API), as unknown ones do.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.common import permissions as common_permissions
from bawaba.deployments.field import services as field_services
from bawaba.deployments.models import FieldReport
from bawaba.orgs.services import do_add_staff

from .factories import accepted_line, good_report

pytestmark = pytest.mark.django_db
API = "/fibre/api/v1"
ALGIERS = ZoneInfo("Africa/Algiers")


@pytest.fixture
def tech(world):
    return do_add_staff(world.contractor, {"username": "fibre.tech1", "roles": ["fibre.technician"],
                                           "password": "correct horse 42"})


@pytest.fixture
def statement(world):
    """A statement of the first contract for March 2026 (fixed dates: the clock plays no part)."""
    accepted_line(world, "SRV-01", 1, dt.datetime(2026, 3, 10, 12, tzinfo=ALGIERS))
    return billing_statements.do_issue_statements(world.contract, dt.date(2026, 3, 31), world.billing_admin)


def test_a_technician_reports_work_on_the_contractors_orders(world, tech, as_user):
    client = as_user(tech)
    listing = client.get("/fibre/orders/").content.decode()
    assert "WO-0001" in listing and "WO-0002" in listing
    assert client.get(f"/fibre/orders/{world.work_order.pk}/report/").status_code == 200
    field_services.do_submit_field_report(tech, world.work_order, **good_report(world, "SRV-01"))
    assert FieldReport.objects.filter(reported_by=tech).count() == 1
    assert client.get(f"{API}/workOrder").json()["count"] == 2


def test_a_technician_cannot_see_statements_pages_or_api(world, tech, statement, as_user):
    client = as_user(tech)
    for url in ("/fibre/statements/", f"/fibre/statements/{statement.pk}/",
                f"/fibre/statements/{statement.pk}/pdf/", f"/fibre/contracts/{world.contract.pk}/running/"):
        assert client.get(url).status_code == 403, url
    assert client.get(f"{API}/statement").status_code == 403
    assert client.get(f"{API}/statement/running").status_code == 403
    assert client.get(f"{API}/statement/{statement.number}").status_code == 404
    # The contractor's manager sees them.
    manager = as_user(world.worker)
    assert manager.get(f"/fibre/statements/{statement.pk}/").status_code == 200
    assert manager.get(f"{API}/statement").json()["count"] == 1


def test_a_technician_has_no_operator_pages_and_no_admin(world, tech, as_user):
    client = as_user(tech)
    for url in ("/fibre/dashboard/", "/fibre/inspections/", "/fibre/import/", "/fibre/dashboard/payments/"):
        assert client.get(url).status_code == 403, url
    assert not tech.is_staff
    assert client.get("/admin/").status_code == 302  # the admin's own sign-in page


def test_another_contractors_order_answers_404_like_an_unknown_one(world, tech, as_user):
    other_tech = do_add_staff(world.other_contractor, {"username": "fibre.tech2", "roles": ["fibre.technician"]})
    client = as_user(other_tech)
    for url in (f"/fibre/orders/{world.work_order.pk}/", f"/fibre/orders/{world.work_order.pk}/report/"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"{API}/workOrder/WO-0001").status_code == 404
    assert client.get(f"{API}/workOrder/WO-0001").json() == client.get(f"{API}/workOrder/NO-SUCH").json()
    assert client.post(f"/fibre/orders/{world.work_order.pk}/report/", {}).status_code == 404
    assert FieldReport.objects.count() == 0


def test_another_contractors_statement_answers_404(world, statement, as_user):
    client = as_user(world.other_worker)  # the other contractor's manager
    assert client.get(f"/fibre/statements/{statement.pk}/").status_code == 404
    assert client.get(f"{API}/statement/{statement.number}").status_code == 404


def test_a_fibre_role_in_the_wrong_kind_of_organisation_opens_nothing(world, orgs):
    odd_contractor = do_add_staff(world.contractor, {"username": "fibre.odd", "roles": ["fibre.inspector",
                                                                                          "fibre.billing"]})
    assert not common_permissions.is_inspector(odd_contractor)
    assert not common_permissions.can_manage_billing(odd_contractor)
    desk_tech = do_add_staff(orgs["algerie-telecom"], {"username": "at.odd", "roles": ["fibre.technician"]})
    assert not common_permissions.is_contractor_staff(desk_tech)


def test_each_operator_role_opens_only_its_pages(world, orgs, as_user):
    people = {role: do_add_staff(orgs["algerie-telecom"], {"username": role, "roles": [role]})
              for role in ("fibre.inspector", "fibre.billing", "fibre.viewer", "desk.supervisor")}
    expected = {  # url: roles that may open it
        "/fibre/inspections/": {"fibre.inspector"},
        "/fibre/import/": {"fibre.inspector"},
        "/fibre/statements/": {"fibre.billing"},
        "/fibre/dashboard/": {"fibre.inspector", "fibre.billing", "fibre.viewer"},
        "/fibre/dashboard/payments/": {"fibre.inspector", "fibre.billing", "fibre.viewer"},
    }
    for url, allowed in expected.items():
        for role, user in people.items():
            status = as_user(user).get(url).status_code
            assert (status == 200) == (role in allowed), (url, role, status)
