"""The fibre pages through the Django test client: who sees what, what each page shows, bad input."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bawaba.deployments.billing import payments as billing_payments
from bawaba.deployments.billing import statements as billing_statements
from bawaba.deployments.field import services as field_services
from bawaba.deployments.models import BillingLine, Decision, FieldReport, ReportedItem, WorkOrderState
from bawaba.deployments.work import services as work_services
from bawaba.deployments.work import setup as work_setup

from .factories import accepted_line, good_report, make_photo, make_site

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def doubtful_report(world, code="ONT-01", **overrides):
    """A report 70 m from the site: beyond the 50 m tolerance but within twice it, so doubtful."""
    values = good_report(world, code, latitude=str(world.site.latitude + Decimal("0.00063")), **overrides)
    return field_services.do_submit_field_report(world.worker, world.work_order, **values).report


def no_js_form(world, code="ONT-01", quantity="1", **overrides):
    """The report form as a browser without JavaScript posts it."""
    values = good_report(world, code, quantity=quantity)
    form = {key: values[key] for key in ("client_uuid", "latitude", "longitude", "gps_accuracy_m",
                                         "device_started_at", "device_reported_at", "ont_serial",
                                         "ont_rx_power_dbm", "link_loss_db")}
    form["splice_losses_db"] = "; ".join(values["splice_losses_db"])
    form[f"qty-{world.item(code).id}"] = quantity
    form["photos"] = values["photos"]
    form.update(overrides)
    return form


# --------------------------------------------------------------------------- access rules


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in ("/fibre/", "/fibre/orders/", f"/fibre/orders/{world.work_order.pk}/report/", "/fibre/inspections/",
                "/fibre/dashboard/", "/fibre/statements/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_home_sends_each_role_to_its_page(world, as_user):
    assert as_user(world.worker).get("/fibre/")["Location"] == "/fibre/orders/"
    assert as_user(world.inspector).get("/fibre/")["Location"] == "/fibre/inspections/"
    assert as_user(world.operator_agent).get("/fibre/")["Location"] == "/fibre/dashboard/"


def test_another_operator_sees_none_of_this_programme(poste_agent, world, as_user):
    from bawaba.accounts.services import do_set_roles

    client = as_user(do_set_roles(poste_agent, ["desk.agent", "fibre.viewer", "fibre.billing"]))
    page = html(client.get("/fibre/dashboard/"))
    assert world.programme.name_fr not in page and "WO-0001" not in page
    assert client.get(f"/fibre/dashboard/?programme={world.programme.code}").status_code == 404
    assert client.get(f"/fibre/orders/{world.work_order.pk}/").status_code == 404
    assert client.get(f"/fibre/contracts/{world.contract.pk}/running/").status_code == 404
    assert client.get("/fibre/orders/").status_code == 403


def test_contractor_sees_only_its_own_work_orders(world, as_user):
    other_site = make_site(world.programme, "S-0900", kind="home", name="Villa du concurrent")
    work_setup.do_create_work_order(world.other_contract, other_site, reference="WO-OTHER", items=[("SRV-01", 1)])
    page = html(as_user(world.worker).get("/fibre/orders/"))
    assert "WO-0001" in page and "WO-0002" in page
    assert "WO-OTHER" not in page and "Villa du concurrent" not in page
    page = html(as_user(world.other_worker).get("/fibre/orders/"))
    assert "WO-OTHER" in page and "WO-0001" not in page


def test_contractor_cannot_open_or_report_on_another_contractors_order(world, as_user):
    client = as_user(world.other_worker)  # another contractor's order answers as an unknown one
    assert client.get(f"/fibre/orders/{world.work_order.pk}/").status_code == 404
    assert client.get(f"/fibre/orders/{world.work_order.pk}/report/").status_code == 404
    response = client.post(f"/fibre/orders/{world.work_order.pk}/report/", no_js_form(world))
    assert response.status_code == 404
    assert not FieldReport.objects.exists()


def test_unknown_work_order_is_404(world, as_user):
    assert as_user(world.worker).get("/fibre/orders/999999/").status_code == 404


def test_operator_staff_cannot_use_the_contractor_pages(world, as_user):
    client = as_user(world.inspector)
    assert client.get("/fibre/orders/").status_code == 403
    assert client.get(f"/fibre/orders/{world.work_order.pk}/report/").status_code == 403
    assert client.get("/fibre/rejections/").status_code == 403
    # but the operator may read the work order itself
    assert client.get(f"/fibre/orders/{world.work_order.pk}/").status_code == 200


def test_contractors_and_plain_agents_cannot_inspect(world, as_user):
    report = doubtful_report(world)
    item = report.items.get()
    for user in (world.worker, world.operator_agent):
        client = as_user(user)
        assert client.get("/fibre/inspections/").status_code == 403
        assert client.post(f"/fibre/inspections/{item.pk}/accept/").status_code == 403
    item.refresh_from_db()
    assert item.decision == Decision.DOUBTFUL


def test_inspector_of_another_operator_sees_nothing_and_cannot_decide(orgs, world, as_user):
    from bawaba.orgs.services import do_add_staff

    mobilis_inspector = do_add_staff(orgs["mobilis"], {"username": "mob.sup", "role": "supervisor",
                                                       "password": "correct horse 42"})
    item = doubtful_report(world).items.get()
    client = as_user(mobilis_inspector)
    page = client.get("/fibre/inspections/")
    assert page.status_code == 200 and "WO-0001" not in html(page)
    assert client.post(f"/fibre/inspections/{item.pk}/accept/").status_code == 404  # not revealed
    item.refresh_from_db()
    assert item.decision == Decision.DOUBTFUL


def test_contractors_cannot_see_the_operator_dashboard(world, as_user):
    client = as_user(world.worker)
    for url in ("/fibre/dashboard/", "/fibre/dashboard/scorecards/", "/fibre/dashboard/payments/"):
        assert client.get(url).status_code == 403, url


# --------------------------------------------------------------------------- contractor: work orders


def test_orders_filter_by_state_and_wilaya(world, as_user):
    blida = make_site(world.programme, "S-0300", kind="home", region_code="09", name="Maison à Blida")
    work_setup.do_create_work_order(world.contract, blida, reference="WO-BLIDA", items=[("SRV-01", 1)])
    client = as_user(world.worker)
    page = html(client.get("/fibre/orders/?wilaya=09"))
    assert "WO-BLIDA" in page and "WO-0001" not in page
    work_services.do_transition_work_order(world.work_order, WorkOrderState.HELD, world.inspector)
    page = html(client.get("/fibre/orders/?state=held"))
    assert "WO-0001" in page and "WO-BLIDA" not in page


def test_orders_filter_with_bad_input_is_a_400(world, as_user):
    client = as_user(world.worker)
    assert client.get("/fibre/orders/?state=bogus").status_code == 400
    assert client.get("/fibre/orders/?wilaya=99").status_code == 400
    assert client.get("/fibre/orders/?page=abc").status_code == 200  # pages out of range show the last one


def test_orders_page_queries_do_not_grow_with_the_number_of_orders(world, as_user):
    client = as_user(world.worker)
    client.get("/fibre/orders/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/fibre/orders/").status_code == 200
    for n in range(8):
        site = make_site(world.programme, f"S-1{n:03}", kind="home")
        work_setup.do_create_work_order(world.contract, site, reference=f"WO-1{n:03}", items=[("SRV-01", 1)])
    with CaptureQueriesContext(connection) as many:
        assert client.get("/fibre/orders/").status_code == 200
    assert len(many) == len(few)


def test_work_order_page_shows_planned_items_and_what_is_left(world, as_user):
    field_services.do_submit_field_report(world.worker, world.work_order, **good_report(world, "SRV-01"))
    page = html(as_user(world.worker).get(f"/fibre/orders/{world.work_order.pk}/"))
    assert "GC-01" in page and "CAB-01" in page and "ONT-01" in page
    assert 'id="new-report"' in page
    assert "Accepted" in page or "Accepté" in page


def test_report_form_has_camera_gps_and_the_offline_queue(world, as_user):
    page = html(as_user(world.worker).get(f"/fibre/orders/{world.work_order.pk}/report/"))
    assert 'accept="image/*" capture="environment"' in page
    assert 'id="gps-button"' in page and 'name="gps_accuracy_m"' in page
    assert 'name="ont_serial"' in page and 'name="ont_rx_power_dbm"' in page and 'name="splice_losses_db"' in page
    assert f'data-api-url="/fibre/api/v1/workOrder/{world.work_order.reference}/report"' in page
    assert "deployments/outbox.js" in page and "deployments/fieldreport.js" in page
    assert 'id="fibre-strings"' in page and 'name="client_uuid"' in page
    # a site work order has no ONT: those fields are not asked
    page = html(as_user(world.worker).get(f"/fibre/orders/{world.site_order.pk}/report/"))
    assert 'name="ont_serial"' not in page and 'name="ont_rx_power_dbm"' in page


def test_every_text_of_the_outbox_scripts_comes_from_the_page_translated(world, as_user):
    import json
    import re
    from pathlib import Path

    from django.contrib.staticfiles import finders

    page = html(as_user(world.worker).get(f"/fibre/orders/{world.work_order.pk}/report/"))
    strings = json.loads(re.search(r'<script id="fibre-strings" type="application/json">(.*?)</script>', page,
                                   re.S).group(1))
    used = set()
    for name in ("outbox.js", "fieldreport.js"):
        used |= set(re.findall(r'\bt\("(\w+)"', Path(finders.find(f"deployments/{name}")).read_text()))
    assert {"sendAgain", "edit", "retrying", "editing", "editGone", "confirmRemove"} <= used
    assert used - strings.keys() == set()


def test_report_posted_without_javascript_is_stored_once(world, as_user):
    client = as_user(world.worker)
    form = no_js_form(world)
    response = client.post(f"/fibre/orders/{world.work_order.pk}/report/", form)
    assert response.status_code == 302 and response["Location"] == f"/fibre/orders/{world.work_order.pk}/"
    assert FieldReport.objects.count() == 1
    report = FieldReport.objects.get()
    assert str(report.client_uuid) == form["client_uuid"] and report.photos.count() == 2
    assert report.items.get().decision == Decision.ACCEPTED
    # The same form sent again (double tap, back button): no second report.
    form["photos"] = [make_photo(), make_photo()]
    response = client.post(f"/fibre/orders/{world.work_order.pk}/report/", form, follow=True)
    assert FieldReport.objects.count() == 1
    assert response.status_code == 200


@pytest.mark.parametrize("field,value,status", [
    ("ont_rx_power_dbm", "-99", 400),
    ("latitude", "north", 400),
    ("ont_serial", "12", 400),
    ("client_uuid", "not-a-uuid", 400),
    ("qty-ITEM", "0", 400),
    ("qty-ITEM", "5", 400),
    ("qty-ITEM", "1e30", 400),
    ("device_started_at", "2026-02-30T10:00:00", 400),
    ("device_reported_at", "2026-13-01T10:00:00", 400),
])
def test_report_with_bad_input_is_refused_with_the_reason_and_nothing_stored(world, as_user, field, value, status):
    if field == "qty-ITEM":
        field = f"qty-{world.item('ONT-01').id}"
    response = as_user(world.worker).post(f"/fibre/orders/{world.work_order.pk}/report/",
                                          no_js_form(world, **{field: value}))
    assert response.status_code == status
    assert 'class="errorlist' in html(response)
    assert not FieldReport.objects.exists()


def test_report_with_a_photo_of_the_wrong_type_is_refused(world, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = as_user(world.worker).post(f"/fibre/orders/{world.work_order.pk}/report/",
                                          no_js_form(world, photos=[fake]))
    assert response.status_code == 400
    assert 'id="photo-errors"' in html(response)
    assert not FieldReport.objects.exists()


def test_report_on_a_closed_work_order_is_a_409(world, as_user):
    work_services.do_transition_work_order(world.work_order, WorkOrderState.CANCELLED, world.inspector)
    client = as_user(world.worker)
    page = client.get(f"/fibre/orders/{world.work_order.pk}/report/")
    assert 'id="not-reportable"' in html(page) and 'id="field-report"' not in html(page)
    response = client.post(f"/fibre/orders/{world.work_order.pk}/report/", no_js_form(world))
    assert response.status_code == 409
    assert not FieldReport.objects.exists()


def test_rejected_items_are_listed_with_their_reason(world, as_user):
    field_services.do_submit_field_report(world.worker, world.work_order,
                                    **good_report(world, "ONT-01", ont_rx_power_dbm="-29"))
    page = html(as_user(world.worker).get("/fibre/rejections/"))
    assert "ONT-01" in page and "-29" in page and "dBm" in page
    assert html(as_user(world.other_worker).get("/fibre/rejections/")).count("ONT-01") == 0


# --------------------------------------------------------------------------- photos


def test_photos_are_shown_to_the_contractor_and_the_operator_only(world, as_user):
    report = doubtful_report(world)
    photo = report.photos.first()
    url = f"/fibre/photos/{photo.pk}/"
    response = as_user(world.worker).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert as_user(world.inspector).get(url).status_code == 200
    assert as_user(world.other_worker).get(url).status_code == 404
    assert as_user(world.worker).get("/fibre/photos/999999/").status_code == 404


# --------------------------------------------------------------------------- inspector


def test_inspector_queue_shows_evidence_and_position_against_the_site(world, as_user):
    doubtful_report(world)
    page = html(as_user(world.inspector).get("/fibre/inspections/"))
    assert "WO-0001" in page and "ONT-01" in page
    assert "70 m" in page  # distance from the planned site
    assert "/fibre/photos/" in page and "<svg" in page and 'class="point reported' in page
    assert "-19.5" in page or "-19,5" in page


def test_inspector_accepts_a_doubtful_item_and_it_is_billed(world, as_user):
    item = doubtful_report(world).items.get()
    response = as_user(world.inspector).post(f"/fibre/inspections/{item.pk}/accept/",
                                             {f"a{item.pk}-note": "Photos montrent l'ONT posé", "page": "1"})
    assert response.status_code == 302 and response["Location"] == "/fibre/inspections/?page=1"
    item.refresh_from_db()
    assert item.decision == Decision.ACCEPTED and item.decided_by == world.inspector
    line = BillingLine.objects.get(reported_item=item)
    assert line.amount == Decimal("3000.00")
    page = html(as_user(world.worker).get("/fibre/statements/"))
    assert 'data-item="ONT-01"' in page and "3" in page
    # deciding again is a conflict, not a second billing line
    response = as_user(world.inspector).post(f"/fibre/inspections/{item.pk}/accept/", {})
    assert response.status_code == 409
    assert BillingLine.objects.filter(reported_item=item).count() == 1


def test_rejection_needs_a_reason_which_the_contractor_then_reads(world, as_user):
    item = doubtful_report(world).items.get()
    client = as_user(world.inspector)
    response = client.post(f"/fibre/inspections/{item.pk}/reject/", {f"r{item.pk}-reason": "  "})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.decision == Decision.DOUBTFUL
    response = client.post(f"/fibre/inspections/{item.pk}/reject/",
                           {f"r{item.pk}-reason": "Le boîtier photographié n'est pas celui du site"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.decision == Decision.REJECTED
    page = html(as_user(world.worker).get("/fibre/rejections/"))
    assert "n&#x27;est pas celui du site" in page


def test_deciding_an_unknown_item_is_404_and_get_is_not_allowed(world, as_user):
    client = as_user(world.inspector)
    assert client.post("/fibre/inspections/999999/accept/").status_code == 404
    item = doubtful_report(world).items.get()
    assert client.get(f"/fibre/inspections/{item.pk}/accept/").status_code == 405


def test_inspection_queue_queries_do_not_grow_with_the_number_of_items(world, as_user):
    client = as_user(world.inspector)
    doubtful_report(world, "SRV-01")
    client.get("/fibre/inspections/")  # the signed-in account is read once, then kept in the accounts cache
    with CaptureQueriesContext(connection) as few:
        assert client.get("/fibre/inspections/").status_code == 200
    for code in ("PBO-01", "DRP-01", "ONT-01"):
        doubtful_report(world, code)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/fibre/inspections/").status_code == 200
    assert ReportedItem.objects.filter(decision=Decision.DOUBTFUL).count() == 4
    assert len(many) == len(few)


# --------------------------------------------------------------------------- statements


@pytest.fixture
def issued(world):
    yesterday = timezone.now() - dt.timedelta(days=1)
    accepted_line(world, "SRV-01", 1, yesterday)
    accepted_line(world, "GC-01", 20, yesterday)
    return billing_statements.do_issue_statements(world.contract, timezone.localdate() - dt.timedelta(days=1),
                                       world.billing_admin)


def test_statements_page_shows_running_and_issued_statements(world, issued, as_user):
    accepted_line(world, "CAB-01", 10, timezone.now())
    page = html(as_user(world.worker).get("/fibre/statements/"))
    assert issued.number in page
    assert 'data-item="CAB-01"' in page  # accepted after the statement: on the running statement
    assert f"/fibre/statements/{issued.pk}/pdf/" in page
    page = html(as_user(world.other_worker).get("/fibre/statements/"))
    assert issued.number not in page


def test_statement_page_and_documents(world, issued, as_user):
    client = as_user(world.worker)
    page = html(client.get(f"/fibre/statements/{issued.pk}/"))
    assert issued.number in page and issued.amount_in_words_fr in page
    pdf = client.get(f"/fibre/statements/{issued.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    ubl = client.get(f"/fibre/statements/{issued.pk}/ubl/")
    assert ubl.status_code == 200 and b"<Invoice" in ubl.content or b":Invoice" in ubl.content
    ws = client.get(f"/fibre/statements/{issued.pk}/work-statement.pdf")
    assert ws.status_code == 200 and ws.content.startswith(b"%PDF")
    other = as_user(world.other_worker)
    assert other.get(f"/fibre/statements/{issued.pk}/").status_code == 404
    assert other.get(f"/fibre/statements/{issued.pk}/pdf/").status_code == 404
    assert client.get("/fibre/statements/999999/").status_code == 404


def test_payments_appear_on_the_statement(world, issued, as_user):
    billing_payments.do_record_payment(issued, amount=issued.net_amount, paid_on=timezone.localdate(),
                              reference="VIR-2026-77", actor=world.billing_admin)
    page = html(as_user(world.worker).get(f"/fibre/statements/{issued.pk}/"))
    assert "VIR-2026-77" in page
    assert "VIR-2026-77" in html(as_user(world.worker).get("/fibre/statements/"))


def test_running_statement_page_lists_every_unbilled_line(world, as_user):
    accepted_line(world, "CAB-01", 10, timezone.now())
    client = as_user(world.worker)
    page = html(client.get(f"/fibre/contracts/{world.contract.pk}/running/"))
    assert "CAB-01" in page
    assert client.get(f"/fibre/contracts/{world.other_contract.pk}/running/").status_code == 404


def test_running_statement_refreshes_itself(world, as_user):
    client = as_user(world.worker)
    accepted_line(world, "CAB-01", 10, timezone.now())
    response = client.get("/fibre/statements/?part=running", HTTP_HX_REQUEST="true")
    body = html(response)
    assert response.status_code == 200 and body.lstrip().startswith('<section id="running"')
    assert 'hx-trigger="every 30s"' in body and "CAB-01" in body


# --------------------------------------------------------------------------- operator dashboard


def test_dashboard_shows_progress_per_wilaya_charts_and_the_local_map(world, as_user):
    field_services.do_submit_field_report(world.worker, world.work_order, **good_report(world, "SRV-01"))
    page = html(as_user(world.operator_agent).get("/fibre/dashboard/"))
    assert world.programme.name_fr in page
    assert 'id="wilaya-16"' in page and "<svg" in page
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert f'data-geojson="/fibre/api/v1/programme/{world.programme.code}/sites.geojson"' in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page


def test_dashboard_bad_input(world, as_user):
    client = as_user(world.operator_agent)
    assert client.get("/fibre/dashboard/?by=commune").status_code == 400
    assert client.get("/fibre/dashboard/?programme=nope").status_code == 404
    assert client.get("/fibre/dashboard/?by=former_wilaya").status_code == 200
    assert client.get("/fibre/dashboard/?by=before_2020").status_code == 400
    page = html(client.get("/fibre/dashboard/?by=before_2026"))
    assert 'value="before_2026" selected' in page


def test_scorecards_and_payment_delays(world, issued, as_user):
    field_services.do_submit_field_report(world.worker, world.work_order,
                                    **good_report(world, "ONT-01", ont_rx_power_dbm="-29"))
    client = as_user(world.operator_agent)
    page = html(client.get("/fibre/dashboard/scorecards/?sort=rework"))
    assert world.contractor.name in page and world.other_contractor.name in page
    assert client.get("/fibre/dashboard/scorecards/?sort=bogus").status_code == 400
    page = html(client.get("/fibre/dashboard/payments/"))
    assert world.contractor.name in page and 'id="delays-wilaya"' in page


# --------------------------------------------------------------------------- offline support and API


def test_service_worker_is_served_from_the_fibre_scope(client):
    response = client.get("/fibre/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/fibre/"
    body = html(response)
    assert body.startswith("self.FIBRE_SW = ") and "/static/deployments/outbox.js" in body
    assert client.get("/fibre/offline/").status_code == 200


def test_the_api_is_mounted_under_the_fibre_pages(world, as_user):
    client = as_user(world.worker)
    response = client.get("/fibre/api/v1/workOrder")
    assert response.status_code == 200 and response.json()["count"] == 2
    client_uuid = str(uuid.uuid4())
    values = good_report(world, "SRV-01", client_uuid=client_uuid)
    import json

    form = {k: v for k, v in values.items() if k not in ("items", "photos", "splice_losses_db")}
    form.update(items=json.dumps(values["items"]), splice_losses_db=";".join(values["splice_losses_db"]),
                photos=values["photos"])
    response = client.post(f"/fibre/api/v1/workOrder/{world.work_order.reference}/report", form)
    assert response.status_code == 201 and response.json()["id"] == client_uuid
