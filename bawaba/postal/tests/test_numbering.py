"""Allocating S10 numbers: ranges, exhaustion, the 24-month rule and concurrent counters."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bawaba.postal import s10
from bawaba.postal.numbering import RangeExhausted, allocate, do_create_range


def test_numbers_follow_the_range_with_valid_check_digits(products, network):
    do_create_range(products["registered"], first=5, last=7, office=network["counter"])
    numbers = [allocate(products["registered"], network["counter"]) for _ in range(3)]
    assert [n.serial for n in numbers] == ["00000005", "00000006", "00000007"]
    assert all(s10.is_valid(str(n)) and n.country == "DZ" and n.indicator == "RR" for n in numbers)
    with pytest.raises(RangeExhausted):
        allocate(products["registered"], network["counter"])


def test_an_office_uses_its_own_range_before_the_shared_one(products, network):
    do_create_range(products["parcel"], first=1, last=100)
    do_create_range(products["parcel"], first=500, last=600, office=network["counter"])
    assert allocate(products["parcel"], network["counter"]).serial == "00000500"
    assert allocate(products["parcel"], network["oran_delivery"]).serial == "00000001"


def test_a_range_cannot_overlap_one_used_within_24_months(products):
    now = timezone.now()
    first = do_create_range(products["ems"], first=1, last=10, now=now - dt.timedelta(days=800))
    allocate(products["ems"], None, now=now - dt.timedelta(days=700))
    type(first).objects.filter(pk=first.pk).update(is_active=False)  # closed, but used 700 days ago
    with pytest.raises(ValidationError):
        do_create_range(products["ems"], first=5, last=20, now=now)  # last used 700 days ago
    assert do_create_range(products["ems"], first=5, last=20, now=now + dt.timedelta(days=31))


def test_a_rolled_back_acceptance_gives_its_number_back(products):
    do_create_range(products["registered"], first=1, last=10)
    with pytest.raises(RuntimeError), transaction.atomic():
        allocate(products["registered"], None)
        raise RuntimeError("the item could not be stored")
    assert allocate(products["registered"], None).serial == "00000001"


def test_bad_ranges_are_refused(products, sopeco):
    with pytest.raises(ValidationError):
        do_create_range(products["registered"], first=10, last=5)
    with pytest.raises(ValidationError):
        do_create_range(products["registered"], first=0, last=100_000_000)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_counters_never_share_a_number(products, network, draw_at_once):
    def counter():
        return [allocate(products["registered"], network["counter"])]

    drawn = draw_at_once([(25, counter)] * 8)
    assert len(drawn) == 200 and len(set(drawn)) == 200
