"""The print centre's pages and API, the supervisor's page and the admin of products and tariffs."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from bawaba.hybridmail import runs
from bawaba.hybridmail.models import LetterState, MailTariff, PieceState, PrintReport


@pytest.fixture
def run(paper_letters):
    return runs.build_runs().runs[0]


def test_print_staff_see_and_download_only_their_centres_runs(client, run, printer, oran_printer):
    client.force_login(printer)
    home = client.get(reverse("hybridmail:print-home"))
    assert home.status_code == 200 and run.number in home.content.decode()
    pdf = client.get(reverse("hybridmail:print-run-pdf", args=[run.number]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["X-Content-SHA256"] == run.pdf_sha256
    run.refresh_from_db()
    assert run.state == "downloaded"
    manifest = client.get(reverse("hybridmail:print-run-manifest", args=[run.number, "json"]))
    assert json.loads(manifest.content)["run"] == run.number
    assert client.get(reverse("hybridmail:print-run-manifest", args=[run.number, "exe"])).status_code == 404
    client.force_login(oran_printer)
    assert run.number not in client.get(reverse("hybridmail:print-home")).content.decode()
    for name in ("hybridmail:print-run", "hybridmail:print-run-pdf"):
        assert client.get(reverse(name, args=[run.number])).status_code == 404
    assert client.get(reverse("hybridmail:print-run-manifest", args=[run.number, "csv"])).status_code == 404


def test_other_staff_cannot_reach_the_print_pages(client, run, clerk, ministry):
    from bawaba.accounts.models import User

    client.force_login(clerk)
    assert client.get(reverse("hybridmail:print-home")).status_code == 403
    client.force_login(User.objects.get(username="mf.sender"))
    assert client.get(reverse("hybridmail:print-run-pdf", args=[run.number])).status_code == 403
    client.logout()
    assert client.get(reverse("hybridmail:print-home")).status_code == 302


def test_scanning_a_code_records_the_report(client, run, printer):
    client.force_login(printer)
    url = reverse("hybridmail:print-home")
    response = client.post(url, {"code": runs.code_text(run.number, 1, 2, 2), "state": "handed"})
    assert response.status_code == 302
    piece = run.piece_set.get(sequence=1)
    assert piece.state == PieceState.HANDED and piece.letter.state == LetterState.POSTED
    bad = client.post(url, {"code": f"{run.number} 3", "state": "failed", "reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "needs a reason" in bad.content.decode()
    assert run.piece_set.get(sequence=3).state == PieceState.QUEUED


def test_report_file_is_all_or_nothing(client, run, printer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(printer)
    url = reverse("hybridmail:print-report-file")
    body = f"code;status\n{run.number} 1;handed\n{run.number} 42;handed\n".encode()
    refused = client.post(url, {"file": SimpleUploadedFile("r.csv", body, "text/csv")})
    assert refused.status_code == 400 and "42" in refused.content.decode()
    assert not PrintReport.objects.exists()
    wrong = client.post(url, {"file": SimpleUploadedFile("r.csv", b"\x00\x01garbage", "text/csv")})
    assert wrong.status_code == 400
    ok = client.post(url, {"file": SimpleUploadedFile("r.csv", f"code;status\n{run.number} 1;handed\n".encode(),
                                                      "text/csv")})
    assert ok.status_code == 302 and PrintReport.objects.count() == 1


def test_api_reports_with_a_token(client, run, printer, poste):
    url = reverse("hybridmail:print-api-reports")
    assert client.post(url, {}, content_type="application/json").status_code == 401
    _token, secret = _issue(poste, printer)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    bad = client.post(url, {"reports": [{"code": f"{run.number} 1", "status": "handed"},
                                        {"code": f"{run.number} 9", "status": "handed"}]},
                      content_type="application/json", **auth)
    assert bad.status_code == 400 and bad.json()["rows"][0]["row"] == 2
    assert client.post(url, "not json", content_type="application/json", **auth).status_code == 400
    good = client.post(url, {"reports": [{"code": runs.code_text(run.number, 1, 1, 2), "status": "handed"}]},
                       content_type="application/json", **auth)
    assert good.status_code == 200 and good.json()["handed"] == 1


def _issue(org, user):
    """A token whose integration user is a print-centre member: the API acts as the centre."""
    from bawaba.api.services import do_create_token
    from bawaba.hybridmail.models import PrintCentreStaff

    token, secret = do_create_token(org, name="print centre")
    integration = token.user
    integration.grants.create(role="hybridmail.print")
    integration.forget_roles()
    PrintCentreStaff.objects.create(user=integration, centre=user.print_centre_staff.centre)
    return token, secret


def test_supervisor_page_lists_centres_uncovered_letters_and_runs(client, run, mail_supervisor, make_letter,
                                                                  sopeco):
    from bawaba.geo.models import Commune
    from bawaba.hybridmail import dispatch

    far = Commune.objects.filter(region__country="DZ", region__code="11").exclude(postal_code="").first()
    waiting = make_letter("ordinary", nin="", commune=far)
    dispatch.dispatch(waiting)
    client.force_login(mail_supervisor)
    page = client.get(reverse("hybridmail:supervisor-home")).content.decode()
    assert waiting.reference in page and far.name_fr in page
    assert run.number in page and "impression d&#x27;Alger" in page and "Lettre recommandée hybride" in page
    assert client.post(reverse("hybridmail:supervisor-reconcile")).status_code == 302


def test_supervisor_page_shows_only_the_operators_data(client, sopeco, run):
    from bawaba.orgs.services import do_add_staff

    other = do_add_staff(sopeco, {"username": "sopeco.mail", "roles": ["hybridmail.supervisor"],
                                  "password": "correct horse 42"})
    client.force_login(other)
    page = client.get(reverse("hybridmail:supervisor-home")).content.decode()
    assert run.number not in page and "Alger" not in page


def test_tariff_in_force_is_read_only_in_the_admin_and_a_new_version_can_be_added(client, poste, mail_products):
    from bawaba.orgs.services import do_add_staff

    admin_user = do_add_staff(poste, {"username": "poste.admin", "roles": ["org_admin", "hybridmail.supervisor"],
                                      "password": "correct horse 42"})
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    current = MailTariff.objects.get(operator=poste)
    change = reverse("admin:hybridmail_mailtariff_change", args=[current.pk])
    assert client.get(change).status_code == 200  # shown, read-only
    client.raise_request_exception = False
    assert client.post(change, {"label": "changed", "valid_from": "2020-01-01", "currency": "DZD"}).status_code == 403
    current.refresh_from_db()
    assert current.label == "2026"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    add = client.post(reverse("admin:hybridmail_mailtariff_add"), {
        "label": "2027", "valid_from": tomorrow.isoformat(), "currency": "DZD",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000", "lines-0-product": mail_products["paper"].pk,
        "lines-0-digital_price": "30.00", "lines-0-paper_price": "70.00", "lines-0-extra_sheet_price": "12.00"})
    assert add.status_code == 302, [x for x in add.content.decode().splitlines() if "errorlist" in x][:5]
    new = MailTariff.objects.get(label="2027")
    assert new.operator == poste and new.lines.get().paper_price == 70
