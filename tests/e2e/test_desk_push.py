"""The desk by push in Chromium: the page served by a real ASGI server (uvicorn in a thread of the test
process, on the test database), a new request on the agent's screen without a reload and without a poll.
(tests/e2e/test_agent_desk.py runs on the WSGI live server, where the stream answers 204: the fallback.)"""

import contextlib

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from bawaba.live.testing import asgi_server_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@contextlib.contextmanager
def desk_on_the_stream(browser, agent):
    """The agent's desk in Chromium, served by uvicorn, once its stream is open: (page, the page's script errors)."""
    client = Client()
    client.force_login(agent)
    with asgi_server_thread() as server:
        context = browser.new_context(base_url=server, locale="fr-FR")
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": server,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield page, errors
        finally:
            context.close()


def test_new_request_appears_on_the_agents_screen_by_push_without_polling(browser, at_agent, make_request):
    with desk_on_the_stream(browser, at_agent) as (page, errors):
        asked = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto("/desk/")
        expect(page.locator("html[data-live='on']")).to_have_count(1, timeout=10_000)
        page.evaluate("window.__sameDocument = true")

        request = make_request(subject="Ligne fixe muette", text="Plus de tonalité depuis ce matin.")

        # Pushed: a fraction of a second (rendered at once after a quiet spell), well under a poll's 2 s.
        expect(page.locator(f'#queue tr[data-reference="{request.reference}"]')).to_be_visible(timeout=1_900)
        assert page.evaluate("window.__sameDocument") is True  # no reload
        page.wait_for_timeout(2_300)  # a poll would have gone by now: the stream keeps the timer quiet
        assert not [url for url in asked if "/desk/queue/" in url]
        assert errors == []


def test_a_request_further_down_the_list_updates_the_count_on_screen(browser, at_agent, make_request):
    """The stream sends only the count (and the list's new ETag) when the rows on screen stay the same."""
    first_page = [make_request(subject=f"Panne {i}") for i in range(26)][:25]
    with desk_on_the_stream(browser, at_agent) as (page, errors):
        page.goto("/desk/")
        expect(page.locator("html[data-live='on']")).to_have_count(1, timeout=10_000)
        expect(page.locator("#queue-count")).to_contain_text("26")
        etag = page.locator("#queue").get_attribute("data-etag")
        page.evaluate("window.__sameDocument = true")

        below = make_request(subject="Panne 26")

        expect(page.locator("#queue-count")).to_contain_text("27", timeout=1_900)
        assert page.locator("#queue").get_attribute("data-etag") != etag
        assert etag not in page.locator("#queue").get_attribute("hx-headers")
        assert page.locator(f'#queue tr[data-reference="{below.reference}"]').count() == 0  # on page 2
        assert page.locator("#queue tr[data-reference]").count() == 25
        assert page.locator(f'#queue tr[data-reference="{first_page[0].reference}"]').count() == 1
        assert page.evaluate("window.__sameDocument") is True
        assert errors == []
