"""Submitting letters: checked, priced, stored encrypted, attested, dispatched — or refused with the reason."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bawaba.evidence.models import EvidenceRecord
from bawaba.hybridmail import senders, vault
from bawaba.hybridmail.models import Batch, BatchState, Letter, LetterState, MailTariff, MailTariffLine

from .fixtures_send import MALFORMED, RECIPIENT, sent_pdf


def events(letter):
    return list(EvidenceRecord.objects.filter(subject=letter.evidence_subject).order_by("id")
                .values_list("event", flat=True))


CODES = {"registered": "recommande", "ordinary": "lettre", "paper": "papier", "digital": "numerique"}


def submit(ministry, user, items, product="registered", **kw):
    return senders.submit_pdfs(ministry, user, CODES.get(product, product), items, **kw)


def test_an_accepted_letter_is_stored_encrypted_priced_attested_and_deposited(
        ministry, sender_user, mail_products, mailbox, good_letter_pdf):
    batch, replayed = submit(ministry, sender_user, [senders.PdfLetterIn("a.pdf", good_letter_pdf, RECIPIENT)])
    assert not replayed and batch.state == BatchState.ACCEPTED and batch.letters_accepted == 1
    letter = batch.letters.get()
    assert letter.state == LetterState.DEPOSITED and letter.mailbox == mailbox
    assert letter.window == "din5008_b" and "Amina Benali" in letter.window_text
    assert letter.price == Decimal("25.00") and letter.paper_price == Decimal("120.00")
    assert letter.recipient_phone == "+213661234567"
    assert b"Amina" not in (vault.root() / letter.content_path).read_bytes()
    assert senders.letter_content(letter) == good_letter_pdf
    assert events(letter) == ["SubmissionAcceptance", "ContentConsignment", "ConsignmentNotification"]


def test_a_letter_for_someone_without_a_mailbox_goes_to_paper(ministry, sender_user, mail_products, alger_centre,
                                                              good_letter_pdf):
    recipient = {**RECIPIENT, "nin": ""}
    batch, _ = submit(ministry, sender_user, [senders.PdfLetterIn("a.pdf", good_letter_pdf, recipient)],
                      product="ordinary")
    letter = batch.letters.get()
    assert letter.state == LetterState.TO_PRINT and letter.print_centre == alger_centre
    from bawaba.hybridmail import pricing

    assert pricing.charged(letter) == Decimal("60.00")


@pytest.mark.parametrize("case", ["encrypted", "javascript", "attachment", "truncated"])
def test_a_letter_that_cannot_be_printed_is_refused_never_sent(ministry, sender_user, mail_products, mailbox,
                                                               good_letter_pdf, case):
    bad = MALFORMED[case](good_letter_pdf)
    batch, _ = submit(ministry, sender_user, [senders.PdfLetterIn("good.pdf", good_letter_pdf, RECIPIENT),
                                              senders.PdfLetterIn("bad.pdf", bad, RECIPIENT)])
    assert batch.state == BatchState.PARTLY and (batch.letters_accepted, batch.letters_refused) == (1, 1)
    refused = batch.letters.get(state=LetterState.REFUSED)
    assert refused.refusal_reason and refused.content_path == "" and refused.mailbox is None
    assert refused.price is None
    assert events(refused) == ["SubmissionRejection"]
    from bawaba.notifications.models import OutboundMessage

    assert not OutboundMessage.objects.filter(reference=refused.reference).exists()


def test_window_without_the_recipient_is_refused(ministry, sender_user, mail_products, good_letter_pdf):
    other = {**RECIPIENT, "name": "Karim Haddad"}
    batch, _ = submit(ministry, sender_user, [senders.PdfLetterIn("a.pdf", good_letter_pdf, other)])
    letter = batch.letters.get()
    assert batch.state == BatchState.REFUSED and letter.refusal_code == "address_mismatch"
    scanned, _ = submit(ministry, sender_user, [senders.PdfLetterIn("s.pdf", sent_pdf(text=False), RECIPIENT)])
    assert scanned.letters.get().refusal_code == "no_address"


def test_bad_recipients_refuse_the_whole_submission_and_store_nothing(ministry, sender_user, mail_products,
                                                                      good_letter_pdf):
    bad = {**RECIPIENT, "postcode": "99999", "phone": "12", "nin": "123"}
    with pytest.raises(senders.SubmissionRefused) as refused:
        submit(ministry, sender_user, [senders.PdfLetterIn("a.pdf", good_letter_pdf, RECIPIENT),
                                       senders.PdfLetterIn("b.pdf", good_letter_pdf, bad)])
    assert set(refused.value.errors) == {"letters.1.postcode", "letters.1.phone", "letters.1.nin"}
    assert not Batch.objects.exists() and not Letter.objects.exists()
    with pytest.raises(senders.SubmissionRefused) as refused:
        submit(ministry, sender_user, [senders.PdfLetterIn("a.pdf", good_letter_pdf, RECIPIENT)], product="nope")
    assert "product" in refused.value.errors


def test_the_same_idempotency_key_returns_the_first_batch(ministry, sender_user, mail_products, good_letter_pdf):
    items = [senders.PdfLetterIn("a.pdf", good_letter_pdf, RECIPIENT)]
    first, replayed = submit(ministry, sender_user, items, idempotency_key="k-1")
    again, replayed = submit(ministry, sender_user, items, idempotency_key="k-1")
    assert replayed and again.pk == first.pk and Letter.objects.count() == 1
    with pytest.raises(senders.IdempotencyKeyReused):
        submit(ministry, sender_user, [senders.PdfLetterIn("a.pdf", good_letter_pdf, {**RECIPIENT, "email": "a@b.dz"})],
               idempotency_key="k-1")


def test_the_tariff_in_force_on_the_day_prices_the_letter(ministry, sender_user, mail_products, poste,
                                                          good_letter_pdf):
    tariff = MailTariff.objects.create(operator=poste, label="2027", valid_from=dt.date(2027, 1, 1))
    MailTariffLine.objects.create(tariff=tariff, product=mail_products["registered"], digital_price=Decimal("30"),
                                  paper_price=Decimal("150"), extra_sheet_price=Decimal("12"))
    three = sent_pdf(pages=3)
    before = timezone.make_aware(dt.datetime(2026, 12, 31, 12))
    batch, _ = submit(ministry, sender_user, [senders.PdfLetterIn("a.pdf", three, RECIPIENT)], now=before)
    letter = batch.letters.get()
    assert (letter.price, letter.paper_price, letter.sheets) == (Decimal("25.00"), Decimal("130.00"), 2)
    after = timezone.make_aware(dt.datetime(2027, 1, 2, 12))
    batch, _ = submit(ministry, sender_user, [senders.PdfLetterIn("a.pdf", three, RECIPIENT)], now=after)
    letter = batch.letters.get()
    assert (letter.price, letter.paper_price, letter.tariff) == (Decimal("30.00"), Decimal("162.00"), tariff)


MERGE_BODY = "Madame, Monsieur {nom},\n\nVotre dossier {dossier} est prêt.\n\nالسيد(ة) {nom}، ملفكم جاهز."


def merge_csv(rows):
    lines = ["nom;adresse;code_postal;commune;nin;telephone;dossier"]
    lines += [";".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_a_mail_merge_is_validated_whole_then_made_into_letters_by_jobs(
        ministry, sender_user, mail_products, mailbox, alger_centre, run_merge_jobs,
        django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(senders, "CHUNK", 2)
    rows = [("Amina Benali", "12 rue Didouche Mourad", "16000", "Alger Centre", "109870123456789012",
             "0661234567", "A-1"),
            ("Karim Haddad", "3 rue Larbi Ben M'hidi", "16000", "", "", "", "A-2"),
            ("سليمة بوزيد", "حي 200 مسكن", "16000", "", "", "", "A-3")]
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = senders.submit_merge(ministry, sender_user, "recommande", subject="Dossier {dossier}",
                                        body=MERGE_BODY, table=merge_csv(rows), idempotency_key="m-1")
    batch.refresh_from_db()
    assert run_merge_jobs == [(batch.pk, 0), (batch.pk, 1)]
    assert (batch.chunks_total, batch.chunks_done, batch.state) == (2, 2, BatchState.ACCEPTED)
    letters = {letter.recipient_name: letter for letter in batch.letters.all()}
    assert letters["Amina Benali"].state == LetterState.DEPOSITED
    assert letters["Karim Haddad"].state == LetterState.TO_PRINT
    assert letters["سليمة بوزيد"].state == LetterState.TO_PRINT and letters["سليمة بوزيد"].window == "din5008_b"
    assert letters["Karim Haddad"].subject == "Dossier A-2"
    assert events(letters["Amina Benali"])[0] == "SubmissionAcceptance"
    assert not list((vault.root() / batch.source_path).glob("*.bin"))  # the list is gone once made
    assert senders.make_chunk(batch.pk, 0) == 0  # a retried job makes nothing twice


def test_a_list_with_bad_rows_is_refused_with_a_row_report_and_nothing_stored(ministry, sender_user, mail_products):
    rows = [("Amina Benali", "12 rue Didouche Mourad", "16000", "", "", "", "A-1"),
            ("", "3 rue X", "16000", "", "", "", "A-2"),
            ("Karim", "3 rue Y", "99999", "", "", "", "A-3"),
            ("Long", "x" * 110, "16000", "", "", "", "A-4")]
    with pytest.raises(senders.SubmissionRefused) as refused:
        senders.submit_merge(ministry, sender_user, "lettre", subject="", body=MERGE_BODY, table=merge_csv(rows))
    assert set(refused.value.errors) == {"rows.3.name", "rows.4.postcode", "rows.5.address"}
    assert "3" in refused.value.message
    assert not Batch.objects.exists()
    with pytest.raises(senders.SubmissionRefused) as refused:
        senders.submit_merge(ministry, sender_user, "lettre", subject="", body="Bonjour {inconnu}",
                             table=merge_csv(rows[:1]))
    assert "inconnu" in refused.value.errors["body"][0]


def test_a_congolese_letter_is_matched_on_quartier_and_bp_without_postcode(sopeco, sender_user, db):
    from bawaba.hybridmail.models import MailProduct, SenderProfile
    from bawaba.orgs.services import do_onboard_organisation

    org = do_onboard_organisation({"slug": "mairie-bzv", "kind": "administration", "country": "CG",
                                   "name_fr": "Mairie de Brazzaville",
                                   "services": [{"slug": "courrier", "name_fr": "Courrier"}]})
    profile = SenderProfile.objects.create(organisation=org, operator=sopeco, return_address="Mairie\nBrazzaville")
    product = MailProduct.objects.create(operator=sopeco, code="lettre", name_fr="Lettre hybride")
    tariff = MailTariff.objects.create(operator=sopeco, label="2026", valid_from=dt.date(2020, 1, 1), currency="XAF")
    MailTariffLine.objects.create(tariff=tariff, product=product, digital_price=Decimal("150"),
                                  paper_price=Decimal("500"))
    profile.products.add(product)
    pdf = sent_pdf(lines=("Jean Mabiala", "Quartier Moungali", "BP 2045", "Brazzaville"))
    recipient = {"name": "Jean Mabiala", "quartier": "Moungali", "bp": "2045", "phone": "+242 06 612 3456"}
    batch, _ = senders.submit_pdfs(profile, sender_user, "lettre", [senders.PdfLetterIn("a.pdf", pdf, recipient)])
    letter = batch.letters.get()
    assert letter.state == LetterState.TO_PRINT and letter.recipient_postcode == ""
    assert (letter.recipient_quartier, letter.recipient_po_box, letter.currency) == ("Moungali", "2045", "XAF")
    assert letter.recipient_phone == "+242066123456"
    with pytest.raises(senders.SubmissionRefused) as refused:
        senders.submit_pdfs(profile, sender_user, "lettre", [senders.PdfLetterIn("a.pdf", pdf,
                                                                                 {"name": "Jean Mabiala"})])
    assert "quartier" in refused.value.errors


def test_a_mail_merge_list_may_be_an_xlsx_in_arabic_with_the_right_window(ministry, sender_user, mail_products,
                                                                           run_merge_jobs,
                                                                           django_capture_on_commit_callbacks):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["الاسم", "adresse", "code_postal", "dossier"])
    sheet.append(["سليمة بوزيد", "حي 200 مسكن", "16000", "B-7"])
    out = io.BytesIO()
    book.save(out)
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = senders.submit_merge(ministry, sender_user, "papier", subject="ملف {dossier}",
                                        body="السيدة {nom}،\n\nملفكم {dossier} جاهز.", table=out.getvalue(),
                                        window_code="dl_right")
    letter = batch.letters.get()
    assert letter.state == LetterState.TO_PRINT and letter.window == "dl_right"
    assert letter.price == letter.paper_price == Decimal("60.00")  # a paper-only product costs its paper price
    from bawaba.hybridmail import pdfcheck, window

    report = pdfcheck.check_pdf(senders.letter_content(letter), max_pages=5)
    assert report.ok and window.read_windows(report.fragments)["dl_right"][0]  # drawn in the right window
