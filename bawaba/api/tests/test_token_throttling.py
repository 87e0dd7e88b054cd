"""Guessing API tokens is throttled per address: refused tokens count, and past the limit every token gets 429."""

import pytest

from .conftest import ApiClient

URL = "/api/v1/requests"
FIBRE = "/fibre/api/v1/workOrder"


@pytest.fixture(autouse=True)
def _limit(settings, still_clock):
    settings.API_TOKEN_FAILURE_RATE = "5/5m"


def get(client, url, address="198.51.100.9"):
    return client.client.get(url, headers=client.headers, REMOTE_ADDR=address)


def test_bad_tokens_from_one_address_get_429_after_the_limit(at_token):
    guesser = ApiClient("bwb_abcdefgh_" + "x" * 40)
    assert [get(guesser, URL).status_code for _ in range(5)] == [401] * 5
    response = get(guesser, URL)
    assert response.status_code == 429
    assert "Too many invalid API tokens" in response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= 300
    # Even the right token is refused from that address until the window ends: guessing cannot go on.
    assert get(ApiClient(at_token[1]), URL).status_code == 429


def test_other_addresses_are_not_throttled(at_token):
    guesser = ApiClient("not-a-token")
    for _attempt in range(6):
        get(guesser, URL)
    assert get(ApiClient(at_token[1]), URL, address="192.0.2.10").status_code == 200


def test_good_tokens_are_never_counted(at_token):
    api = ApiClient(at_token[1])
    assert {get(api, URL).status_code for _ in range(8)} == {200}


def test_the_fibre_api_counts_the_same_refusals(db, settings):
    settings.ROOT_URLCONF = "config.urls"
    guesser = ApiClient("bwb_abcdefgh_" + "y" * 40)
    assert [get(guesser, FIBRE).status_code for _ in range(6)] == [401] * 5 + [429]


def test_the_answer_is_translated(db):
    guesser = ApiClient("nope", language="fr")
    for _attempt in range(5):
        get(guesser, URL)
    assert "Trop de jetons" in get(guesser, URL).json()["detail"]
