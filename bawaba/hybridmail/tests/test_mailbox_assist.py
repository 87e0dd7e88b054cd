"""Post offices as community access points: a clerk checks a citizen's ID, then acts for them; cyber-postes."""

import datetime as dt

import pytest
from django.utils import timezone

from bawaba.evidence.models import EvidenceRecord
from bawaba.hybridmail import terminals
from bawaba.hybridmail.models import AssistedAct, CounterDeposit, LetterState, Mailbox, TerminalEvent, TerminalSession

from .fixtures_send import sent_pdf

CHECK = {"country": "DZ", "document": "cni", "document_number": "AB 123 456", "nin": "109870123456789012"}


@pytest.fixture(autouse=True)
def _english(client):
    """The texts asserted below are the English ones (the default language is French)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def checked(clerk_client, citizen, mail_products):
    response = clerk_client.post("/mail/assist/", CHECK)
    assert response.status_code == 302 and response["Location"] == "/mail/assist/citizen/"
    return clerk_client


def test_only_a_clerk_posted_at_an_office_gets_the_counter_pages(client, ministry):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="mf.sender"))
    assert client.get("/mail/assist/").status_code == 403
    assert client.get("/mail/assist/terminals/").status_code == 403


def test_acting_for_a_citizen_needs_an_id_check_first(clerk_client, citizen):
    page = clerk_client.get("/mail/assist/")
    assert page.status_code == 200 and b'href="/mail/assist/"' in page.content  # the clerk's menu links here
    assert clerk_client.get("/mail/assist/citizen/").status_code == 302
    unknown = clerk_client.post("/mail/assist/", {**CHECK, "nin": "1"})
    assert unknown.status_code == 404 and "not in the register" in unknown.content.decode()
    assert clerk_client.post("/mail/assist/", {**CHECK, "document_number": ""}).status_code == 400


def test_clerk_shows_and_prints_the_citizens_letters_each_act_recorded(checked, deposited, clerk, network):
    page = checked.get("/mail/assist/citizen/")
    assert page.status_code == 200 and deposited.reference in page.content.decode()
    act = AssistedAct.objects.get(kind="show", letter=None)
    assert act.clerk == clerk and act.office == network["counter"] and act.id_document == "cni …3456"
    listed = EvidenceRecord.objects.get(subject=f"hybridmail.assist:{act.pk}")
    assert listed.actor_role == "clerk" and listed.payload["letters"] == [deposited.reference]
    assert listed.payload["office"] == network["counter"].code
    assert "AB123456" not in str(listed.payload)  # the document number is kept hashed
    shown = checked.get(f"/mail/assist/citizen/l/{deposited.reference}/")
    assert shown.status_code == 200 and shown.content.startswith(b"%PDF")
    deposited.refresh_from_db()
    assert deposited.state == LetterState.OPENED
    printed = checked.post(f"/mail/assist/citizen/l/{deposited.reference}/")
    assert printed.status_code == 200
    events = list(EvidenceRecord.objects.filter(subject=deposited.evidence_subject).order_by("pk")
                  .values_list("event", "actor_role"))
    assert events[-3:] == [("ContentAccessTracking", "clerk"), ("ContentAccessTracking", "clerk"),
                           ("ContentHandover", "clerk")]
    assert set(AssistedAct.objects.filter(letter=deposited).values_list("kind", flat=True)) == {"show", "print"}


def test_clerk_opens_a_mailbox_at_the_counter(checked, citizen, network):
    response = checked.post("/mail/assist/citizen/open/", {"phone": "0661 00 11 22", "language": "ar"})
    assert response.status_code == 302
    mailbox = Mailbox.objects.get(identity=citizen)
    assert (mailbox.opened_via, mailbox.opened_at_office, mailbox.language) == ("counter", network["counter"], "ar")
    assert AssistedAct.objects.filter(kind="open_mailbox").count() == 1


def test_citizen_deposits_a_letter_at_the_counter_to_a_mailbox_holder(checked, citizen, relative, poste,
                                                                      mail_products):
    from bawaba.hybridmail.models import OpenedVia

    target = Mailbox.objects.create(number="DZ0000000018", operator=poste, identity=relative, holder_name="Karim",
                                    phone="+213770123456", opened_via=OpenedVia.SMS, opened_at=timezone.now())
    from django.core.files.uploadedfile import SimpleUploadedFile

    lines = ("Karim Benali", "3 rue Larbi Ben M'hidi", f"{relative.commune.postal_code} {relative.commune.name_fr}")
    pdf = SimpleUploadedFile("lettre.pdf", sent_pdf(lines), content_type="application/pdf")
    response = checked.post("/mail/assist/citizen/deposit/", {
        "product": mail_products["ordinary"].pk, "pdf": pdf, "subject": "Nouvelles", "recipient_name": "Karim Benali",
        "recipient_nin": "119920034567890123"})
    assert response.status_code == 302, response.content.decode()[:3000]
    deposit = CounterDeposit.objects.get()
    letter = deposit.letter
    assert deposit.identity == citizen and letter.mailbox == target and letter.state == LetterState.DEPOSITED
    assert letter.price is not None and letter.sender == poste
    events = list(EvidenceRecord.objects.filter(subject=letter.evidence_subject).values_list("event", flat=True))
    assert events[0] == "SubmissionAcceptance" and "ContentConsignment" in events
    assert AssistedAct.objects.get(kind="deposit").letter == letter


def test_a_bad_file_at_the_counter_is_refused_and_nothing_is_stored(checked, mail_products):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bawaba.hybridmail.models import Letter

    for content in (b"not a pdf", b"%PDF-1.7\n garbage"):
        response = checked.post("/mail/assist/citizen/deposit/", {
            "product": mail_products["ordinary"].pk, "pdf": SimpleUploadedFile("x.pdf", content),
            "recipient_name": "X", "recipient_nin": "119920034567890123"})
        assert response.status_code in (400, 415)
    assert not Letter.objects.exists() and not AssistedAct.objects.filter(kind="deposit").exists()


def test_clerk_files_a_request_with_an_organisation_of_the_centre(checked, citizen):
    from bawaba.hybridmail.assist import request_services
    from bawaba.servicedesk.models import Request

    service = request_services().first()
    response = checked.post("/mail/assist/citizen/request/", {
        "service": service.pk, "phone": "0661 00 11 22", "subject": "Attestation de résidence",
        "text": "Je demande une attestation de résidence pour mon dossier."})
    assert response.status_code == 302
    filed = Request.objects.get()
    assert filed.channel == "counter" and filed.service == service and filed.citizen_name == citizen.full_name
    act = AssistedAct.objects.get(kind="request")
    assert act.request_reference == filed.reference
    assert EvidenceRecord.objects.get(subject=f"hybridmail.assist:{act.pk}").payload["request"] == filed.reference
    bad = checked.post("/mail/assist/citizen/request/", {"service": service.pk, "phone": "1", "subject": "",
                                                          "text": ""})
    assert bad.status_code == 400 and Request.objects.count() == 1


def test_terminal_slots_cannot_overlap(clerk, network, terminal):
    office = network["counter"]
    start = timezone.now().replace(microsecond=0) + dt.timedelta(hours=1)
    terminals.book(clerk, office, terminal_id=terminal.pk, citizen_name="A", starts_at=start, minutes=30)
    with pytest.raises(terminals.BookingRefused) as refused:
        terminals.book(clerk, office, terminal_id=terminal.pk, citizen_name="B",
                       starts_at=start + dt.timedelta(minutes=15), minutes=30)
    assert refused.value.status == 409
    terminals.book(clerk, office, terminal_id=terminal.pk, citizen_name="C", starts_at=start + dt.timedelta(minutes=30),
                   minutes=30)  # right after: fine
    assert TerminalSession.objects.count() == 2


def test_terminal_day_list_start_and_end(clerk_client, clerk, network, terminal):
    day = timezone.localdate() + dt.timedelta(days=1)
    response = clerk_client.post("/mail/assist/terminals/", {"day": day.isoformat(), "time": "10:00",
                                                            "minutes": "30", "terminal": terminal.pk,
                                                            "citizen_name": "Yacine"})
    assert response.status_code == 302
    again = clerk_client.post("/mail/assist/terminals/", {"day": day.isoformat(), "time": "10:15", "minutes": "30",
                                                         "terminal": terminal.pk, "citizen_name": "Nadia"})
    assert again.status_code == 409
    session = TerminalSession.objects.get()
    page = clerk_client.get(f"/mail/assist/terminals/?day={day.isoformat()}")
    assert "Yacine" in page.content.decode()
    assert clerk_client.post(f"/mail/assist/terminals/{session.pk}/end/").status_code == 409  # not started
    assert clerk_client.post(f"/mail/assist/terminals/{session.pk}/start/").status_code == 302
    assert clerk_client.post(f"/mail/assist/terminals/{session.pk}/end/").status_code == 302
    session.refresh_from_db()
    assert session.started_at and session.ended_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_booking_the_same_slot_at_once_get_one_booking(poste, network, clerk):
    """Real concurrency on PostgreSQL: the row lock on the terminal serialises the two bookings."""
    import threading

    from django.db import connection

    from bawaba.hybridmail.models import Terminal

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    office = network["counter"]
    terminal = Terminal.objects.create(office=office, label="P1")
    start = timezone.now() + dt.timedelta(hours=2)
    barrier, results = threading.Barrier(2), []

    def book(name):
        from django.db import connection as own

        barrier.wait()
        try:
            terminals.book(clerk, office, terminal_id=terminal.pk, citizen_name=name, starts_at=start, minutes=30)
            results.append("ok")
        except terminals.BookingRefused:
            results.append("refused")
        finally:
            own.close()

    threads = [threading.Thread(target=book, args=(n,)) for n in ("A", "B")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results) == ["ok", "refused"] and TerminalSession.objects.count() == 1
    assert TerminalEvent.objects.filter(kind="booked").count() == 1  # the refused booking left no audit record


def test_a_counter_letter_for_someone_without_a_mailbox_needs_an_address(checked, mail_products, relative,
                                                                         alger_commune, alger_centre):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bawaba.hybridmail.models import Letter

    form = {"product": mail_products["ordinary"].pk, "recipient_name": "Karim Benali",
            "recipient_nin": "119920034567890123"}
    lines = ("Karim Benali", "3 rue Larbi Ben M'hidi", f"{alger_commune.postal_code} {alger_commune.name_fr}")
    refused = checked.post("/mail/assist/citizen/deposit/", {**form, "pdf": SimpleUploadedFile("l.pdf",
                                                                                               sent_pdf(lines))})
    assert refused.status_code == 400 and not Letter.objects.exists()
    accepted = checked.post("/mail/assist/citizen/deposit/", {
        **form, "pdf": SimpleUploadedFile("l.pdf", sent_pdf(lines)), "recipient_address": "3 rue Larbi Ben M'hidi",
        "commune": alger_commune.pk})
    assert accepted.status_code == 302
    letter = Letter.objects.get()
    assert letter.state == LetterState.TO_PRINT and letter.print_centre == alger_centre
    assert str(letter.price) == "60.00"  # the tariff's paper price, one sheet
