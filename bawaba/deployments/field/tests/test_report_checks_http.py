"""Review findings 8 and 9 as the contractor and the inspector meet them: the refusal of a measurement more
precise than recorded (422 in the API, 400 on the form) and the reason of a position without its accuracy."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import translation
from django.utils.html import escape

from bawaba.deployments.field import services as field_services
from bawaba.deployments.models import FieldReport
from bawaba.deployments.tests.factories import good_report

pytestmark = pytest.mark.django_db
BASE = "/fibre/api/v1"
TOO_PRECISE = "ONT receive power of -27.004 dBm is more precise than what is recorded: give at most 2 decimals."


def api_form(world, **overrides):
    values = good_report(world, "ONT-01", **overrides)
    form = {key: value for key, value in values.items() if key not in ("items", "photos", "splice_losses_db")}
    form["items"] = json.dumps(values["items"])
    form["splice_losses_db"] = ";".join(values["splice_losses_db"])
    form["photos"] = values["photos"]
    return form


def no_js_form(world, **overrides):
    values = good_report(world, "ONT-01", **overrides)
    form = {key: values[key] for key in ("client_uuid", "latitude", "longitude", "gps_accuracy_m",
                                         "device_started_at", "device_reported_at", "ont_serial",
                                         "ont_rx_power_dbm", "link_loss_db")}
    form["splice_losses_db"] = "; ".join(values["splice_losses_db"])
    form[f"qty-{world.item('ONT-01').id}"] = "1"
    form["photos"] = values["photos"]
    return form


@pytest.mark.urls("bawaba.deployments.tests.urls_api")
def test_the_api_answers_422_on_a_measurement_more_precise_than_recorded(world, as_user):
    client = as_user(world.worker)
    response = client.post(f"{BASE}/workOrder/WO-0001/report", api_form(world, ont_rx_power_dbm="-27.004"),
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422, response.content
    assert response["Content-Language"] == "en"
    assert response.json()["errors"]["ont_rx_power_dbm"] == [TOO_PRECISE]
    response = client.post(f"{BASE}/workOrder/WO-0001/report",
                           api_form(world, splice_losses_db=["0.03", "0.1004"]))
    assert response.status_code == 422 and list(response.json()["errors"]) == ["splice_losses_db"]
    assert not FieldReport.objects.exists()
    response = client.post(f"{BASE}/workOrder/WO-0001/report", api_form(world, ont_rx_power_dbm="-27.00"))
    assert response.status_code == 201, response.content


def test_the_report_form_shows_the_refusal_next_to_the_field(world, as_user):
    response = as_user(world.worker).post(f"/fibre/orders/{world.work_order.pk}/report/",
                                          no_js_form(world, ont_rx_power_dbm="-27.004"))
    assert response.status_code == 400
    # Next to the field, in the page's language (the label is translated, the value is as typed).
    error = re.search(r'<ul class="errorlist" id="id_ont_rx_power_dbm_error"><li>(.*?)</li>',
                      response.content.decode())
    assert error, response.content.decode()
    with translation.override(response["Content-Language"]):
        assert error.group(1) == escape(translation.ngettext(
            "%(label)s of %(value)s %(unit)s is more precise than what is recorded: give at most %(places)s "
            "decimal.",
            "%(label)s of %(value)s %(unit)s is more precise than what is recorded: give at most %(places)s "
            "decimals.", 2) % {"label": translation.gettext("ONT receive power"), "value": "-27.004",
                               "unit": "dBm", "places": 2})
    assert not FieldReport.objects.exists()


def test_inspector_and_contractor_read_why_a_position_without_accuracy_waits(world, as_user, client):
    report = field_services.do_submit_field_report(world.worker, world.work_order,
                                             **good_report(world, "ONT-01", gps_accuracy_m=None)).report
    item = report.items.get()
    for user, url in ((world.inspector, "/fibre/inspections/"),
                      (world.worker, f"/fibre/orders/{world.work_order.pk}/")):
        response = as_user(user).get(url)
        assert response.status_code == 200
        with translation.override(response["Content-Language"]):
            assert escape(item.reason_texts()[0]) in response.content.decode(), url
        client.logout()
