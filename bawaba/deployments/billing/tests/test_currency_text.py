"""The billing pages and their errors name the contract's currency (issue 12): a Congolese statement's forms,
help and refusals speak of FCFA in French and in Arabic, never of DZD, DA or دج; an Algerian one keeps DA / دج."""

import re
import uuid

import pytest
from django.core.cache import cache

from .test_currency import congo, congo_statement  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
NBSP = "\xa0"
DINARS = re.compile(r"DZD|\bDA\b|دج")


def page_in(client, language, url):
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def post_in(client, language, url, data):
    cache.clear()  # the pages' rate limit of posts
    client.cookies["django_language"] = language
    return client.post(url, {**data, "form_token": str(uuid.uuid4())})


def texts(html: str) -> str:
    """What a person reads: the page without its tags, scripts and styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(("language", "labels", "still_due"), [
    ("fr", ["Montant (FCFA)", "Ajustement du montant brut (FCFA)", "Ajustement des pénalités de retard (FCFA)"],
     f"Reste à payer{NBSP}: 13{NBSP}819{NBSP}FCFA."),
    ("ar", ["المبلغ (FCFA)", "تعديل المبلغ الإجمالي (FCFA)", "تعديل غرامات التأخير (FCFA)"],
     f"المتبقي للدفع: 13{NBSP}819{NBSP}FCFA."),
])
def test_a_congolese_statements_forms_name_the_cfa_franc(congo_statement, congo, as_user, language,  # noqa: F811
                                                        labels, still_due):
    html = page_in(as_user(congo.billing_admin), language, f"/fibre/statements/{congo_statement.pk}/")
    for label in labels:
        assert label in html
    assert still_due in html  # whole francs: no ",00"
    assert not DINARS.search(texts(html)), DINARS.search(texts(html))


def test_an_algerian_statements_forms_keep_the_dinar(world, as_user):
    from .test_debts import march_statement

    statement = march_statement(world)
    client = as_user(world.billing_admin)
    assert "Montant (DA)" in page_in(client, "fr", f"/fibre/statements/{statement.pk}/")
    html = page_in(client, "ar", f"/fibre/statements/{statement.pk}/")
    assert "المبلغ (دج)" in html and "FCFA" not in texts(html)


@pytest.mark.parametrize(("language", "refusal"), [
    ("fr", f"13{NBSP}820{NBSP}FCFA dépasse les 13{NBSP}819{NBSP}FCFA restant dus sur "),
    ("ar", f"المبلغ 13{NBSP}820{NBSP}FCFA يتجاوز 13{NBSP}819{NBSP}FCFA المتبقي للدفع في "),
])
def test_an_overpayment_of_a_congolese_statement_is_refused_in_cfa_francs(congo_statement, congo, as_user,  # noqa: F811
                                                                         language, refusal):
    response = post_in(as_user(congo.billing_admin), language, f"/fibre/statements/{congo_statement.pk}/payments/",
                       {"amount": "13820", "paid_on": "2026-04-02"})
    assert response.status_code == 409
    error = re.search(r'id="payment-error">(.*?)</p>', response.content.decode(), re.S).group(1)
    assert refusal + congo_statement.number in error
    assert not DINARS.search(error)


def test_a_congolese_payment_is_confirmed_in_cfa_francs_and_centimes_are_refused(
        congo_statement, congo, as_user):  # noqa: F811
    client = as_user(congo.billing_admin)
    url = f"/fibre/statements/{congo_statement.pk}/payments/"
    # The CFA franc has no subunit (ISO 4217): 1 000,50 FCFA is a typing mistake, not 1 001 FCFA.
    refused = post_in(client, "fr", url, {"amount": "1000,50", "paid_on": "2026-04-02"})
    assert refused.status_code == 400 and not congo_statement.payments.exists()
    assert "Montant (FCFA)" in refused.content.decode()
    recorded = post_in(client, "fr", url, {"amount": "1000,00", "paid_on": "2026-04-02"})  # zero centimes: 1000
    assert recorded.status_code == 302
    page = client.get(recorded["Location"]).content.decode()
    assert f"1{NBSP}000{NBSP}FCFA" in page and not DINARS.search(texts(page))


@pytest.mark.parametrize(("language", "adjustments", "field", "refusal"), [
    ("fr", {"gross_adjustment": "-20000", "penalty_adjustment": "0"}, "gross_adjustment",
     f"Un avoir de 20{NBSP}000{NBSP}FCFA dépasse les 15{NBSP}019{NBSP}FCFA que "),
    ("ar", {"gross_adjustment": "-20000", "penalty_adjustment": "0"}, "gross_adjustment",
     f"دائن بقيمة 20{NBSP}000{NBSP}FCFA يتجاوز 15{NBSP}019{NBSP}FCFA التي لا يزال "),
    ("fr", {"gross_adjustment": "0", "penalty_adjustment": "-2000"}, "penalty_adjustment",
     f"Un remboursement de pénalités de 2{NBSP}000{NBSP}FCFA dépasse les 1{NBSP}502{NBSP}FCFA de pénalités"),
    ("ar", {"gross_adjustment": "0", "penalty_adjustment": "-2000"}, "penalty_adjustment",
     f"استرداد غرامات بقيمة 2{NBSP}000{NBSP}FCFA يتجاوز 1{NBSP}502{NBSP}FCFA من الغرامات"),
])
def test_a_congolese_correction_too_large_is_refused_in_cfa_francs(congo_statement, congo, as_user,  # noqa: F811
                                                                  language, adjustments, field, refusal):
    response = post_in(as_user(congo.billing_admin), language,
                       f"/fibre/statements/{congo_statement.pk}/corrections/", {**adjustments, "reason": "Erreur"})
    assert response.status_code == 400
    errors = " ".join(response.context["correction_form"].errors[field])
    assert refusal in errors and not DINARS.search(errors)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_payment_delays_of_a_congolese_programme_are_in_cfa_francs(congo_statement, congo, as_user,  # noqa: F811
                                                                       language):
    url = f"/fibre/dashboard/payments/?programme={congo.programme.code}"
    html = page_in(as_user(congo.billing_admin), language, url)
    table = html.split('id="delays-contractor"', 1)[1].split("</table>", 1)[0]
    assert f"13{NBSP}819{NBSP}FCFA" in table  # not yet paid: all of it outstanding
    assert not DINARS.search(texts(table))


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_scorecards_of_a_congolese_programme_are_in_cfa_francs(congo_statement, congo, as_user,  # noqa: F811
                                                                   language):
    url = f"/fibre/dashboard/scorecards/?programme={congo.programme.code}"
    html = page_in(as_user(congo.billing_admin), language, url)
    table = html.split('id="scorecards"', 1)[1].split("</table>", 1)[0]
    assert re.search(rf"\d{NBSP}FCFA<", table), "an accepted amount in whole CFA francs"
    assert not DINARS.search(texts(table)) and ",00" not in table
