"""The sender's pages and API: submission, status, cost per path, refusals, proofs, CSV — one organisation's only."""

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bawaba.hybridmail.models import Batch, Letter, LetterState

from .conftest import PASSWORD
from .fixtures_send import MALFORMED, RECIPIENT


@pytest.fixture
def sender_client(client, sender_user, mail_products):
    client.force_login(sender_user)
    return client


def post_letter(client, pdf, **extra):
    data = {"product": "recommande", **RECIPIENT, "idempotency_key": "form-1", **extra,
            "pdf": SimpleUploadedFile("lettre.pdf", pdf, content_type="application/pdf")}
    return client.post("/mail/send/letter/", data)


def test_a_sender_sends_a_letter_from_the_page_and_follows_it(sender_client, mailbox, good_letter_pdf):
    response = post_letter(sender_client, good_letter_pdf)
    assert response.status_code == 302
    letter = Letter.objects.get()
    assert letter.state == LetterState.DEPOSITED
    page = sender_client.get(response["Location"])
    assert page.status_code == 200 and letter.reference in page.content.decode()
    again = post_letter(sender_client, good_letter_pdf)  # a double click: the same batch
    assert again["Location"] == response["Location"] and Letter.objects.count() == 1
    detail = sender_client.get(f"/mail/send/letters/{letter.reference}/").content.decode()
    assert "SubmissionAcceptance" in detail and 'dir="auto"' in detail
    proof = sender_client.get(f"/mail/send/letters/{letter.reference}/proof/")
    assert proof.status_code == 200 and proof["Content-Type"] == "application/pdf"
    assert proof.getvalue().startswith(b"%PDF")
    home = sender_client.get("/mail/send/").content.decode()
    assert 'id="costs"' in home


def test_a_refused_letter_shows_its_reason_and_bad_fields_answer_400(sender_client, good_letter_pdf):
    response = post_letter(sender_client, MALFORMED["javascript"](good_letter_pdf), idempotency_key="f-2")
    letter = Letter.objects.get()
    assert response.status_code == 302 and letter.state == LetterState.REFUSED
    page = sender_client.get(f"/mail/send/letters/{letter.reference}/").content.decode()
    assert "JavaScript" in page
    bad = post_letter(sender_client, good_letter_pdf, postcode="99999", idempotency_key="f-3")
    assert bad.status_code == 400 and "99999" in bad.content.decode()
    assert Letter.objects.count() == 1


def test_a_sender_sees_only_its_organisation_s_letters(sender_client, client, ministry, mail_products,
                                                       good_letter_pdf, make_letter, poste):
    from bawaba.hybridmail.models import SenderProfile
    from bawaba.orgs.services import do_add_staff, do_onboard_organisation

    mine = make_letter("ordinary")
    other_org = do_onboard_organisation({"slug": "sonelgaz", "kind": "enterprise", "name_fr": "Sonelgaz",
                                         "services": [{"slug": "factures", "name_fr": "Factures"}]})
    SenderProfile.objects.create(organisation=other_org, operator=poste, return_address="Sonelgaz")
    do_add_staff(other_org, {"username": "sg.sender", "roles": ["hybridmail.sender"], "password": PASSWORD})
    from django.test import Client

    other = Client()
    other.login(username="sg.sender", password=PASSWORD)
    assert other.get(f"/mail/send/letters/{mine.reference}/").status_code == 404
    assert other.get(f"/mail/send/letters/{mine.reference}/proof/").status_code == 404
    assert other.get(f"/mail/send/batches/{mine.batch.reference}/").status_code == 404
    assert mine.reference not in other.get("/mail/send/letters.csv").getvalue().decode()
    assert mine.reference in sender_client.get("/mail/send/letters.csv").getvalue().decode()
    assert Client().get("/mail/send/").status_code == 302  # not signed in
    assert other.get("/mail/send/").status_code == 200 and "Sonelgaz" in other.get("/mail/send/").content.decode()


def test_csv_export_has_cost_by_path_and_no_formulas(sender_client, ministry, make_letter, alger_centre):
    from bawaba.hybridmail import dispatch

    letter = make_letter("ordinary", nin="")
    Letter.objects.filter(pk=letter.pk).update(price="25.00", paper_price="60.00", sender_reference="=HYPERLINK(1)")
    letter.refresh_from_db()
    dispatch.dispatch(letter)
    text = sender_client.get("/mail/send/letters.csv").getvalue().decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.startswith("reference;batch") and ";paper;" in row and "60.00" in row
    assert "'=HYPERLINK(1)" in row


def test_merge_from_the_page_with_a_bad_list_reports_rows(sender_client):
    table = b"nom;adresse;code_postal\n;1 rue;16000\nKarim;2 rue;99999\n"
    response = sender_client.post("/mail/send/merge/", {
        "product": "lettre", "window": "din5008_b", "subject": "", "body": "Bonjour {nom}",
        "idempotency_key": "m-1", "table": SimpleUploadedFile("liste.csv", table, content_type="text/csv")},
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Line 2" in body and "Line 3" in body and not Batch.objects.exists()


# --- API ----------------------------------------------------------------------------------------------------

@pytest.fixture
def api_token(ministry, mail_products):
    from bawaba.api.services import do_create_token

    return do_create_token(ministry.organisation, "Courrier")[1]


def api(client, token, method, url, body=None, **headers):
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}", **{f"HTTP_{k.upper().replace('-', '_')}": v
                                                           for k, v in headers.items()}}
    if body is not None:
        return getattr(client, method)(url, data=json.dumps(body), content_type="application/json", **kwargs)
    return getattr(client, method)(url, **kwargs)


def test_api_sends_a_letter_idempotently_and_reads_it(client, api_token, mailbox, good_letter_pdf):
    body = {"product": "recommande", "recipient": RECIPIENT,
            "pdf_base64": base64.b64encode(good_letter_pdf).decode()}
    first = api(client, api_token, "post", "/mail/api/v1/letters", body, **{"Idempotency-Key": "k1"})
    assert first.status_code == 201, first.content
    letter = first.json()["letters"][0]
    assert letter["state"] == "deposited" and letter["path"] == "digital" and letter["price"] == "25.00"
    again = api(client, api_token, "post", "/mail/api/v1/letters", body, **{"Idempotency-Key": "k1"})
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    other = api(client, api_token, "post", "/mail/api/v1/letters", {**body, "label": "x"},
                **{"Idempotency-Key": "k1"})
    assert other.status_code == 422
    assert Letter.objects.count() == 1
    read = api(client, api_token, "get", f"/mail/api/v1/letters/{letter['reference']}")
    assert read.status_code == 200 and read.json()["reference"] == letter["reference"]
    listed = api(client, api_token, "get", "/mail/api/v1/letters?state=deposited")
    assert listed.json()["count"] == 1
    proof = api(client, api_token, "get", f"/mail/api/v1/letters/{letter['reference']}/proof?format=json")
    assert proof.status_code == 200 and proof.json()["format"] == "bawaba-evidence-bundle/1"


def test_api_refuses_a_bad_pdf_with_its_reason_and_bad_input_with_422(client, api_token, good_letter_pdf):
    body = {"product": "recommande", "recipient": RECIPIENT,
            "pdf_base64": base64.b64encode(MALFORMED["encrypted"](good_letter_pdf)).decode()}
    refused = api(client, api_token, "post", "/mail/api/v1/letters", body, **{"Accept-Language": "en"})
    assert refused.status_code == 422 and "encrypted" in refused.json()["errors"]["letters.0"][0]
    assert Letter.objects.get().state == LetterState.REFUSED
    not_b64 = api(client, api_token, "post", "/mail/api/v1/letters", {**body, "pdf_base64": "%%%"})
    assert not_b64.status_code == 422 and "pdf_base64" in not_b64.json()["errors"]
    table = base64.b64encode(b"nom;code_postal\nAmina;99999\n").decode()
    merge = api(client, api_token, "post", "/mail/api/v1/batches/merge",
                {"product": "lettre", "body": "Bonjour {nom}", "list_base64": table})
    assert merge.status_code == 422 and "rows.2.postcode" in merge.json()["errors"]


def test_api_of_an_organisation_without_a_mail_account_is_forbidden(client, orgs):
    from bawaba.api.services import do_create_token

    token = do_create_token(orgs["algerie-telecom"], "x")[1]
    assert api(client, token, "get", "/mail/api/v1/letters").status_code == 403
    assert api(client, token, "get", "/mail/api/v1/letters/L-AAAAA-AAAAA").status_code == 403


def test_several_pdfs_with_their_list_from_the_page(sender_client, mailbox, good_letter_pdf):
    table = (b"fichier;nom;adresse;code_postal;nin\n"
             b"a.pdf;Amina Benali;12 rue Didouche Mourad;16000;109870123456789012\n"
             b"b.pdf;Amina Benali;12 rue Didouche Mourad;16000;\n")
    files = [SimpleUploadedFile("a.pdf", good_letter_pdf, content_type="application/pdf"),
             SimpleUploadedFile("b.pdf", MALFORMED["attachment"](good_letter_pdf), content_type="application/pdf")]
    response = sender_client.post("/mail/send/pdfs/", {
        "product": "recommande", "idempotency_key": "p-1", "pdfs": files,
        "recipients": SimpleUploadedFile("liste.csv", table, content_type="text/csv")})
    assert response.status_code == 302
    batch = Batch.objects.get()
    assert (batch.letters_accepted, batch.letters_refused, batch.state) == (1, 1, "partly")
    missing = sender_client.post("/mail/send/pdfs/", {
        "product": "recommande", "idempotency_key": "p-2",
        "pdfs": [SimpleUploadedFile("c.pdf", good_letter_pdf, content_type="application/pdf")],
        "recipients": SimpleUploadedFile("liste.csv", table, content_type="text/csv")})
    assert missing.status_code == 400 and "c.pdf" in missing.content.decode()


def test_staff_without_the_sender_role_may_not_send(client, clerk, mail_products):
    client.force_login(clerk)
    assert client.get("/mail/send/").status_code == 403
    assert client.get("/mail/send/letter/").status_code == 403
    assert client.get("/mail/send/letters.csv").status_code == 403
