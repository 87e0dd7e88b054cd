"""The operator dashboard's map, fitted to the programme's sites with a margin (Debian's Chromium, live server)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bawaba.deployments.field import services as field_services
from bawaba.deployments.tests.factories import fibre_world, good_report

pytestmark = pytest.mark.browser


@pytest.fixture
def fibre(orgs, at_supervisor, at_admin, at_agent):
    from bawaba.accounts.services import do_set_roles

    do_set_roles(at_agent, ["desk.agent", "fibre.viewer"])
    return fibre_world(orgs, inspector=at_supervisor, billing_admin=at_admin, operator_agent=at_agent)


def test_the_map_is_fitted_to_the_sites_with_a_margin_not_to_the_country(fibre, live_server, page, sign_in):
    field_services.do_submit_field_report(fibre.worker, fibre.work_order, **good_report(fibre, "SRV-01"))
    sign_in(fibre.operator_agent)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/fibre/dashboard/")
    node = page.locator("#site-map")
    expect(node).to_have_attribute("data-sites", "2")
    expect(node).to_have_attribute("data-wilayas", "69")
    # Leaflet may animate the zoom of the fit: wait until the view has settled on the data.
    page.wait_for_function("() => { const m = document.getElementById('site-map').leafletMap;"
                           " return m && m.getZoom() >= 9 && !m._animatingZoom; }")
    south, west, north, east, zoom = page.evaluate(
        "() => { const m = document.getElementById('site-map').leafletMap; const b = m.getBounds();"
        " return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast(), m.getZoom()]; }")
    assert zoom >= 9  # the sites (in Alger), not the whole country (zoom 5)
    for site in (fibre.site, fibre.site_order.site):
        lat, lon = float(site.latitude), float(site.longitude)
        # Inside, and away from the edges: at least a tenth of the view on every side.
        assert south + (north - south) * 0.1 < lat < north - (north - south) * 0.1
        assert west + (east - west) * 0.1 < lon < east - (east - west) * 0.1
