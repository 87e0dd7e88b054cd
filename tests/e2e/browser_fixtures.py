"""Fixtures of the citizen-portal and agent-desk browser tests (tests/e2e/test_citizen_portal.py,
tests/e2e/test_agent_desk.py).

Real pages in Debian's Chromium (/usr/bin/chromium), driven by Playwright's sync API, against
pytest-django's `live_server` (a threaded WSGI server in the test process, on the test database).
Never run `playwright install`: the browser is the system one, launched with the flags the machine
needs offline (no network calls to Google services, no GPU, no sandbox in containers).

Import into a test module with `from tests.e2e.browser_fixtures import *`. The names are distinct
from pytest-playwright's (`browser`, `context`, `page`) and from tests/e2e/conftest.py, so both can
be used in one session; the Playwright driver itself is pytest-playwright's session-scoped
`playwright` fixture, shared with anyone else's browser fixtures (two drivers cannot run in one
thread).

Data comes from the root conftest.py (`orgs`, `at_agent`, `make_request`...). The tests are
transactional (`BROWSER_DB`): the live server reads from another thread what the test wrote.

Two traps of running Playwright's sync API and Django in one process, handled here:

* Playwright keeps an asyncio loop "running" on the test thread. Django then refuses ORM calls
  (hence DJANGO_ALLOW_ASYNC_UNSAFE) and, because Django keeps its connections in an asgiref Local
  that switches to context-variable storage while a loop runs, the test thread gets *new*
  connection objects once Playwright has started. So the driver is started before the test
  database and the live server (`_e2e_playwright_first`), and `new_chromium_context` makes the live
  server use the very connection the test uses (in-memory SQLite), whatever started first.
* Django's serialized rollback (which restores the migrations' data, i.e. the wilayas and communes,
  that a transactional test's flush deletes) keeps its copy on the connection object of the
  thread's storage at database set-up. If the database was set up before Playwright started (other
  tests ran first in the session), the copy is out of reach and nothing is restored:
  `_e2e_reference_geography` then loads the geography again with the data migration's loader.
"""

from __future__ import annotations

import os
import re

import pytest

# Playwright's sync API keeps an asyncio loop on the test thread; Django refuses ORM calls from a
# thread with a running loop unless told it is safe (it is: the ORM calls are synchronous here).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

__all__ = [
    "BROWSER_DB",
    "CHROMIUM_ARGS",
    "CHROMIUM_PATH",
    "PASSWORD",
    "PHONE_VIEWPORT",
    "_e2e_clean_cache",
    "_e2e_playwright_first",
    "_e2e_reference_geography",
    "chromium_browser",
    "chromium_page",
    "citizen_phone_page",
    "internet_rule",
    "login",
    "new_chromium_context",
    "path_of",
    "region_algiers",
]

CHROMIUM_PATH = os.environ.get("BAWABA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}
PASSWORD = "correct horse 42"  # the root conftest's staff password
# The mark every test module of these pages carries (with pytest.mark.browser): transactional, with
# Django's serialized rollback like the other browser tests of this folder (tests/e2e/conftest.py).
# Mixing flushes with and without it breaks the restore (content types recreated under new ids).
BROWSER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="session", autouse=True)
def _e2e_playwright_first(playwright):
    """Start the Playwright driver before Django's test database and live server (see above)."""
    return playwright


@pytest.fixture(scope="session")
def chromium_browser(playwright):
    """One headless Chromium per test process (per xdist worker)."""
    if not os.path.exists(CHROMIUM_PATH):
        pytest.skip(f"Chromium not found at {CHROMIUM_PATH} (apt install chromium)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _e2e_clean_cache():
    """Rate-limit counters (10 POSTs a minute per IP) and message tokens live in the cache: every
    test starts with none, whatever ran before in this process."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _e2e_reference_geography(transactional_db):
    """The wilayas and communes of the data migration, loaded again if an earlier transactional test
    flushed them (idempotent loader; about 0.6 s)."""
    from bawaba.geo.loader import load_algeria, load_congo
    from bawaba.geo.models import Commune, District, Region

    if not Region.objects.filter(country="DZ").exists():
        load_algeria(Region, District, Commune)
    if not Region.objects.filter(country="CG").exists():
        load_congo(Region)


def _share_test_connection(live_server) -> None:
    """With in-memory SQLite, serve requests on the test's own connection object (one database,
    one connection: no "table is locked" between two connections of a shared-cache database)."""
    from django.db import connections

    conn = connections["default"]
    if conn.vendor != "sqlite" or not conn.is_in_memory_db():
        return
    override = live_server.thread.connections_override  # the dict the server threads read
    if override.get("default") is not conn:
        conn.inc_thread_sharing()
        override["default"] = conn


@pytest.fixture
def new_chromium_context(chromium_browser, live_server, transactional_db):
    """Factory of isolated browser sessions (own cookies) on the live server.

    `new_chromium_context(phone=True, locale="fr-DZ", java_script_enabled=False)`. Relative URLs
    (`page.goto("/track/")`) go to the live server. Any 5xx answer or uncaught JavaScript error in a
    context fails the test at teardown.
    """
    _share_test_connection(live_server)
    contexts = []
    problems: list[str] = []

    def make(*, phone: bool = False, locale: str = "fr-FR", java_script_enabled: bool = True, **options):
        config = {
            "base_url": live_server.url,
            "locale": locale,
            "java_script_enabled": java_script_enabled,
            "viewport": {"width": 1280, "height": 900},
        }
        if phone:
            config.update(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2)
        config.update(options)
        context = chromium_browser.new_context(**config)
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(15_000)
        context.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None)
        context.on("weberror", lambda e: problems.append(f"JavaScript error: {e.error}"))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert problems == [], f"server errors or JavaScript errors during the test: {problems}"


@pytest.fixture
def chromium_page(new_chromium_context):
    """A desktop page (1280×900) in French."""
    return new_chromium_context().new_page()


@pytest.fixture
def citizen_phone_page(new_chromium_context):
    """A cheap phone's screen (360×740, touch, mobile viewport rules) in French."""
    return new_chromium_context(phone=True, locale="fr-DZ").new_page()


def login(page, username: str, password: str = PASSWORD, next_path: str = "") -> None:
    """Sign in through the real form (/accounts/login/) and wait for the desk to answer."""
    page.goto("/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r"/desk/"))


def path_of(page) -> str:
    """The path of the page's current URL (no scheme, host or query)."""
    from urllib.parse import urlsplit

    return urlsplit(page.url).path


@pytest.fixture
def internet_rule(orgs):
    """Deterministic routing: texts about internet, ADSL or the fixed line go to Algérie Télécom faults
    by an explicit rule (tried before the classifier), in French and Arabic."""
    from bawaba.orgs.models import Service
    from bawaba.routing.models import RoutingRule

    return RoutingRule.objects.create(
        name="e2e: fixed line and internet faults",
        order=0,
        keywords="internet\nadsl\nligne fixe\ntonalité\nانترنت\nالهاتف الثابت",
        service=Service.objects.get(code="algerie-telecom/faults"),
    )


@pytest.fixture
def region_algiers(_e2e_reference_geography):
    from bawaba.geo.models import Region

    return Region.objects.get(country="DZ", code="16")
