"""Issue 11, point 2: "An SMS (and e-mail where given) announces each new letter" — the e-mail side, and the
notice's evidence naming the channels used."""

from bawaba.evidence.models import EvidenceRecord
from bawaba.hybridmail import dispatch
from bawaba.notifications.models import OutboundMessage


def test_a_holder_with_an_e_mail_gets_the_notice_by_sms_and_e_mail(make_letter, mailbox):
    assert mailbox.email
    letter = make_letter("registered")
    dispatch.dispatch(letter)
    messages = {m.channel: m for m in OutboundMessage.objects.filter(reference=letter.reference)}
    assert set(messages) == {"sms", "email"}
    assert messages["email"].recipient == mailbox.email and "Ministère des Finances" in messages["email"].body
    notice = EvidenceRecord.objects.get(subject=letter.evidence_subject, event="ConsignmentNotification")
    assert notice.payload["channels"] == ["email", "sms"]


def test_a_holder_without_an_e_mail_gets_the_sms_only(make_letter, mailbox):
    mailbox.email = ""
    mailbox.save(update_fields=["email"])
    letter = make_letter("registered")
    dispatch.dispatch(letter)
    assert list(OutboundMessage.objects.filter(reference=letter.reference).values_list("channel", flat=True)) == [
        "sms"]
    notice = EvidenceRecord.objects.get(subject=letter.evidence_subject, event="ConsignmentNotification")
    assert notice.payload["channels"] == ["sms"]
