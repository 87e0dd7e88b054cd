import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from bawaba.lifeproof import certificates
from bawaba.lifeproof.models import Attempt, Obligation, Outcome
from bawaba.lifeproof.proofs import do_issue_challenge, do_submit_attempt
from bawaba.lifeproof.reviews import do_review

from .conftest import performed

pytestmark = pytest.mark.django_db


@pytest.fixture
def doubtful(obligation):
    """An attempt the policy sent to review (set directly: which frames make the engine doubt is the engine's
    own business, tested in tests/biometrics)."""
    challenge = do_issue_challenge(obligation, consent=True)
    attempt = do_submit_attempt(challenge.token, performed(challenge.steps))
    Attempt.objects.filter(pk=attempt.pk).update(status=Outcome.REVIEW, engine_outcome="review",
                                                 reasons=["weak_match"], decided_at=timezone.now())
    return Attempt.objects.get(pk=attempt.pk)


def test_a_refusal_needs_a_second_different_reviewer(doubtful, cnr_reviewer, cnr_reviewer2):
    do_review(doubtful, reviewer=cnr_reviewer, decision="refuse", reason="Not the same person")
    assert Attempt.objects.get(pk=doubtful.pk).status == Outcome.REVIEW
    with pytest.raises(ValidationError) as same:
        do_review(doubtful, reviewer=cnr_reviewer, decision="refuse", reason="Again")
    assert same.value.code == "same_reviewer"

    attempt = do_review(doubtful, reviewer=cnr_reviewer2, decision="refuse", reason="Agreed: another person")

    assert attempt.status == Outcome.REFUSED
    assert Obligation.objects.get(pk=doubtful.obligation_id).status == Obligation.Status.DUE
    with pytest.raises(ValidationError):
        do_review(doubtful, reviewer=cnr_reviewer2, decision="accept", reason="changed my mind")


def test_one_reviewer_accepts_and_the_certificate_is_issued(doubtful, cnr_reviewer):
    attempt = do_review(doubtful, reviewer=cnr_reviewer, decision="accept", reason="Same face, poor light")
    assert attempt.status == Outcome.ACCEPTED
    assert Obligation.objects.get(pk=doubtful.obligation_id).certificate.attempt_id == attempt.pk


def test_another_funds_staff_cannot_review_and_a_reason_is_required(doubtful, cnas_reviewer, cnr_reviewer):
    with pytest.raises(PermissionDenied):
        do_review(doubtful, reviewer=cnas_reviewer, decision="accept", reason="ok")
    with pytest.raises(ValidationError) as missing:
        do_review(doubtful, reviewer=cnr_reviewer, decision="accept", reason="  ")
    assert "reason" in missing.value.message_dict


@pytest.fixture
def certificate(doubtful, cnr_reviewer):
    do_review(doubtful, reviewer=cnr_reviewer, decision="accept", reason="ok")
    return Obligation.objects.get(pk=doubtful.obligation_id).certificate


def test_a_certificate_verifies_from_its_file_and_its_code(certificate, tmp_path):
    pdf = certificates.render_pdf(certificate)
    assert pdf.startswith(b"%PDF") and certificates.render_pdf(certificate) == pdf  # deterministic
    import hashlib

    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
    assert certificates.verify_pdf(pdf).status == "genuine"
    assert certificates.verify_code(certificate.code.lower().replace("-", "")).status == "genuine"
    assert certificates.verify_code("K7M2-9QXR").status == "unknown"
    path = tmp_path / "certificat.pdf"
    path.write_bytes(pdf)
    call_command("lifeproof", "verify", str(path))  # exit status 0: genuine


def test_a_tampered_certificate_is_not_genuine(certificate, tmp_path):
    import base64
    import json
    import re

    pdf = certificates.render_pdf(certificate)
    found = re.search(rb"bawaba-lifeproof-v1:([A-Za-z0-9_\-]+)\.", pdf)
    payload = json.loads(base64.urlsafe_b64decode(found.group(1) + b"=" * (-len(found.group(1)) % 4)))
    payload["valid_until"] = "2099-12-31"
    forged_payload = base64.urlsafe_b64encode(certificates.canonical(payload).encode()).rstrip(b"=")
    forged = pdf.replace(found.group(1), forged_payload)
    assert certificates.verify_pdf(forged).status == "forged"
    path = tmp_path / "forged.pdf"
    path.write_bytes(forged)
    with pytest.raises(SystemExit) as exit_status:
        call_command("lifeproof", "verify", str(path))
    assert exit_status.value.code == 2


def test_a_revoked_or_expired_certificate_says_so(certificate, cnr_manager):
    valid_until = certificate.valid_until
    assert certificates.verify_code(certificate.code, today=valid_until).status == "genuine"
    assert certificates.verify_code(certificate.code, today=valid_until + dt.timedelta(days=1)).status == "expired"
    certificates.do_revoke(certificate, actor=cnr_manager, reason="pensioner deceased")
    assert certificates.verify_code(certificate.code).status == "revoked"
    assert certificates.verify_pdf(certificates.render_pdf(certificate)).status == "revoked"


def test_the_fund_revokes_and_records_leavers_from_the_command_line(certificate, capsys):
    from django.core.management import call_command

    from bawaba.lifeproof.models import BiometricReference

    call_command("lifeproof", "revoke", certificate.code.lower(), "--reason", "identité erronée")
    assert certificates.verify_code(certificate.code).status == "revoked"
    pensioner = certificate.obligation.pensioner
    call_command("lifeproof", "leave", pensioner.organisation.slug, pensioner.pension_number, "--reason", "décès")
    assert not BiometricReference.objects.filter(pensioner=pensioner).exists()
    assert "left the fund" in capsys.readouterr().out
