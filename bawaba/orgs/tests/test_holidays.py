"""Public holidays beyond the onboarding year: loaded a year ahead by a command and a monthly task."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from bawaba.orgs.models import Holiday
from bawaba.orgs.services import do_extend_holidays
from bawaba.orgs.tasks import load_next_years_holidays

pytestmark = pytest.mark.django_db

LATER = dt.date.today().year + 3


def years(org):
    return sorted({d.year for d in org.holidays.values_list("date", flat=True)})


def test_extending_loads_a_later_year_of_public_holidays(orgs):
    at = orgs["algerie-telecom"]
    assert LATER not in years(at)
    added = do_extend_holidays(at, LATER)
    assert added > 5 and LATER in years(at)
    assert any("Eid" in name for name in at.holidays.filter(date__year=LATER).values_list("name", flat=True))


def test_extending_again_keeps_an_admins_correction_of_a_lunar_date(orgs):
    at = orgs["algerie-telecom"]
    do_extend_holidays(at, LATER)
    eid = at.holidays.filter(date__year=LATER, name__contains="Eid").order_by("date").first()
    estimated = eid.date
    announced = next(estimated + dt.timedelta(days=n) for n in range(1, 10)
                     if not at.holidays.filter(date=estimated + dt.timedelta(days=n)).exists())
    eid.date = announced
    eid.save()
    count = at.holidays.count()
    assert do_extend_holidays(at, LATER) == 0
    assert at.holidays.count() == count and not at.holidays.filter(date=estimated).exists()


def test_a_company_closing_day_does_not_stop_the_public_holidays_from_loading(orgs):
    at = orgs["algerie-telecom"]
    Holiday.objects.create(organisation=at, date=dt.date(LATER, 2, 3), name="Inventaire")
    assert do_extend_holidays(at, LATER) > 5


def test_cli_loads_a_year_for_every_organisation(orgs, capsys):
    call_command("orgs", "holidays", "--year", str(LATER))
    for org in orgs.values():
        assert LATER in years(org), org.slug
    out = capsys.readouterr().out
    assert "algerie-poste" in out and str(LATER) in out
    call_command("orgs", "holidays", "--year", str(LATER))
    assert "already loaded" in capsys.readouterr().out


def test_cli_loads_one_organisation_and_refuses_an_unknown_one(orgs):
    call_command("orgs", "holidays", "--year", str(LATER), "--organisation", "mobilis")
    assert LATER in years(orgs["mobilis"]) and LATER not in years(orgs["algerie-poste"])
    with pytest.raises(CommandError):
        call_command("orgs", "holidays", "--year", str(LATER), "--organisation", "nobody")


def test_monthly_task_loads_next_year_for_every_organisation(orgs):
    next_year = dt.date.today().year + 1
    Holiday.objects.filter(date__year=next_year).delete()
    assert load_next_years_holidays.call_local() > 0
    for org in orgs.values():
        assert next_year in years(org), org.slug
    assert load_next_years_holidays.call_local() == 0
    schedule = load_next_years_holidays.task_class()
    assert schedule.validate_datetime(dt.datetime(2026, 12, 1, 3, 30))
    assert not schedule.validate_datetime(dt.datetime(2026, 12, 2, 3, 30))


def test_organisation_page_warns_when_public_holidays_run_out(client, at_admin, orgs):
    at = orgs["algerie-telecom"]
    client.force_login(at_admin)
    url = f"/admin/orgs/organisation/{at.pk}/change/"
    # The onboarding loaded this year and the next, which ends well beyond 90 days from now.
    assert not [m for m in client.get(url).context["messages"] if "bawaba orgs holidays" in str(m)]
    at.holidays.filter(date__gte=dt.date.today() + dt.timedelta(days=30)).delete()
    warnings = [str(m) for m in client.get(url).context["messages"]]
    assert any("bawaba orgs holidays --year" in m for m in warnings), warnings
