"""The operator dashboard's first load: the page and everything it fetches, counted as a browser receives it.

The HTML page and the JSON it fetches are counted as Django sends them (no compression). Static files are
counted as WhiteNoise serves them in production: collectstatic's CompressedStaticFilesStorage writes a gzip
copy of each, compressed by the same whitenoise.compress.Compressor used here, and WhiteNoise sends it to
browsers that accept gzip (all do). The wilaya outlines come precompressed from bawaba.geo.
"""

from __future__ import annotations

import gzip
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from bawaba.deployments.field import services as field_services
from bawaba.deployments.tests.factories import good_report

pytestmark = pytest.mark.django_db

BUDGET = 150_000  # bytes for the whole page on first load (issue 12, point 12)
BROWSER = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def _static_bytes(url: str) -> int:
    """What WhiteNoise sends for a static URL after collectstatic: the gzip copy when it is worth keeping."""
    from whitenoise.compress import Compressor

    path = finders.find(url.removeprefix(settings.STATIC_URL).split("?")[0])
    assert path, url
    with open(path, "rb") as handle:
        raw = handle.read()
    compressor = Compressor(use_brotli=False, quiet=True)
    if not compressor.should_compress(path):
        return len(raw)
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    return len(packed) if compressor.is_compressed_effectively("gzip", path, len(raw), packed) else len(raw)


def first_load(client, url: str) -> list[tuple[str, int]]:
    """(url, bytes received) for the page, its styles and scripts, and the data its map fetches."""
    page = client.get(url, **BROWSER)
    assert page.status_code == 200
    html = page.content.decode()
    fetched = [(url, len(page.content))]
    assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    assets += re.findall(r'<script[^>]+src="([^"]+)"', html)
    assets += re.findall(r'<img[^>]+src="(/static/[^"]+)"', html)
    for asset in dict.fromkeys(assets):
        fetched.append((asset, _static_bytes(asset)))
    node = re.search(r'<div id="site-map"[^>]*>', html).group(0)
    for name in ("data-geojson", "data-boundaries", "data-progress"):
        found = re.search(rf'{name}="([^"]+)"', node)
        if found:
            response = client.get(found.group(1).replace("&amp;", "&"), **BROWSER)
            assert response.status_code == 200, found.group(1)
            fetched.append((found.group(1), len(response.content)))
    return fetched


def test_the_dashboard_and_its_map_weigh_under_150_kb_on_first_load(world, client):
    field_services.do_submit_field_report(world.worker, world.work_order, **good_report(world, "SRV-01"))
    client.force_login(world.operator_agent)
    fetched = first_load(client, "/fibre/dashboard/")
    total = sum(size for _url, size in fetched)
    table = "\n".join(f"{size:>9,}  {url}" for url, size in fetched)
    print(f"\n{table}\n{total:>9,}  total")
    urls = [url for url, _size in fetched]
    assert "/geo/wilayas.geojson" in urls and any("leaflet.js" in url for url in urls)  # the map is counted
    assert total < BUDGET, table
    boundaries = dict(fetched)["/geo/wilayas.geojson"]
    assert boundaries < 70_000  # 519 KB before: the outlines alone no longer dominate the page


def test_the_map_is_fitted_to_the_data_with_a_margin():
    """Leaflet runs in the browser: this checks the script asks for it (the e2e test sees it on screen)."""
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static" / "deployments" / "dashboard.js").read_text()
    assert "fitToData" in script
    assert re.search(r"\.pad\(MARGIN\)", script) and re.search(r"MARGIN = 0\.\d+", script)
    # Fitted to the wilayas that have work orders, not to the whole country, when no site is drawn yet.
    assert "withWork" in script


def test_a_programme_priced_in_cfa_francs_shows_its_amounts_in_fcfa(world, client):
    from bawaba.deployments.models import PriceSchedule

    field_services.do_submit_field_report(world.worker, world.work_order, **good_report(world, "SRV-01"))
    PriceSchedule.objects.update(currency="XAF")
    client.force_login(world.operator_agent)
    page = client.get("/fibre/dashboard/").content.decode()
    assert "FCFA" in page and "DA<" not in page.replace("\u00a0", "")
