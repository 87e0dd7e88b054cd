"""The shared ground of hybrid mail: encrypted storage, identity hashes, references, states and the way out."""

import datetime as dt

import pytest
from django.utils import timezone

from bawaba.evidence.models import EvidenceRecord
from bawaba.hybridmail import dispatch, identity, lifecycle, references, vault
from bawaba.hybridmail.models import LetterState


def test_vault_round_trip_is_encrypted_and_bound_to_its_letter(settings, tmp_path):
    relative = vault.store("letters/L-1.bin", b"%PDF-1.7 secret", bound_to="L-1")
    blob = (vault.root() / relative).read_bytes()
    assert b"secret" not in blob
    assert vault.load(relative, bound_to="L-1") == b"%PDF-1.7 secret"
    with pytest.raises(vault.VaultError):
        vault.load(relative, bound_to="L-2")  # copied under another letter
    (vault.root() / relative).write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
    with pytest.raises(vault.VaultError):
        vault.load(relative, bound_to="L-1")  # altered


def test_identity_hash_ignores_spacing_and_is_keyed():
    assert identity.id_hash("1098 7012-3456.789012") == identity.id_hash("109870123456789012")
    assert identity.id_hash("109870123456789012") != identity.id_hash("109870123456789013")
    assert identity.id_hash("109870123456789012", country="CG") != identity.id_hash("109870123456789012")
    assert "109870123456789012" not in identity.id_hash("109870123456789012")


def test_mailbox_numbers_carry_a_check_digit():
    number = references.mailbox_number("dz")
    assert number.startswith("DZ") and references.mailbox_number_is_valid(number)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not references.mailbox_number_is_valid(wrong)


def test_letter_for_a_mailbox_holder_is_deposited_with_evidence_and_a_notice(make_letter, mailbox):
    letter = make_letter("registered")
    now = timezone.now()
    assert dispatch.dispatch(letter, now=now) == LetterState.DEPOSITED
    letter.refresh_from_db()
    assert letter.mailbox == mailbox and letter.notified_at == now
    assert letter.paper_due_at == now + dt.timedelta(days=5)
    events = list(EvidenceRecord.objects.filter(subject=letter.evidence_subject).values_list("event", flat=True))
    assert events == ["ContentConsignment", "ConsignmentNotification"]
    from bawaba.notifications.models import OutboundMessage

    sms = OutboundMessage.objects.get(reference=letter.reference, channel="sms")
    assert sms.recipient == mailbox.phone and "Ministère des Finances" in sms.body


def test_letter_without_a_mailbox_goes_to_the_centre_covering_the_commune(make_letter, alger_centre):
    letter = make_letter("ordinary", nin="")
    assert dispatch.dispatch(letter) == LetterState.TO_PRINT
    letter.refresh_from_db()
    assert letter.print_centre == alger_centre and letter.to_print_at is not None


def test_unopened_registered_letter_goes_to_paper_after_its_delay(make_letter, mailbox, alger_centre):
    letter = make_letter("registered")
    start = timezone.now()
    dispatch.dispatch(letter, now=start)
    assert dispatch.send_unopened_to_paper(now=start + dt.timedelta(days=4)) == 0
    assert dispatch.send_unopened_to_paper(now=start + dt.timedelta(days=5, seconds=1)) == 1
    letter.refresh_from_db()
    assert letter.state == LetterState.TO_PRINT and letter.print_centre == alger_centre
    assert EvidenceRecord.objects.filter(subject=letter.evidence_subject,
                                         event="AcceptanceRejectionExpiry").count() == 1
    assert dispatch.send_unopened_to_paper(now=start + dt.timedelta(days=6)) == 0  # once


def test_ordinary_letter_stays_digital(make_letter, mailbox):
    letter = make_letter("ordinary")
    dispatch.dispatch(letter)
    letter.refresh_from_db()
    assert letter.state == LetterState.DEPOSITED and letter.paper_due_at is None


def test_moves_outside_the_allowed_ones_are_refused_and_stale_moves_change_nothing(make_letter, mailbox):
    letter = make_letter("registered")
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.move(letter, LetterState.DELIVERED, event=None, actor="system:test")
    dispatch.dispatch(letter)
    stale = type(letter).objects.get(pk=letter.pk)
    stale.state = LetterState.ACCEPTED  # what another worker saw before the deposit
    assert lifecycle.move(stale, LetterState.TO_PRINT, event=None, actor="system:test") is False
    letter.refresh_from_db()
    assert letter.state == LetterState.DEPOSITED


def test_a_congolese_letter_without_commune_goes_to_the_centre_of_its_department(make_letter, poste):
    from bawaba.geo.models import Region
    from bawaba.hybridmail.models import PrintCentre

    brazzaville = Region.objects.get(country="CG", code="CG-BZV")
    centre = PrintCentre.objects.create(operator=poste, code="bzv", name_fr="Centre de Brazzaville")
    centre.regions.add(brazzaville)
    letter = make_letter("ordinary", nin="", commune=None)
    assert dispatch.centre_for(letter) is None  # neither commune nor department: waits for a centre
    letter.recipient_region = brazzaville
    letter.recipient_quartier, letter.recipient_po_box, letter.recipient_country = "Bacongo", "1044", "CG"
    letter.save()
    assert dispatch.dispatch(letter) == LetterState.TO_PRINT
    letter.refresh_from_db()
    assert letter.print_centre == centre
