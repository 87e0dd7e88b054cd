"""S10 numbers drawn in blocks (a print run's registered letters): consecutive serials with their own check
digits, on into the next range, fewer when the ranges run out, given back on rollback, and never shared with a
counter drawing one by one at the same time (PostgreSQL)."""

import pytest
from django.db import transaction

from bawaba.postal import s10
from bawaba.postal.models import S10Range
from bawaba.postal.numbering import RangeExhausted, allocate, allocate_block, do_create_range


def test_a_block_is_consecutive_numbers_each_with_its_check_digit(products, network):
    do_create_range(products["registered"], first=5, last=100, office=network["counter"])
    block = allocate_block(products["registered"], network["counter"], 4)
    assert [n.serial for n in block] == ["00000005", "00000006", "00000007", "00000008"]
    assert all(s10.is_valid(str(n)) and n.check == s10.check_digit(n.serial) for n in block)
    # The range moved past the block: the next counter's number follows it.
    assert allocate(products["registered"], network["counter"]).serial == "00000009"


def test_a_block_goes_on_into_the_next_range_then_stops_short(products, network):
    do_create_range(products["registered"], first=1, last=3, office=network["counter"])
    do_create_range(products["registered"], first=50, last=51)  # the post's shared range, used after
    block = allocate_block(products["registered"], network["counter"], 10)
    assert [n.serial for n in block] == ["00000001", "00000002", "00000003", "00000050", "00000051"]
    with pytest.raises(RangeExhausted):
        allocate_block(products["registered"], network["counter"], 1)
    assert set(S10Range.objects.values_list("next_serial", flat=True)) == {4, 52}


def test_a_rolled_back_block_gives_its_numbers_back(products):
    do_create_range(products["registered"], first=1, last=10)
    with pytest.raises(RuntimeError), transaction.atomic():
        allocate_block(products["registered"], None, 5)
        raise RuntimeError("the items could not be stored")
    assert allocate_block(products["registered"], None, 2)[0].serial == "00000001"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_blocks_and_single_counters_at_once_never_share_a_number(products, network, draw_at_once):
    def builder():  # a print run drawing blocks of 37
        return allocate_block(products["registered"], network["counter"], 37)

    def counter():  # a post-office counter drawing one number at a time
        return [allocate(products["registered"], network["counter"])]

    drawn = draw_at_once([(8, builder)] * 4 + [(40, counter)] * 2)
    assert len(drawn) == 4 * 8 * 37 + 2 * 40 and len(set(drawn)) == len(drawn)
    assert all(s10.is_valid(number) for number in drawn)
    assert S10Range.objects.get().next_serial == len(drawn) + 1
