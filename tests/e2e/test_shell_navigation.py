"""The shell in a real browser: a technician, an agent and a supervisor sign in through the real form on a
phone (360 px), in French and in Arabic, land on the home of their main role and see only the menu entries
their roles allow, laid out within the screen (right to left in Arabic)."""

import re

import pytest
from playwright.sync_api import expect

from bawaba.orgs.services import do_add_staff, do_onboard_organisation
from tests.e2e.browser_fixtures import *  # noqa: F403
from tests.e2e.browser_fixtures import BROWSER_DB, PASSWORD, PHONE_VIEWPORT

pytestmark = [pytest.mark.browser, BROWSER_DB]

ALL_ENTRIES = ["nav-queue", "nav-call", "nav-dashboard", "nav-outbox", "nav-articles", "nav-orders", "nav-rejections",
               "nav-statements", "nav-inspections", "nav-import", "nav-fibre-dashboard", "nav-staff", "nav-admin"]
PEOPLE = {  # username: (home path, menu entries shown, {language: labels of those entries})
    "fibre.tech1": ("/fibre/orders/", ["nav-orders", "nav-rejections"],
                    {"fr": ["Ordres de travail", "Rejets"], "ar": ["أوامر العمل", "المرفوضات"]}),
    "at.agent": ("/desk/", ["nav-queue", "nav-call", "nav-articles"],
                 {"fr": ["File d'attente", "Nouvel appel", "Articles d'aide"],
                  "ar": ["قائمة الانتظار", "مكالمة جديدة", "مقالات المساعدة"]}),
    "at.supervisor": ("/desk/dashboard/", ["nav-queue", "nav-call", "nav-dashboard", "nav-outbox", "nav-articles"],
                      {"fr": ["File d'attente", "Nouvel appel", "Tableau de bord", "Messages aux citoyens",
                              "Articles d'aide"],
                       "ar": ["قائمة الانتظار", "مكالمة جديدة", "لوحة القيادة", "الرسائل إلى المواطنين",
                              "مقالات المساعدة"]}),
}


@pytest.fixture
def people(orgs):
    contractor = do_onboard_organisation({"slug": "fibre-co-1", "kind": "contractor", "name_fr": "Fibre Travaux 1",
                                          "name_ar": "مؤسسة أشغال الألياف 1"})
    do_add_staff(contractor, {"username": "fibre.tech1", "roles": ["fibre.technician"], "password": PASSWORD})
    do_add_staff(orgs["algerie-telecom"], {"username": "at.agent", "roles": ["desk.agent"], "password": PASSWORD})
    do_add_staff(orgs["algerie-telecom"], {"username": "at.supervisor", "roles": ["desk.supervisor"],
                                           "password": PASSWORD})


def sign_in_through_the_form(page, username, home):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(re.escape(home) + r"$"))


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("username", list(PEOPLE))
def test_each_person_lands_on_their_home_with_their_menu_on_a_phone(
    live_server, people, new_chromium_context, language, username,
):
    home, shown, labels = PEOPLE[username]
    page = new_chromium_context(phone=True, locale=f"{language}-DZ").new_page()
    sign_in_through_the_form(page, username, home)
    assert page.url == live_server.url + home
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    nav = page.locator("nav.topnav")
    # The menu wraps within the top bar instead of overflowing it; the bar spans the page, which keeps to the
    # phone's width (except the supervisors' dashboard, whose charts are wider than a phone: not the menu's doing).
    bar = page.locator("header.topbar").bounding_box()
    if username != "at.supervisor":
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    for entry_id, label in zip(shown, labels[language], strict=True):
        link = nav.locator(f"#{entry_id}")
        expect(link).to_be_visible()
        expect(link).to_have_text(label)
        box = link.bounding_box()
        assert box["x"] >= bar["x"] and box["x"] + box["width"] <= bar["x"] + bar["width"], (entry_id, box)
    for hidden in set(ALL_ENTRIES) - set(shown):
        expect(nav.locator(f"#{hidden}")).to_have_count(0)
    expect(nav.locator("a[aria-current=page]")).to_have_count(1)
    if language == "ar":  # right to left: the first entry starts on the right
        first = nav.locator(f"#{shown[0]}").bounding_box()
        assert first["x"] + first["width"] > bar["x"] + bar["width"] / 2
    # Sign out is in the same menu.
    expect(page.locator("#logout")).to_be_visible()
