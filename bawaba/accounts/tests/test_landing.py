"""Landing and navigation by role: after signing in through the form each person lands on the home of their
main role, and the navigation shows only the modules and entries their roles allow."""

import re

import pytest

from bawaba.orgs.services import do_add_staff, do_onboard_organisation

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse 42"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def contractor(orgs):
    return do_onboard_organisation({"slug": "fibre-co-1", "kind": "contractor", "name_fr": "Fibre Travaux 1"})


def person(org, username, roles):
    return do_add_staff(org, {"username": username, "roles": roles, "password": PASSWORD})


def sign_in(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD}, follow=True)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.redirect_chain[-1][0], response.content.decode()


def nav_ids(page):
    nav = re.search(r'<nav class="topnav">(.*?)</nav>', page, re.S).group(1)
    return re.findall(r'<a href="[^"]*" id="(nav-[\w-]+)"', nav)


@pytest.mark.parametrize(("org_slug", "roles", "home", "menu"), [
    ("algerie-telecom", ["desk.agent"], "/desk/", ["nav-queue", "nav-call", "nav-articles", "nav-notifications"]),
    ("algerie-telecom", ["desk.supervisor"], "/desk/dashboard/",
     ["nav-queue", "nav-call", "nav-dashboard", "nav-outbox", "nav-articles", "nav-notifications"]),
    ("algerie-telecom", ["fibre.inspector"], "/fibre/inspections/",
     ["nav-inspections", "nav-import", "nav-fibre-dashboard", "nav-scorecards", "nav-payments"]),
    ("algerie-telecom", ["fibre.billing"], "/fibre/statements/",
     ["nav-statements", "nav-fibre-dashboard", "nav-scorecards", "nav-payments"]),
    ("algerie-telecom", ["fibre.viewer"], "/fibre/dashboard/", ["nav-fibre-dashboard", "nav-scorecards",
                                                                "nav-payments"]),
    ("fibre-co-1", ["fibre.technician"], "/fibre/orders/", ["nav-orders", "nav-rejections"]),
    ("fibre-co-1", ["fibre.contractor_manager"], "/fibre/orders/", ["nav-orders", "nav-rejections", "nav-statements"]),
])
def test_each_role_lands_on_its_home_with_its_menu(client, orgs, contractor, org_slug, roles, home, menu):
    org = contractor if org_slug == "fibre-co-1" else orgs[org_slug]
    person(org, "someone", roles)
    landed, page = sign_in(client, "someone")
    assert landed == home
    assert nav_ids(page) == menu


def test_an_org_admin_lands_on_their_staff_list(client, orgs):
    person(orgs["algerie-telecom"], "at.admin", ["org_admin"])
    landed, page = sign_in(client, "at.admin")
    assert landed == "/admin/accounts/user/"


def test_a_platform_admin_lands_on_the_administration(client, orgs):
    person(orgs["centre"], "platform.admin", ["platform_admin"])
    landed, _page = sign_in(client, "platform.admin")
    assert landed == "/admin/"


def test_a_supervisor_who_also_follows_the_fibre_sees_both_modules_named(client, orgs):
    person(orgs["algerie-telecom"], "at.supervisor", ["desk.supervisor", "fibre.viewer"])
    landed, page = sign_in(client, "at.supervisor")
    assert landed == "/desk/dashboard/"
    assert 'id="navmodule-desk-name"' in page and 'id="navmodule-fibre-name"' in page
    assert "nav-fibre-dashboard" in nav_ids(page) and "nav-orders" not in nav_ids(page)
    fibre = client.get("/fibre/dashboard/").content.decode()
    # the same menu
    assert nav_ids(fibre)[:5] == ["nav-queue", "nav-call", "nav-dashboard", "nav-outbox", "nav-articles"]
    assert 'id="nav-fibre-dashboard" aria-current="page"' in fibre


def test_a_technician_is_kept_out_of_the_desk(client, contractor):
    person(contractor, "fibre.tech1", ["fibre.technician"])
    sign_in(client, "fibre.tech1")
    assert client.get("/desk/").status_code == 403
    assert client.get("/desk/dashboard/").status_code == 403


def test_an_account_without_a_role_is_told_whom_to_ask(client, orgs):
    person(orgs["algerie-telecom"], "at.new", [])
    response = client.post("/accounts/login/", {"username": "at.new", "password": PASSWORD}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 403
    assert "لا يملك حسابكم أي دور" in response.content.decode()


def test_a_superuser_without_roles_lands_on_the_administration(client, orgs):
    from bawaba.accounts.models import User

    User.objects.create_superuser("root", "root@example.test", PASSWORD)
    landed, _page = sign_in(client, "root")
    assert landed == "/admin/"


def test_home_asks_an_anonymous_visitor_to_sign_in(client, db):
    response = client.get("/home/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_menu_is_translated(client, orgs):
    person(orgs["algerie-telecom"], "at.supervisor", ["desk.supervisor", "fibre.viewer"])
    sign_in(client, "at.supervisor")
    arabic = client.get("/desk/dashboard/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "مركز الخدمات" in arabic and "الألياف" in arabic and 'dir="rtl"' in arabic
    french = client.get("/desk/dashboard/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Centre de services" in french and "Avancement" in french


def test_sign_out_from_the_menu_passes_the_csrf_check(orgs):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(person(orgs["algerie-telecom"], "at.agent", ["desk.agent"]))
    page = client.get("/desk/").content.decode()
    form = re.search(r'<form method="post" action="/accounts/logout/" class="logout">(.*?)</form>', page, re.S)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(1)).group(1)
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get("/desk/").status_code == 302  # signed out
