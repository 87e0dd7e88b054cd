"""Fixtures of the mailbox part of hybrid mail (imported by conftest.py)."""

import re

import pytest


def last_code(phone: str) -> str:
    """The code of the last SMS queued to `phone` (the outbox holds the message as sent; MailboxCode only a hash)."""
    from bawaba.notifications.models import OutboundMessage

    body = OutboundMessage.objects.filter(recipient=phone, topic="hybridmail.code").order_by("-pk").first().body
    return re.search(r"\b(\d{6})\b", body).group(1)


@pytest.fixture
def box_client(client, mailbox):
    """A browser signed in to the fixture `mailbox` as its holder, through the real sign-in pages."""
    client.post("/mail/box/signin/", {"phone": "0661 23 45 67"})
    response = client.post("/mail/box/signin/code/", {"code": last_code(mailbox.phone)})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def deposited(make_letter, mailbox):
    """A registered letter deposited in the fixture mailbox (SMS notice sent)."""
    from bawaba.hybridmail import dispatch

    letter = make_letter("registered")
    letter.subject = "Avis imposition 2026"
    letter.save(update_fields=["subject"])
    dispatch.dispatch(letter)
    letter.refresh_from_db()
    return letter


@pytest.fixture
def relative(db, alger_commune):
    """A second person of the register (NIN 119920034567890123), to be named proxy."""
    import datetime as dt

    from bawaba.hybridmail.identity import id_hash, last_digits
    from bawaba.hybridmail.models import IdentityRecord

    nin = "119920034567890123"
    return IdentityRecord.objects.create(country="DZ", id_hash=id_hash(nin), id_last_digits=last_digits(nin),
                                         full_name="Karim Benali", birth_date=dt.date(1992, 7, 2),
                                         commune=alger_commune, source="test")


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def terminal(network):
    from bawaba.hybridmail.models import Terminal

    return Terminal.objects.create(office=network["counter"], label="Poste 1")


@pytest.fixture
def client_factory(db):
    """Another browser (a second person on another phone)."""
    from django.test import Client

    return Client
