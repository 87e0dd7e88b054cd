"""Fixtures of the privacy tests: one citizen (phone 0550 12 34 56, ID 109870123456789) with records at Algérie
Télécom and at Mobilis, and another citizen at Algérie Télécom, each record made at a fixed moment."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

PHONE = "+213550123456"
OTHER_PHONE = "+213661987654"
NATIONAL_ID = "109870123456789"
LONG_AGO = dt.datetime(2018, 3, 1, 10, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def at_org(orgs):
    return orgs["algerie-telecom"]


@pytest.fixture
def mobilis_admin(orgs):
    from bawaba.orgs.services import do_add_staff

    return do_add_staff(orgs["mobilis"], {"username": "mobilis.admin", "role": "org_admin",
                                          "password": "correct horse 42"})


@pytest.fixture
def closed_request(make_request, at_agent):
    """A request of the citizen closed long ago, with a citizen message."""
    from bawaba.servicedesk.services import do_citizen_message, do_transition

    with time_machine.travel(LONG_AGO, tick=False):
        request = make_request(citizen_name="Samir Ould", citizen_email="samir@example.test",
                               attachments=[png("facture-samir-ould.png")])
        do_citizen_message(request, "Toujours coupé, je suis au 12 rue des Oliviers.")
    with time_machine.travel(LONG_AGO + dt.timedelta(days=2), tick=False):
        do_transition(request, "closed", actor=at_agent, reason="fixed")
    request.refresh_from_db()
    return request


def png(name):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def make_pensioner(organisation, *, phone=PHONE, national_id=NATIONAL_ID, number="P-1"):
    from bawaba.lifeproof.models import Pensioner

    return Pensioner.objects.create(organisation=organisation, pension_number=number, national_id=national_id,
                                    first_name="Fatima", last_name="Zerrouki", birth_date=dt.date(1950, 5, 1),
                                    phone=phone, enrolled_at=LONG_AGO)


def make_item(organisation, number, *, recipient_phone=PHONE):
    from bawaba.postal.models import Item

    return Item.objects.create(number=number, organisation=organisation, origin_country="DZ",
                               destination_country="DZ", sender_name="Boutique Nour", recipient_name="Samir Ould",
                               recipient_phone=recipient_phone, recipient_street="12 rue des Oliviers",
                               created_at=LONG_AGO)
