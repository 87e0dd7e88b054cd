"""Calendar settings that deadlines depend on: time zone and opening hours are checked where they are entered,
and hours already stored that overlap are counted once."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from bawaba.core.business_time import add_business_minutes, business_minutes_between
from bawaba.orgs.models import BusinessHours, Organisation
from bawaba.orgs.services import calendar_for, do_onboard_organisation

from .admin_forms import add_rows, inline_rows, page_data

pytestmark = pytest.mark.django_db

ORG_PAGE = "/admin/orgs/organisation/{}/change/"
ALGIERS = ZoneInfo("Africa/Algiers")


def errors_of(response):
    """Every error shown on an admin page: main form, inline forms and inline formsets."""
    found = [str(e) for errors in response.context["adminform"].form.errors.values() for e in errors]
    for inline in response.context["inline_admin_formsets"]:
        found += [str(e) for e in inline.formset.non_form_errors()]
        for form_errors in inline.formset.errors:
            found += [str(e) for errors in form_errors.values() for e in errors]
    return found


# --- 15: overlapping opening periods


def test_overlapping_opening_periods_are_refused_in_the_organisation_page(client, at_admin, orgs):
    at = orgs["algerie-telecom"]
    client.force_login(at_admin)
    page = client.get(ORG_PAGE.format(at.pk))
    data = add_rows(page_data(page), "business_hours",
                    {"weekday": "0", "opens": "12:00", "closes": "18:00", "organisation": at.pk})
    response = client.post(ORG_PAGE.format(at.pk), data)
    assert response.status_code == 200
    assert any("08:00-16:30" in error and "12:00-18:00" in error for error in errors_of(response))
    assert at.business_hours.filter(weekday=0).count() == 1


def test_periods_that_only_touch_are_accepted(client, at_admin, orgs):
    at = orgs["algerie-telecom"]
    client.force_login(at_admin)
    page = client.get(ORG_PAGE.format(at.pk))
    data = add_rows(page_data(page), "business_hours",
                    {"weekday": "0", "opens": "16:30", "closes": "18:00", "organisation": at.pk})
    response = client.post(ORG_PAGE.format(at.pk), data)
    assert response.status_code == 302, errors_of(response)
    assert at.business_hours.filter(weekday=0).count() == 2


def test_onboarding_refuses_overlapping_hours(db):
    spec = {"slug": "sonelgaz", "name_fr": "Sonelgaz", "hours": {"0": [["08:00", "12:00"], ["10:00", "16:00"]]}}
    with pytest.raises(ValidationError):
        do_onboard_organisation(spec)
    assert not Organisation.objects.filter(slug="sonelgaz").exists()


def test_overlapping_hours_already_stored_are_counted_once(orgs):
    at = orgs["algerie-telecom"]
    at.business_hours.all().delete()
    BusinessHours.objects.create(organisation=at, weekday=0, opens=dt.time(8), closes=dt.time(12))
    BusinessHours.objects.create(organisation=at, weekday=0, opens=dt.time(10), closes=dt.time(16))
    calendar = calendar_for(at)
    monday = dt.datetime(2026, 11, 23, 8, tzinfo=ALGIERS)
    assert add_business_minutes(calendar, monday, 6 * 60) == dt.datetime(2026, 11, 23, 14, tzinfo=ALGIERS)
    assert business_minutes_between(calendar, monday, monday + dt.timedelta(hours=12)) == 8 * 60


# --- 9: no opening hours, unknown time zone


def test_deleting_the_last_opening_period_is_refused(client, at_admin, orgs):
    at = orgs["algerie-telecom"]
    client.force_login(at_admin)
    page = client.get(ORG_PAGE.format(at.pk))
    rows = inline_rows(page, "business_hours")
    assert len(rows) == 5
    data = page_data(page, **{f"business_hours-{i}-DELETE": "on" for i in range(len(rows))})
    response = client.post(ORG_PAGE.format(at.pk), data)
    assert response.status_code == 200
    assert any("Gardez au moins une plage" in e for e in errors_of(response)), errors_of(response)
    assert at.business_hours.count() == 5
    # Deleting all but one is fine.
    data = page_data(page, **{f"business_hours-{i}-DELETE": "on" for i in range(1, len(rows))})
    assert client.post(ORG_PAGE.format(at.pk), data).status_code == 302
    assert at.business_hours.count() == 1


def test_unknown_time_zone_is_refused_in_the_organisation_page(client, at_admin, orgs):
    at = orgs["algerie-telecom"]
    client.force_login(at_admin)
    page = client.get(ORG_PAGE.format(at.pk))
    response = client.post(ORG_PAGE.format(at.pk), page_data(page, timezone="Africa/Algier"))
    assert response.status_code == 200
    assert "timezone" in response.context["adminform"].form.errors
    at.refresh_from_db()
    assert at.timezone == "Africa/Algiers"


def test_onboarding_refuses_an_unknown_time_zone_with_a_clear_message(db, tmp_path):
    spec = {"slug": "sonelgaz", "name_fr": "Sonelgaz", "timezone": "Europe/Pariss"}
    with pytest.raises(ValidationError) as refused:
        do_onboard_organisation(spec)
    assert "Europe/Pariss" in refused.value.messages[0]
    spec_file = tmp_path / "sonelgaz.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(CommandError, match="Europe/Pariss"):
        call_command("orgs", "onboard", str(spec_file))
    assert not Organisation.objects.filter(slug="sonelgaz").exists()


def test_organisation_added_without_hours_gets_the_countrys_usual_week(client, platform_admin):
    client.force_login(platform_admin)
    data = {"slug": "mobilis-cg", "name_fr": "Mobilis CG", "kind": "operator", "country": "CG",
            "timezone": "Africa/Brazzaville", "is_active": "on", "_save": "Enregistrer"}
    for prefix in ("queues", "services", "business_hours", "holidays", "sla_policies"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post("/admin/orgs/organisation/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    org = Organisation.objects.get(slug="mobilis-cg")
    assert set(calendar_for(org).hours) == {0, 1, 2, 3, 4}
