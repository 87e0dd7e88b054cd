"""The hybrid-mail demo: both operators, letters in every state with their evidence, marked demo, loaded once."""

import datetime as dt

from django.contrib.auth import authenticate

from bawaba.evidence.models import EvidenceRecord
from bawaba.hybridmail.demo import PASSWORD, demo_logins, load_hybridmail_demo
from bawaba.hybridmail.models import IdentityRecord, Letter, LetterState, PrintCentre, PrintRun
from bawaba.postal.demo import load_postal_demo

NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)


def test_demo_has_letters_in_every_state_for_both_operators(orgs, time_machine):
    time_machine.move_to(NOW, tick=False)
    load_postal_demo(now=NOW, seed=7, items=4)
    summary = load_hybridmail_demo(now=NOW, seed=7)
    assert not summary.skipped
    states = set(Letter.objects.values_list("state", flat=True))
    assert states == {s.value for s in LetterState}, set(LetterState.values) - states
    assert set(PrintCentre.objects.values_list("operator__slug", flat=True)) == {"algerie-poste", "sopeco"}
    assert not PrintCentre.objects.filter(is_demo=False).exists()
    assert not IdentityRecord.objects.filter(is_demo=False).exists()
    congo = Letter.objects.filter(operator__slug="sopeco", recipient_country="CG").exclude(recipient_quartier="")
    assert congo.exists() and not congo.exclude(recipient_postcode="").exists()
    assert PrintRun.objects.filter(centre__operator__slug="sopeco").exists()
    delivered = Letter.objects.filter(state=LetterState.DELIVERED).first()
    events = list(EvidenceRecord.objects.filter(subject=delivered.evidence_subject).order_by("at", "pk")
                  .values_list("event", flat=True))
    assert events[0] == "SubmissionAcceptance" and "RelayToNonERDS" in events and events[-1] == "ContentHandover"
    assert Letter.objects.filter(state=LetterState.TO_PRINT, print_centre=None).exists()  # no centre covers it
    for login in demo_logins():
        assert authenticate(username=login["username"], password=PASSWORD) is not None, login["username"]
    assert load_hybridmail_demo(now=NOW, seed=7).skipped == "exists"
