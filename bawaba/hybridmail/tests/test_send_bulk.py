"""A mail-merge chunk made in bulk: evidence inserted in one go and dispatched in one transaction, every letter
with its full chain; a chunk retried after a crash dispatches what was left, never twice; Congo's lists carry
the department, which routes the letter."""

import datetime as dt
from decimal import Decimal

import pytest

from bawaba.evidence import services as evidence
from bawaba.evidence.models import EvidenceRecord
from bawaba.hybridmail import senders
from bawaba.hybridmail.models import Batch, LetterState

from .test_send_submit import MERGE_BODY, events, merge_csv

ROWS = [("Amina Benali", "12 rue Didouche Mourad", "16000", "Alger Centre", "109870123456789012", "0661234567",
         "A-1"),
        ("Karim Haddad", "3 rue Larbi Ben M'hidi", "16000", "", "", "", "A-2"),
        ("Nadia Saadi", "5 rue Hassiba", "16000", "", "", "", "A-3")]


def test_a_chunk_made_in_bulk_gives_every_letter_its_full_chain_that_verifies(
        ministry, sender_user, mail_products, mailbox, alger_centre, run_merge_jobs,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = senders.submit_merge(ministry, sender_user, "recommande", subject="Dossier {dossier}",
                                        body=MERGE_BODY, table=merge_csv(ROWS))
    letters = {letter.recipient_name: letter for letter in Batch.objects.get(pk=batch.pk).letters.all()}
    deposited, paper = letters["Amina Benali"], letters["Karim Haddad"]
    assert deposited.state == LetterState.DEPOSITED and deposited.mailbox == mailbox and deposited.notified_at
    assert deposited.paper_due_at is not None
    assert events(deposited) == ["SubmissionAcceptance", "ContentConsignment", "ConsignmentNotification"]
    assert paper.state == LetterState.TO_PRINT and paper.print_centre == alger_centre
    assert events(paper) == ["SubmissionAcceptance"]
    evidence.stamp_pending()
    for letter in (deposited, paper):
        report = evidence.verify_bundle(evidence.proof_for(letter.evidence_subject, format="json"))
        assert report.ok, report.failures
    assert evidence.audit() == []


def test_a_chunk_retried_after_a_crash_before_dispatch_dispatches_once_and_stores_nothing_twice(
        ministry, sender_user, mail_products, mailbox, alger_centre, run_merge_jobs,
        django_capture_on_commit_callbacks, monkeypatch):
    real = senders.send_accepted

    def crash(letters, **kw):
        raise RuntimeError("the worker died after storing the chunk")

    monkeypatch.setattr(senders, "send_accepted", crash)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        batch, _ = senders.submit_merge(ministry, sender_user, "recommande", subject="", body=MERGE_BODY,
                                        table=merge_csv(ROWS))
    batch = Batch.objects.get()
    assert set(batch.letters.values_list("state", flat=True)) == {LetterState.ACCEPTED}
    stored = EvidenceRecord.objects.count()
    monkeypatch.setattr(senders, "send_accepted", real)
    assert senders.make_chunk(batch.pk, 0) == 0  # the retried job
    assert batch.letters.count() == 3
    assert set(batch.letters.values_list("state", flat=True)) == {LetterState.DEPOSITED, LetterState.TO_PRINT}
    amina = batch.letters.get(recipient_name="Amina Benali")
    assert events(amina) == ["SubmissionAcceptance", "ContentConsignment", "ConsignmentNotification"]
    assert EvidenceRecord.objects.count() == stored + 2
    assert senders.make_chunk(batch.pk, 0) == 0  # and again: nothing more
    assert EvidenceRecord.objects.count() == stored + 2
    batch.refresh_from_db()
    assert batch.finished_at is not None and batch.letters_accepted == 3


@pytest.fixture
def congo_sender(sopeco, db):
    from bawaba.geo.models import Region
    from bawaba.hybridmail.models import MailProduct, MailTariff, MailTariffLine, PrintCentre, SenderProfile
    from bawaba.orgs.services import do_onboard_organisation

    org = do_onboard_organisation({"slug": "mairie-pnr", "kind": "administration", "country": "CG",
                                   "name_fr": "Mairie de Pointe-Noire",
                                   "services": [{"slug": "courrier", "name_fr": "Courrier"}]})
    profile = SenderProfile.objects.create(organisation=org, operator=sopeco, return_address="Mairie\nPointe-Noire")
    product = MailProduct.objects.create(operator=sopeco, code="lettre", name_fr="Lettre hybride")
    tariff = MailTariff.objects.create(operator=sopeco, label="2026", valid_from=dt.date(2020, 1, 1), currency="XAF")
    MailTariffLine.objects.create(tariff=tariff, product=product, digital_price=Decimal("150"),
                                  paper_price=Decimal("500"))
    profile.products.add(product)
    centres = {}
    for code in ("CG-BZV", "CG-16"):
        region = Region.objects.get(country="CG", code=code)
        centres[code] = PrintCentre.objects.create(operator=sopeco, code=code.lower(), name_fr=region.name_fr)
        centres[code].regions.add(region)
    return profile, centres


def congo_csv(rows):
    lines = ["nom;quartier;bp;departement"] + [";".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def test_a_congolese_list_with_a_department_column_routes_each_letter_to_its_department(
        congo_sender, sender_user, run_merge_jobs, django_capture_on_commit_callbacks):
    from bawaba.geo.models import Region

    profile, centres = congo_sender
    pointe_noire = Region.objects.get(country="CG", code="CG-16")
    rows = [("Jean Mabiala", "Moungali", "2045", "CG-BZV"), ("Marie Loemba", "Tié-Tié", "", "16"),
            ("Paul Makosso", "Loandjili", "", pointe_noire.name_fr.upper()), ("Ange Ngoma", "Bacongo", "1044", "")]
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = senders.submit_merge(profile, sender_user, "lettre", subject="", body="Bonjour {nom}.",
                                        table=congo_csv(rows))
    letters = {letter.recipient_name: letter for letter in Batch.objects.get(pk=batch.pk).letters.all()}
    assert letters["Jean Mabiala"].recipient_region.code == "CG-BZV"
    assert letters["Jean Mabiala"].print_centre == centres["CG-BZV"]
    assert letters["Marie Loemba"].print_centre == centres["CG-16"]
    assert letters["Paul Makosso"].recipient_region == pointe_noire
    assert letters["Ange Ngoma"].recipient_region is None and letters["Ange Ngoma"].print_centre is None


def test_a_row_with_an_unknown_department_is_a_row_error_and_nothing_is_stored(congo_sender, sender_user):
    profile, _centres = congo_sender
    rows = [("Jean Mabiala", "Moungali", "2045", "CG-BZV"), ("Marie Loemba", "Tié-Tié", "", "Atlantide")]
    with pytest.raises(senders.SubmissionRefused) as refused:
        senders.submit_merge(profile, sender_user, "lettre", subject="", body="Bonjour {nom}.",
                             table=congo_csv(rows))
    assert set(refused.value.errors) == {"rows.3.department"}
    assert "Atlantide" in refused.value.errors["rows.3.department"][0]
    assert not Batch.objects.exists()
