"""A Congolese fibre statement on a 360-px phone (Debian's Chromium, live server): its amounts are in whole CFA
francs ("13 819 FCFA", no centimes) in French and in Arabic, the forms name FCFA, every amount reads in the page's
direction as one unit (in Arabic the symbol stands on the left of the number, where "دج" stands for dinars) and
the page does not scroll sideways."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.browser_fixtures import *  # noqa: F403
from tests.e2e.browser_fixtures import BROWSER_DB

pytestmark = [pytest.mark.browser, BROWSER_DB]
NBSP = "\xa0"
# Every amount of the page as text: grouped digits, optional decimals, the currency's symbol.
AMOUNT = re.compile(r"-?\d{1,3}(?:\xa0\d{3})*(?:,\d+)?\xa0(?:FCFA|DA|دج)")
# The position of each group of digits and of the symbol of every amount in the given elements, as laid out.
LAYOUT = """(selector) => {
  const found = [];
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const pattern = /\\d{1,3}(?:\\u00a0\\d{3})*(?:,\\d+)?\\u00a0FCFA/g;
      for (let match = pattern.exec(node.textContent); match; match = pattern.exec(node.textContent)) {
        let start = match.index;
        const parts = match[0].split('\\u00a0').map((text) => {
          const range = document.createRange();
          range.setStart(node, start);
          range.setEnd(node, start + text.length);
          start += text.length + 1;
          const box = range.getBoundingClientRect();
          return {text, left: box.left, right: box.right, top: box.top};
        });
        found.push(parts);
      }
    }
  }
  return found;
}"""


@pytest.fixture
def congolese_statement(orgs, at_supervisor, at_admin, at_agent):
    """The fibre world's contract billed in CFA francs (its price schedule in XAF, both parties Congolese), with
    March's work issued: net 13 819 FCFA (bawaba/deployments/billing/tests/test_currency.py)."""
    from bawaba.deployments.billing.tests.test_currency import bill_in_cfa_francs, issue_march_in_cfa_francs
    from bawaba.deployments.tests.factories import fibre_world

    world = fibre_world(orgs, inspector=at_supervisor, billing_admin=at_admin, operator_agent=at_agent)
    statement = issue_march_in_cfa_francs(bill_in_cfa_francs(world))
    assert statement.currency == "XAF" and statement.net_amount == Decimal("13819")
    return statement


def phone_page_of(new_chromium_context, live_server, user, language):
    """A 360-px phone signed in as `user` (session cookie), the site's language set to `language`."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = new_chromium_context(phone=True, locale={"fr": "fr-FR", "ar": "ar-DZ"}[language])
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    return context.new_page()


@pytest.mark.parametrize(("language", "direction", "label", "still_due"), [
    ("fr", "ltr", "Montant (FCFA)", f"Reste à payer{NBSP}: 13{NBSP}819{NBSP}FCFA."),
    ("ar", "rtl", "المبلغ (FCFA)", f"المتبقي للدفع: 13{NBSP}819{NBSP}FCFA."),
])
def test_a_congolese_statement_reads_in_whole_cfa_francs_on_a_phone(congolese_statement, live_server,
                                                                    new_chromium_context, at_admin, language,
                                                                    direction, label, still_due):
    page = phone_page_of(new_chromium_context, live_server, at_admin, language)
    page.goto(f"/fibre/statements/{congolese_statement.pk}/")
    expect(page.locator("html")).to_have_attribute("dir", direction)
    net = page.locator("#breakdown tr.total td.num")
    expect(net).to_have_text(f"13{NBSP}819{NBSP}FCFA")
    expect(page.locator("#breakdown")).to_contain_text(f"15{NBSP}019{NBSP}FCFA")  # the gross
    expect(page.locator("#record-payment")).to_contain_text(still_due)
    expect(page.locator("label[for=payment_amount]")).to_have_text(label)

    text = page.locator("main").inner_text()
    amounts = AMOUNT.findall(text)
    assert len(amounts) >= 10, amounts
    assert all(amount.endswith("FCFA") and "," not in amount for amount in amounts), amounts  # no centimes
    assert "DZD" not in text and not re.search(r"\bDA\b|دج", text)

    # Each amount is laid out as one unit in the page's direction: its groups of digits in order from left to
    # right, on one line, the symbol after them in French and before them (on the left) in Arabic.
    laid_out = page.evaluate(LAYOUT, "main")
    assert len(laid_out) >= 10
    for parts in laid_out:
        *digits, symbol = parts
        assert [part["left"] for part in digits] == sorted(part["left"] for part in digits), parts
        assert len({round(part["top"]) for part in parts}) == 1, parts
        if direction == "ltr":
            assert symbol["left"] > digits[-1]["right"], parts
        else:
            assert symbol["right"] < digits[0]["left"], parts

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
