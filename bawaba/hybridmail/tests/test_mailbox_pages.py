"""The holder's mailbox pages: sign-in session, list, opening a letter (evidence, OPENED), folders, proxies."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from bawaba.evidence.models import EvidenceRecord
from bawaba.hybridmail import dispatch, signin
from bawaba.hybridmail.models import Folder, LetterState, Proxy

from .fixtures_mailbox import last_code


@pytest.fixture(autouse=True)
def _english(client):
    """The texts asserted below are the English ones (the default language is French)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _events(letter):
    return list(EvidenceRecord.objects.filter(subject=letter.evidence_subject).order_by("pk")
                .values_list("event", "actor_role", "payload"))


def test_the_link_in_the_sms_asks_to_sign_in_first_then_opens_the_letter(client, deposited, mailbox):
    path = dispatch.MAILBOX_LETTER_PATH.format(reference=deposited.reference)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/mail/box/signin/?next=")
    client.post(response["Location"], {"phone": "+213661234567", "next": path})
    response = client.post("/mail/box/signin/code/", {"code": last_code(mailbox.phone)})
    assert response.status_code == 302 and response["Location"] == path
    page = client.get(path)
    assert page.status_code == 200 and "Avis imposition 2026" in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_first_opening_moves_the_letter_to_opened_with_evidence_later_ones_only_record_access(box_client, deposited):
    assert box_client.get(f"/mail/box/l/{deposited.reference}/").status_code == 200
    deposited.refresh_from_db()
    assert deposited.state == LetterState.OPENED and deposited.paper_due_at is None
    pdf = box_client.get(f"/mail/box/l/{deposited.reference}/pdf/")  # same session: no second record
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and "no-store" in pdf["Cache-Control"]
    assert pdf["Content-Disposition"].startswith("inline")
    opened = [e for e in _events(deposited) if e[0] == "ContentAccessTracking"]
    assert len(opened) == 1 and opened[0][1] == "holder" and opened[0][2]["by"] == "holder"
    assert opened[0][2]["first"] is True
    # A later session opening the letter again: access recorded, state unchanged.
    box_client.session.pop("hybridmail_opened", None)
    session = box_client.session
    session["hybridmail_opened"] = []
    session.save()
    box_client.get(f"/mail/box/l/{deposited.reference}/pdf/?download=1")
    opened = [e for e in _events(deposited) if e[0] == "ContentAccessTracking"]
    assert len(opened) == 2 and opened[1][2]["first"] is False
    # The paper timer no longer applies to an opened letter.
    assert dispatch.send_unopened_to_paper(now=timezone.now() + dt.timedelta(days=30)) == 0


def test_list_shows_sender_subject_algerian_date_and_state_light_page(box_client, deposited,
                                                                     django_assert_max_num_queries):
    from django.utils import formats, translation

    with django_assert_max_num_queries(12):
        page = box_client.get("/mail/box/")
    html = page.content.decode()
    assert "Ministère des Finances" in html and "Avis imposition 2026" in html and "In the mailbox" in html
    day = timezone.localtime(deposited.deposited_at)
    assert formats.date_format(day, "DATE_FORMAT") in html  # day first: 6 December 2026
    assert "<script" not in html and len(page.content) < 15_000, len(page.content)
    arabic = box_client.get("/mail/box/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    with translation.override("ar"):
        assert 'dir="rtl"' in arabic and formats.date_format(day, "DATE_FORMAT") in arabic
    if day.month == 12:
        assert "ديسمبر" in arabic


def test_a_holder_cannot_open_another_mailbox_letter(box_client, make_letter, mailbox, relative, poste):
    from bawaba.hybridmail.models import Mailbox, OpenedVia

    other = Mailbox.objects.create(number="DZ0000000000", operator=poste, identity=relative, holder_name="K",
                                   phone="+213770000000", opened_via=OpenedVia.SMS, opened_at=timezone.now())
    letter = make_letter("registered", nin="119920034567890123")
    dispatch.dispatch(letter)
    letter.refresh_from_db()
    assert letter.mailbox == other
    assert box_client.get(f"/mail/box/l/{letter.reference}/").status_code == 404
    assert box_client.get(f"/mail/box/l/{letter.reference}/pdf/").status_code == 404
    assert box_client.get(f"/mail/box/l/{letter.reference}/proof/").status_code == 404


def test_recipient_downloads_the_letters_proof(box_client, deposited):
    response = box_client.get(f"/mail/box/l/{deposited.reference}/proof/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_sign_out_and_sessions_expire(box_client, deposited):
    assert box_client.get("/mail/box/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=signin.IDLE_TIMEOUT + 5)):
        assert box_client.get("/mail/box/").status_code == 302  # idle too long
    box_client.post("/mail/box/signin/", {"phone": "+213661234567"})
    box_client.post("/mail/box/signin/code/", {"code": last_code("+213661234567")})
    assert box_client.get("/mail/box/").status_code == 200
    box_client.post("/mail/box/signout/")
    assert box_client.get("/mail/box/").status_code == 302


def test_the_mailbox_session_is_not_a_staff_login(box_client, clerk):
    assert "_auth_user_id" not in box_client.session
    assert box_client.get("/mail/assist/").status_code == 302  # staff pages still ask for a staff login


def test_sign_in_form_says_the_same_for_an_unknown_phone(client, mailbox):
    response = client.post("/mail/box/signin/", {"phone": "0770 00 00 01"})
    assert response.status_code == 302 and response["Location"] == "/mail/box/signin/code/"
    statuses = [client.post("/mail/box/signin/code/", {"code": "000000"}).status_code
                for _ in range(signin.MAX_ATTEMPTS)]
    assert statuses == [400] * (signin.MAX_ATTEMPTS - 1) + [429]  # as for a real phone's wrong codes


def test_folders_create_and_move_letters(box_client, deposited, mailbox):
    response = box_client.post("/mail/box/folders/", {"name": "Impôts"})
    folder = Folder.objects.get(mailbox=mailbox)
    assert response.status_code == 302 and folder.name == "Impôts"
    assert box_client.post("/mail/box/folders/", {"name": "impôts"}).status_code == 409
    box_client.post(f"/mail/box/l/{deposited.reference}/file/", {"folder": folder.pk})
    deposited.refresh_from_db()
    assert deposited.folder == folder
    assert deposited.reference in box_client.get(f"/mail/box/?folder={folder.pk}").content.decode()
    assert box_client.post(f"/mail/box/l/{deposited.reference}/file/", {"folder": 999999}).status_code == 404


def test_proxy_named_confirmed_reads_letters_named_in_evidence_then_revoked(box_client, client_factory, deposited,
                                                                              mailbox, relative):
    response = box_client.post("/mail/box/proxies/", {"name": "Karim Benali", "nin": "119920034567890123",
                                                      "phone": "0770 12 34 56", "relationship": "fils"})
    assert response.status_code == 302
    proxy = Proxy.objects.get(mailbox=mailbox)
    assert proxy.confirmed_at is None
    code = last_code("+213770123456")
    # Not confirmed yet: the proxy's phone opens nothing.
    proxy_client = client_factory()
    proxy_client.post("/mail/box/signin/", {"phone": "+213770123456"})
    assert proxy_client.session["hybridmail_pending"]["code"] is None
    assert box_client.post(f"/mail/box/proxies/{proxy.pk}/confirm/", {"code": code}).status_code == 302
    proxy.refresh_from_db()
    assert proxy.confirmed_at is not None
    proxy_client.post("/mail/box/signin/", {"phone": "+213770123456"})
    proxy_client.post("/mail/box/signin/code/", {"code": last_code("+213770123456")})
    assert proxy_client.get(f"/mail/box/l/{deposited.reference}/").status_code == 200
    opened = [e for e in _events(deposited) if e[0] == "ContentAccessTracking"]
    assert opened[0][1] == "proxy" and opened[0][2]["by"] == "proxy"
    assert opened[0][2]["proxy"]["name"] == "Karim Benali"
    assert proxy_client.get("/mail/box/proxies/").status_code == 403  # a proxy cannot name proxies
    box_client.post(f"/mail/box/proxies/{proxy.pk}/revoke/")
    assert proxy_client.get(f"/mail/box/l/{deposited.reference}/").status_code == 302  # out at once


def test_a_proxy_must_be_in_the_register(box_client, mailbox):
    response = box_client.post("/mail/box/proxies/", {"name": "X", "nin": "1", "phone": "0770123456"})
    assert response.status_code == 400 and not Proxy.objects.exists()


def test_an_expired_proxy_has_no_access(deposited, mailbox, relative):
    now = timezone.now()
    Proxy.objects.create(mailbox=mailbox, identity=relative, name="K", phone="+213770123456", created_at=now,
                         confirmed_at=now, valid_until=timezone.localdate(now))
    assert signin.seats_for_phone("+213770123456", now=now)
    assert not signin.seats_for_phone("+213770123456", now=now + dt.timedelta(days=2))
