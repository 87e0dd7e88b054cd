"""Browser tests: Debian's Chromium driven by Playwright (pytest-playwright fixtures) against Django's live server.

Run them with:  .venv/bin/pytest tests/e2e -m browser -p no:xdist
(add --headed to watch, --tracing retain-on-failure to keep a trace in test-results/).

- `page`, `context`, `new_context`, `browser`: pytest-playwright's fixtures, with the browser launched from
  /usr/bin/chromium (never `playwright install`) and flags that keep it from calling outside hosts.
- `live_server`: pytest-django's live server; tests using it run in a transactional database whose
  migration data (wilayas, communes) is restored after each test (serialized rollback).
- `sign_in(user, context=None)`: signs a user in by session cookie (fast, independent of the login page);
  `sign_in_with_form(page, username, password)` goes through the real sign-in page.
- `no_outside_requests(page)`: records every request; `assert_only_local()` fails on any outside URL.
Every test in this folder gets the `browser` marker automatically.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a thread with a
# running loop unless told it is fine (the test thread is not serving async requests).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("BAWABA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            # Migration data (geography) must survive the flush that follows each live-server test.
            if not any(m.name == "django_db" for m in item.iter_markers()):
                item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session", autouse=True)
def _django_connections_stay_thread_local():
    """Keep one Django connection per thread while Playwright's event loop runs in the test thread.

    Django keeps connections in an asgiref `Local(thread_critical=True)`: in a thread where an asyncio loop
    is running (Playwright's sync API keeps one), it switches to per-context storage, so after the browser
    starts the test thread gets a *second* connection wrapper. That wrapper lacks `_test_serialized_contents`
    (set at test-database creation), so `serialized_rollback` silently stops restoring the migrations' data
    (wilayas, communes) and the flush re-creates content types that the next restore then duplicates
    (IntegrityError on django_content_type). Tests here are synchronous: plain thread-local storage is right.
    """
    from django.db import connections

    local = connections._connections
    storage = object.__getattribute__(local, "_storage")
    object.__setattr__(local, "_get_storage", lambda: storage)
    yield
    object.__delattr__(local, "_get_storage")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS,
            "timeout": 60_000}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # English source strings whatever the catalogues say; Algiers time; a phone-sized window by default.
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Africa/Algiers",
            "viewport": {"width": 412, "height": 915}}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _playwright_timeouts(request):
    """Give the 2-core shared machine some slack: 15 s for expectations and actions."""
    if "page" not in request.fixturenames and "context" not in request.fixturenames:
        yield
        return
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    context = request.getfixturevalue("context")
    context.set_default_timeout(15_000)
    yield


@pytest.fixture
def sign_in(live_server, context):
    """Sign `user` in within `context` (default: the test's context) by putting a session cookie in it."""
    from django.conf import settings
    from django.test import Client

    def _sign_in(user, in_context=None):
        client = Client()
        client.force_login(user)
        target = in_context or context
        target.clear_cookies()
        target.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                             "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                             "url": live_server.url}])
        return target

    return _sign_in


TEST_PASSWORD = "correct horse 42"  # noqa: S105 - the root conftest's staff password


@pytest.fixture
def sign_in_with_form(live_server):
    def _sign_in(page, username, password=TEST_PASSWORD, next_url="/"):
        page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main form button[type=submit]")

    return _sign_in


@pytest.fixture
def no_outside_requests(live_server):
    """Call with a page; returns a checker asserting that the page only ever asked the live server."""

    def watch(page):
        seen: list[str] = []
        page.context.on("request", lambda request: seen.append(request.url))

        def assert_only_local():
            outside = [url for url in seen if not url.startswith((live_server.url, "data:", "blob:"))]
            assert not outside, f"requests to outside hosts: {outside}"
            return seen

        return assert_only_local

    return watch
