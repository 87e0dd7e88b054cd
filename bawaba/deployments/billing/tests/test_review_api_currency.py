"""The fibre API takes a Congolese statement's amounts in whole CFA francs, as its pages do (review of the
currency work): 1 000,50 FCFA is a typing mistake, refused (422) with nothing stored, not recorded as 1 001 FCFA."""

import pytest

from ..models import Payment, PaymentStatement
from .test_currency import congo, congo_statement  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_the_api_refuses_centimes_of_cfa_francs_in_a_payment(congo_statement, congo, as_user):  # noqa: F811
    client = as_user(congo.billing_admin)
    url = f"/fibre/api/v1/statement/{congo_statement.number}/payment"
    refused = client.post(url, {"amount": "1000.50", "paid_on": "2026-04-02"}, content_type="application/json")
    assert refused.status_code == 422 and "amount" in refused.json()["errors"]
    assert not Payment.objects.exists()
    recorded = client.post(url, {"amount": "1000", "paid_on": "2026-04-02"}, content_type="application/json")
    assert recorded.status_code == 201 and Payment.objects.get().amount == 1000


def test_the_api_refuses_centimes_of_cfa_francs_in_a_correction(congo_statement, congo, as_user):  # noqa: F811
    client = as_user(congo.billing_admin)
    url = f"/fibre/api/v1/statement/{congo_statement.number}/correction"
    refused = client.post(url, {"gross_adjustment": "-100.40", "reason": "Erreur"}, content_type="application/json")
    assert refused.status_code == 422 and "gross_adjustment" in refused.json()["errors"]
    assert not PaymentStatement.objects.filter(corrects=congo_statement).exists()
