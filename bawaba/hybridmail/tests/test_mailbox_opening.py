"""Opening a mailbox online (national ID checked against the register, SMS code) and the SMS codes' rules."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from bawaba.hybridmail import signin
from bawaba.hybridmail.models import Mailbox, MailboxCode, MailboxEvent

from .fixtures_mailbox import last_code

NIN = "109870123456789012"
FORM = {"country": "DZ", "nin": "1098 7012 3456 7890 12", "birth_date": "1987-03-14", "phone": "0550 12 34 56",
        "email": "amina@example.dz"}


@pytest.fixture(autouse=True)
def _english(client):
    """The texts asserted below are the English ones (the default language is French)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def opening(client, citizen, mail_products):
    response = client.post("/mail/box/open/", FORM)
    assert response.status_code == 302 and response["Location"] == "/mail/box/open/code/"
    return client


def test_citizen_opens_a_mailbox_with_the_code_sent_to_their_phone(opening, citizen):
    code = last_code("+213550123456")
    row = MailboxCode.objects.get(phone="+213550123456")
    assert code not in row.code_hash and len(row.code_hash) == 64  # only the keyed hash is kept
    response = opening.post("/mail/box/open/code/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/mail/box/?opened=1"
    mailbox = Mailbox.objects.get(identity=citizen)
    assert (mailbox.phone, mailbox.email, mailbox.opened_via) == ("+213550123456", "amina@example.dz", "sms")
    assert MailboxEvent.objects.filter(mailbox=mailbox, kind="opened").exists()
    page = opening.get("/mail/box/?opened=1")  # signed in straight away
    assert page.status_code == 200 and mailbox.number in page.content.decode()
    # The same code cannot open anything again.
    assert opening.post("/mail/box/open/code/", {"code": code}).status_code in (302, 409)


def test_unknown_id_and_wrong_birth_date_get_the_same_answer(client, citizen, mail_products):
    unknown = client.post("/mail/box/open/", {**FORM, "nin": "109870123456789999"})
    wrong_birth = client.post("/mail/box/open/", {**FORM, "birth_date": "1987-03-15"})
    assert unknown.status_code == wrong_birth.status_code == 400
    message = "We found no identity with this number and this date of birth"
    assert message in unknown.content.decode() and message in wrong_birth.content.decode()
    assert not MailboxCode.objects.exists()  # no SMS sent to a phone for an identity not proven


def test_unknown_id_is_refused_in_arabic_too(client, citizen, mail_products):
    response = client.post("/mail/box/open/", {**FORM, "nin": "1"}, HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 400 and 'dir="rtl"' in response.content.decode()


def test_a_code_tried_too_often_is_refused_even_when_right(opening):
    code = last_code("+213550123456")
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    statuses = [opening.post("/mail/box/open/code/", {"code": wrong}).status_code
                for _ in range(signin.MAX_ATTEMPTS)]
    assert statuses == [400] * (signin.MAX_ATTEMPTS - 1) + [429]
    refused = opening.post("/mail/box/open/code/", {"code": code})
    assert refused.status_code == 429 and "tried too many times" in refused.content.decode()
    assert not Mailbox.objects.exists()


def test_an_expired_code_is_refused(opening):
    code = last_code("+213550123456")
    with time_machine.travel(timezone.now() + signin.CODE_VALID + dt.timedelta(seconds=1)):
        response = opening.post("/mail/box/open/code/", {"code": code})
    assert response.status_code == 409 and not Mailbox.objects.exists()


def test_a_phone_gets_at_most_three_codes_a_quarter_hour(citizen, mail_products):
    from bawaba.hybridmail.mailboxes import request_opening

    now = timezone.now()
    for _ in range(signin.MAX_CODES_PER_WINDOW):
        request_opening(phone="0550123456", nin=NIN, birth_date=dt.date(1987, 3, 14), now=now)
    with pytest.raises(signin.CodeRefused) as refused:
        request_opening(phone="0550123456", nin=NIN, birth_date=dt.date(1987, 3, 14), now=now)
    assert refused.value.status == 429
    assert MailboxCode.objects.count() == signin.MAX_CODES_PER_WINDOW
    assert MailboxCode.objects.filter(used_at=None).count() == 1  # each new code retires the previous one


def test_the_open_form_is_rate_limited(client, citizen, mail_products, settings, still_clock):
    settings.PUBLIC_FORM_RATE = "2/m"
    statuses = [client.post("/mail/box/open/", {**FORM, "nin": "1"}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_an_identity_with_a_mailbox_cannot_open_a_second(client, mailbox, mail_products):
    response = client.post("/mail/box/open/", FORM)
    assert response.status_code == 409 and Mailbox.objects.count() == 1


def test_bad_phone_and_missing_fields_are_translated_400s(client, citizen, mail_products):
    assert client.post("/mail/box/open/", {**FORM, "phone": "12"}).status_code == 400
    assert client.post("/mail/box/open/", {"country": "DZ"}).status_code == 400
    assert client.post("/mail/box/open/code/", {"code": "123456"}).status_code == 302  # nothing pending


def test_old_code_hashes_are_purged_after_a_day(citizen, mail_products):
    from bawaba.hybridmail.mailboxes import request_opening
    from bawaba.hybridmail.tasks import purge_old_codes

    request_opening(phone="0550123456", nin=NIN, birth_date=dt.date(1987, 3, 14))
    assert purge_old_codes.call_local() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        assert purge_old_codes.call_local() == 1
    assert not MailboxCode.objects.exists()
