"""Fixtures of the proof-of-life tests: the two demo funds onboarded from data/funds.json, their staff, a post
clerk, pensioners enrolled with the engine's shipped public-domain portraits (real faces, real templates), an open
campaign, and frame sequences generated from the same portraits (bawaba/lifeproof/biometrics/make_clips.py)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pytest
from django.utils import timezone

PASSWORD = "correct horse 42"
PORTRAIT = "scanlon_mary_021762.jpg"  # the engine's own default portrait (make_clips.DEFAULT_PORTRAIT)
OTHER_PORTRAIT = "king_angus_041300.jpg"


@lru_cache(maxsize=8)
def portrait(name: str = PORTRAIT) -> bytes:
    from bawaba.lifeproof.biometrics.make_clips import portrait as read

    return read(name)


@lru_cache(maxsize=8)
def template_of(name: str = PORTRAIT):
    from bawaba.lifeproof.engine import compute_template

    return compute_template(portrait(name))


def performed(order, *, name: str = PORTRAIT, seed: int = 0) -> list[tuple[bytes, int]]:
    """(jpeg, at_ms) frames of someone performing `order` (generated from a public-domain portrait)."""
    from bawaba.lifeproof.biometrics.make_clips import sequence

    return [(frame.image, frame.at_ms) for frame in sequence(portrait(name), tuple(order), step_ms=400, seed=seed)]


def held_photo(name: str = PORTRAIT) -> list[tuple[bytes, int]]:
    from bawaba.lifeproof.biometrics.make_clips import still

    return [(frame.image, frame.at_ms) for frame in still(portrait(name))]


@pytest.fixture
def funds(orgs):
    from bawaba.lifeproof.demo import onboard_funds

    return onboard_funds(password=PASSWORD)


@pytest.fixture
def cnr(funds):
    return funds["cnr"]


@pytest.fixture
def cnas(funds):
    return funds["cnas"]


def _user(username):
    from bawaba.accounts.models import User

    return User.objects.get(username=username)


@pytest.fixture
def cnr_manager(funds):
    return _user("cnr.manager")


@pytest.fixture
def cnr_reviewer(funds):
    return _user("cnr.reviewer")


@pytest.fixture
def cnr_reviewer2(funds):
    return _user("cnr.reviewer2")


@pytest.fixture
def cnas_reviewer(funds):
    return _user("cnas.reviewer")


@pytest.fixture
def clerk(orgs):
    from bawaba.orgs.services import do_add_staff

    return do_add_staff(orgs["algerie-poste"], {"username": "poste.clerk", "roles": ["lifeproof.counter"],
                                                "password": PASSWORD, "first_name": "Karima", "last_name": "Zerrouki"})


def enrol(fund, *, number="100001", national_id="109850000000000001", name=PORTRAIT, phone="+213550100001",
          language="fr", now=None):
    from bawaba.lifeproof.enrolment import _store

    return _store({"pension_number": number, "national_id": national_id, "first_name": "Marcy",
                   "last_name": "Kaptur", "first_name_ar": "مارسي", "last_name_ar": "كابتور",
                   "birth_date": dt.date(1946, 6, 17), "phone": phone, "language": language,
                   "photo": portrait(name), "template": template_of(name)},
                  organisation=fund, actor=None, via="import", now=now or timezone.now())


@pytest.fixture
def pensioner(cnr):
    return enrol(cnr)


@pytest.fixture
def campaign(cnr, pensioner):
    from bawaba.lifeproof.proofs import do_create_campaign

    today = timezone.localdate()
    return do_create_campaign(organisation=cnr, period="2027", opens_on=today - dt.timedelta(days=1),
                              due_on=today + dt.timedelta(days=30), grace_days=15)


@pytest.fixture
def obligation(campaign, pensioner):
    return campaign.obligations.get(pensioner=pensioner)
