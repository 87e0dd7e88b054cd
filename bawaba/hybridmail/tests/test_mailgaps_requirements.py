"""Issue 11's "What must work", points 6 to 8, where no test proved them yet (mailgaps review): the clerk's acts at
the counter are evidence naming the clerk whose proofs verify; the sender's page shows the cost per path (and per
batch); a form sent again with other content is a translated 400 that stores nothing."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bawaba.evidence import services as evidence
from bawaba.evidence.models import EvidenceRecord
from bawaba.hybridmail import dispatch, vault
from bawaba.hybridmail.models import AssistedAct, Letter, LetterState, Mailbox, OpenedVia

from .fixtures_send import RECIPIENT, sent_pdf
from .test_mailbox_assist import CHECK


@pytest.fixture
def checked(clerk_client, citizen, mail_products):
    clerk_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert clerk_client.post("/mail/assist/", CHECK).status_code == 302
    return clerk_client


def verified(subject):
    report = evidence.verify_bundle(evidence.proof_for(subject, format="json"))
    assert report.ok, report.failures
    return report


def test_the_clerks_acts_are_evidence_naming_the_clerk_and_their_proofs_verify(
    checked, clerk, citizen, relative, poste, mail_products, network
):
    clerk_id = (f"accounts.user:{clerk.pk}", "clerk")
    # Opening the citizen's mailbox at the counter.
    assert checked.post("/mail/assist/citizen/open/", {"phone": "0661 00 11 22", "language": "fr"}).status_code == 302
    opened = AssistedAct.objects.get(kind="open_mailbox")
    record = EvidenceRecord.objects.get(subject=f"hybridmail.assist:{opened.pk}")
    assert (record.actor_id, record.actor_role) == clerk_id and record.payload["office"] == network["counter"].code
    # Depositing a letter on the citizen's behalf: its acceptance is the clerk's.
    Mailbox.objects.create(
        number="DZ0000000018",
        operator=poste,
        identity=relative,
        holder_name="Karim",
        phone="+213770123456",
        opened_via=OpenedVia.SMS,
        opened_at=opened.at,
    )
    lines = ("Karim Benali", "3 rue Larbi Ben M'hidi", f"{relative.commune.postal_code} {relative.commune.name_fr}")
    response = checked.post(
        "/mail/assist/citizen/deposit/",
        {
            "product": mail_products["ordinary"].pk,
            "subject": "Nouvelles",
            "recipient_name": "Karim Benali",
            "recipient_nin": "119920034567890123",
            "pdf": SimpleUploadedFile("lettre.pdf", sent_pdf(lines), content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    deposit = AssistedAct.objects.get(kind="deposit")
    accepted = EvidenceRecord.objects.get(subject=deposit.letter.evidence_subject, event="SubmissionAcceptance")
    assert (accepted.actor_id, accepted.actor_role) == clerk_id
    stored = (vault.root() / deposit.letter.content_path).read_bytes()  # kept encrypted at rest, like a sender's
    assert b"%PDF" not in stored[:64] and b"Karim" not in stored
    # Showing the citizen's letters.
    assert checked.get("/mail/assist/citizen/").status_code == 200
    shown = AssistedAct.objects.get(kind="show", letter=None)
    assert (EvidenceRecord.objects.get(subject=f"hybridmail.assist:{shown.pk}").actor_id, "clerk") == clerk_id
    evidence.stamp_pending()
    for subject in (f"hybridmail.assist:{opened.pk}", f"hybridmail.assist:{shown.pk}", deposit.letter.evidence_subject):
        verified(subject)
    assert evidence.audit() == []


@pytest.fixture
def sender_client(client, sender_user, mail_products):
    client.force_login(sender_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_senders_page_shows_what_each_path_costs(sender_client, make_letter, mailbox, alger_centre):
    digital = make_letter("ordinary")  # the recipient has a mailbox: delivered there
    paper = make_letter("ordinary", nin="")  # no mailbox: printed
    refused = make_letter("ordinary", nin="")
    Letter.objects.filter(pk__in=[digital.pk, paper.pk]).update(price=Decimal("25.00"), paper_price=Decimal("60.00"))
    Letter.objects.filter(pk=refused.pk).update(state=LetterState.REFUSED, price=Decimal("25.00"))
    for letter in (digital, paper):
        letter.refresh_from_db()
        dispatch.dispatch(letter)
    digital.refresh_from_db()
    paper.refresh_from_db()
    assert (digital.state, paper.state) == (LetterState.DEPOSITED, LetterState.TO_PRINT)
    home = sender_client.get("/mail/send/")
    costs = home.context["costs"]
    assert (costs["digital"]["count"], costs["digital"]["amount"]) == (1, Decimal("25.00"))
    assert (costs["paper"]["count"], costs["paper"]["amount"]) == (1, Decimal("60.00"))
    assert costs["refused"] == 1 and costs["total"] == Decimal("85.00")
    table = home.content.decode()
    table = table[table.index('id="costs"') : table.index("</table>", table.index('id="costs"'))]
    assert "Digital (mailbox)" in table and "Paper (printed and delivered)" in table and "Refused" in table
    # A batch's page counts that batch only.
    batch = sender_client.get(f"/mail/send/batches/{paper.batch.reference}/").context["costs"]
    assert (batch["digital"]["count"], batch["paper"]["count"], batch["paper"]["amount"]) == (0, 1, Decimal("60"))


@pytest.mark.parametrize(
    "language,words",
    [
        ("en", "This form was already sent with other content"),
        ("fr", "Ce formulaire a déjà été envoyé avec un autre contenu"),
        ("ar", "أُرسلت هذه الاستمارة من قبل بمحتوى آخر"),
    ],
)
def test_a_form_sent_again_with_other_content_is_a_translated_400_and_stores_nothing(
    sender_client, mailbox, good_letter_pdf, language, words
):
    def post(name):
        return sender_client.post(
            "/mail/send/letter/",
            {
                "product": "recommande",
                **RECIPIENT,
                "name": name,
                "idempotency_key": "form-dup",
                "pdf": SimpleUploadedFile("lettre.pdf", good_letter_pdf, content_type="application/pdf"),
            },
            HTTP_ACCEPT_LANGUAGE=language,
        )

    assert post(RECIPIENT["name"]).status_code == 302
    again = post("Karim Haddad")
    assert again.status_code == 400 and words in again.content.decode()
    assert Letter.objects.count() == 1 and Letter.objects.get().recipient_name == RECIPIENT["name"]
