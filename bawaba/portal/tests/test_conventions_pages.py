"""The citizen's request page: Maghreb month names in Arabic, day first in every language, typed text in its
own direction."""

import datetime as dt

import pytest

from bawaba.servicedesk.models import Request

from .conftest import browser
from .test_track import open_request

pytestmark = pytest.mark.django_db

SUBMITTED = dt.datetime(2026, 6, 4, 13, 30, tzinfo=dt.UTC)  # 14:30 in Algiers


@pytest.mark.parametrize(("language", "submitted"), [("ar", "4 جوان 2026، 14:30"), ("fr", "4 juin 2026 14:30"),
                                                     ("en", "4 June 2026, 14:30")])
def test_request_page_dates_read_day_month_year_with_maghreb_months_in_arabic(make_request, language, submitted):
    req = make_request(subject="Réseau coupé", text="الشبكة مقطوعة منذ يومين.")
    Request.objects.filter(pk=req.pk).update(created_at=SUBMITTED)
    html = open_request(browser(language), req).content.decode()
    assert submitted in html
    assert "يونيو" not in html  # the Mashriq name of June
    assert '<p class="pre" dir="auto">الشبكة مقطوعة منذ يومين.</p>' in html
    assert '<dd dir="auto">Réseau coupé</dd>' in html
