import io
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from PIL import Image

from bawaba.channels import email as email_channel
from bawaba.channels.email import ingest_email
from bawaba.servicedesk.models import MessageKind, Request
from bawaba.servicedesk.services import MAX_ATTACHMENTS, TEXT_MAX

TOKEN = "gateway-secret-for-tests"
SENDER = "Nadia Amrani <nadia.amrani@example.dz>"


@pytest.fixture(autouse=True)
def gateway_token(settings):
    settings.CHANNEL_GATEWAY_TOKEN = TOKEN


@pytest.fixture
def routed_to_faults(orgs):
    """These tests are about the channels, not the classifier: a real routing rule per channel."""
    from bawaba.orgs.models import Service
    from bawaba.routing.models import RoutingRule

    faults = Service.objects.get(code="algerie-telecom/faults")
    for channel in ("email", "sms", "ussd"):
        RoutingRule.objects.create(name=f"all {channel}", channel=channel, service=faults)




def mail(subject, body, sender=SENDER, attachment=None, attachments=(), html=None, headers=None):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "centre@bawaba.dz", subject
    if body is not None:
        message.set_content(body)
    if html is not None:
        if body is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for filename, payload, content_type in ([attachment] if attachment else []) + list(attachments):
        maintype, subtype = content_type.split("/")
        if maintype == "message":
            message.add_attachment(message_from_bytes(payload), filename=filename)
        else:
            message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    for name, value in (headers or {}).items():  # after the content: set_content drops Content-* headers
        message[name] = value
    return message.as_bytes()


def raw_mail(charset, body: bytes, subject="Coupure"):
    """A message written by hand, to declare any charset."""
    return (f"From: {SENDER}\r\nTo: centre@bawaba.dz\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n").encode() + body


def png(colour="black"):
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3), colour).save(buffer, "PNG")
    return buffer.getvalue()


def gif():
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3)).save(buffer, "GIF")
    return buffer.getvalue()


def subject_of(message):
    return str(make_header(decode_header(message["Subject"])))


def text_of(message):
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def test_an_email_becomes_a_request_with_address_phone_and_attachment(routed_to_faults):
    outcome = ingest_email(mail("Internet coupé", "Bonjour,\nplus d'internet depuis hier.\nTél : 0550 11 22 33",
                                attachment=("box.png", png(), "image/png")))
    request = outcome.request
    assert outcome.created and request.channel == "email"
    assert request.citizen_email == "nadia.amrani@example.dz" and request.citizen_name == "Nadia Amrani"
    assert request.citizen_phone == "+213550112233"
    assert request.attachments.count() == 1
    assert outcome.refused == () and request.text == "Bonjour,\nplus d'internet depuis hier.\nTél : 0550 11 22 33"


def test_the_citizen_gets_the_reference_by_reply(routed_to_faults, smtp_server, django_capture_on_commit_callbacks):
    raw = mail("Internet coupé", "Plus d'internet.", headers={"Message-ID": "<abc.123@example.dz>"})
    with django_capture_on_commit_callbacks(execute=True):
        request = ingest_email(raw).request
    [(recipients, ack)] = smtp_server.messages
    assert recipients == ["nadia.amrani@example.dz"]
    assert subject_of(ack) == f"Re: [{request.reference}] Internet coupé"
    assert ack["In-Reply-To"] == "<abc.123@example.dz>" and ack["Auto-Submitted"] == "auto-replied"
    assert text_of(ack).startswith("Demande reçue.") and request.reference in text_of(ack)

    # Replying to the acknowledgement adds to the request, and is acknowledged in turn.
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest_email(mail(subject_of(ack), "Toujours rien."))
    assert not outcome.created and outcome.request == request
    assert f"Votre message a été ajouté à la demande {request.reference}" in text_of(smtp_server.messages[1][1])


def test_automatic_mail_is_stored_but_never_answered(routed_to_faults, smtp_server,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ingest_email(mail("Absence", "Je suis absente.", headers={"Auto-Submitted": "auto-replied"}))
        ingest_email(mail("Lettre", "Nouveautés", headers={"Precedence": "bulk"}))
        ingest_email(mail("Undelivered", "failed", sender="MAILER-DAEMON@example.dz"))
    assert Request.objects.count() == 3
    assert smtp_server.messages == []


def test_an_unreachable_mail_server_does_not_lose_the_request(routed_to_faults, settings,
                                                              django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest_email(mail("Internet coupé", "Plus d'internet."))
    assert Request.objects.get() == outcome.request


def test_a_reply_with_the_reference_is_added_to_the_request(routed_to_faults):
    request = ingest_email(mail("Internet coupé", "Plus d'internet.")).request
    reply = mail(f"Re: [{request.reference}] Internet coupé", "Toujours rien ce matin.\n\n> ancien message")
    outcome = ingest_email(reply)
    assert not outcome.created and outcome.request == request
    message = request.messages.get(kind=MessageKind.CITIZEN)
    assert message.body == "Toujours rien ce matin."
    # A word that looks like a reference before the real one does not hide it.
    assert ingest_email(mail(f"Re: INTERNET coupé {request.reference}", "Et maintenant ?")).request == request


def test_someone_else_cannot_write_into_a_request_by_quoting_its_reference(routed_to_faults):
    request = ingest_email(mail("Internet coupé", "Plus d'internet.")).request
    outcome = ingest_email(mail(f"Re: {request.reference}", "hello", sender="intruder@example.com"))
    assert outcome.created and outcome.request != request


def test_refused_attachments_are_left_out_and_listed_instead_of_bouncing_the_message(
    routed_to_faults, smtp_server, capsys, tmp_path, django_capture_on_commit_callbacks
):
    forwarded = mail("Facture de mars", "Montant : 2 500 DA", sender="facturation@example.dz")
    eml = tmp_path / "mixed.eml"
    eml.write_bytes(mail("Facture", "Voir pièces jointes", attachments=[
        ("run.exe", b"MZ" + b"\0" * 64, "application/octet-stream"),
        ("logo.gif", gif(), "image/gif"),
        ("lettre.docx", b"PK\x03\x04" + b"\0" * 64, "application/vnd.openxmlformats-officedocument"),
        ("facture.eml", forwarded, "message/rfc822"),
        ("compteur.png", png(), "image/png"),
    ]))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("channels", "email", str(eml))  # no SystemExit: the mail server does not bounce it
    out = capsys.readouterr().out
    request = Request.objects.get()
    assert f"created {request.reference} (4 attachment(s) not kept)" in out
    assert list(request.attachments.values_list("original_name", flat=True)) == ["compteur.png"]
    assert request.text == "Voir pièces jointes"  # the citizen's words, as written
    note = request.messages.get(kind="note")
    assert note.author is None  # written by the platform, for the agents only
    for name in ("run.exe", "logo.gif", "lettre.docx", "facture.eml"):
        assert name in note.body  # listed for the agents
        assert name in text_of(smtp_server.messages[0][1])  # and told to the citizen
    assert "compteur.png" not in note.body


def test_attachments_beyond_the_limit_are_listed(routed_to_faults):
    photos = [(f"photo{i}.png", png((i * 30, 0, 0)), "image/png") for i in range(MAX_ATTACHMENTS + 2)]
    outcome = ingest_email(mail("Poteau tombé", "Voici les photos.", attachments=photos))
    kept = list(outcome.request.attachments.order_by("id").values_list("original_name", flat=True))
    assert kept == [f"photo{i}.png" for i in range(MAX_ATTACHMENTS)]
    assert len(outcome.refused) == 2
    note = outcome.request.messages.get(kind="note").body
    assert f"photo{MAX_ATTACHMENTS}.png" in note
    assert f"photo{MAX_ATTACHMENTS + 1}.png" in note


def test_a_foreign_phone_number_in_a_signature_is_left_out(routed_to_faults):
    request = ingest_email(mail("Ligne coupée", "Plus de tonalité.\n--\nNadia Amrani\nTél. +33 6 12 34 56 78")).request
    assert request.citizen_phone == "" and "+33 6 12 34 56 78" in request.text
    # A usable number after the foreign one is still found.
    request = ingest_email(mail("Ligne coupée", "Plus de tonalité.\nParis : +33 6 12 34 56 78\nAlger : 0550 11 22 33"))
    assert request.request.citizen_phone == "+213550112233"


def test_a_long_text_continues_in_messages_of_the_same_request(routed_to_faults):
    words = [f"mot{i}" for i in range(2600)]
    body = " ".join(words)  # about 19,000 characters
    outcome = ingest_email(mail("Réclamation détaillée", body))
    request = outcome.request
    assert outcome.created and not outcome.truncated
    continuations = list(request.messages.filter(kind=MessageKind.CITIZEN).values_list("body", flat=True))
    assert len(continuations) >= 3
    pieces = [request.text, *continuations]
    assert all(len(piece) <= TEXT_MAX for piece in pieces)
    marker = pieces[0].rsplit("\n", 1)[1]
    assert all(piece.endswith(marker) for piece in pieces[:-1]) and not pieces[-1].endswith(marker)
    kept = " ".join(piece.removesuffix(marker).strip() for piece in pieces).split()
    assert kept == words  # nothing lost, no word cut in two


def test_a_text_too_long_even_for_the_continuations_says_what_was_left_out(routed_to_faults, monkeypatch, smtp_server,
                                                                          django_capture_on_commit_callbacks):
    monkeypatch.setattr(email_channel, "MAX_CONTINUATIONS", 1)
    body = "a" * (3 * TEXT_MAX)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest_email(mail("Journal", body))
    assert outcome.truncated
    last = outcome.request.messages.get(kind=MessageKind.CITIZEN).body
    assert len(last) <= TEXT_MAX and last.startswith("aaa")
    def run(text):
        return len(text) - len(text.lstrip("a"))

    left_out = len(body) - run(outcome.request.text) - run(last)
    assert str(left_out) in last and str(left_out) in text_of(smtp_server.messages[0][1])


def test_the_declared_charset_is_used_and_an_unknown_one_read_as_utf8(routed_to_faults):
    arabic = "الانترنت مقطوع منذ أمس"
    assert ingest_email(raw_mail("windows-1256", arabic.encode("cp1256"))).request.text == arabic
    assert ingest_email(raw_mail("iso-8859-1", "Coupure d'électricité".encode("latin-1"))).request.text == (
        "Coupure d'électricité")
    unknown = ingest_email(raw_mail("x-unknown-charset", "Coupure d'électricité à Oran".encode()))
    assert unknown.request.text == "Coupure d'électricité à Oran"
    # Undecodable bytes under an unknown charset are replaced rather than refused.
    broken = ingest_email(raw_mail("x-unknown-charset", b"Coupure \xff\xfe totale"))
    assert broken.request.text == "Coupure \ufffd\ufffd totale"


def test_an_html_only_mail_gives_readable_text(routed_to_faults):
    html = """<html><head><style>p { color: red; }</style><title>Mail</title></head><body>
      <p>Bonjour,</p><p>Plus d&#39;internet depuis <b>lundi</b>&nbsp;soir.<br>Merci&nbsp;!</p>
      <ul><li>Modem : allumé</li><li>Voyant DSL : éteint</li></ul>
      <script>alert("x")</script>
      <div class="gmail_quote"><div>Le lun. 3 mars 2025, Algérie Télécom a écrit :</div>
      <blockquote>Votre facture est disponible.</blockquote></div></body></html>"""
    request = ingest_email(mail("Internet", None, html=html)).request
    assert request.text == ("Bonjour,\n\nPlus d'internet depuis lundi\xa0soir.\nMerci\xa0!\n\n"
                            "- Modem : allumé\n- Voyant DSL : éteint")


@pytest.mark.parametrize("sender", ["", "nadia.amrani", "<>", "Nadia <nadia@>"])
def test_a_message_without_a_usable_sender_is_bounced(routed_to_faults, sender, capsys, tmp_path):
    eml = tmp_path / "anonymous.eml"
    eml.write_bytes(mail("Internet coupé", "Plus d'internet.", sender=sender))
    with pytest.raises(SystemExit) as exit_code:
        call_command("channels", "email", str(eml))
    assert exit_code.value.code == 65
    assert "refused" in capsys.readouterr().err
    assert Request.objects.count() == 0


def test_a_message_over_the_size_limit_is_bounced(routed_to_faults, monkeypatch):
    monkeypatch.setattr(email_channel, "MAX_MESSAGE_BYTES", 10_000)
    with pytest.raises(ValidationError):
        ingest_email(mail("Photos", "Voici", attachment=("big.png", png() + b"\0" * 20_000, "image/png")))
    assert Request.objects.count() == 0


def post(path, data, token=TOKEN):
    return Client().post(path, data, headers={"X-Gateway-Token": token} if token else {})


def test_gateways_refuse_calls_without_the_shared_secret(orgs):
    assert post("/channels/sms", {"from": "0550112233", "text": "hi"}, token=None).status_code == 401
    assert post("/channels/sms", {"from": "0550112233", "text": "hi"}, token="wrong").status_code == 401
    assert Client().get("/channels/ussd").status_code == 405


def test_sms_opens_a_request_then_follows_it(routed_to_faults):
    response = post("/channels/sms", {"from": "+213550112233", "text": "ma3andich internet men lbare7"})
    assert response.status_code == 200
    request = Request.objects.get()
    assert request.reference in response.content.decode() and request.channel == "sms"

    response = post("/channels/sms", {"from": "0550112233", "text": f"{request.reference.lower()} mazal"})
    assert request.messages.get().body == "mazal"
    response = post("/channels/sms", {"from": "0550112233", "text": request.reference})
    assert request.reference in response.content.decode()
    # Another number quoting the reference opens its own request instead.
    post("/channels/sms", {"from": "0661000000", "text": f"{request.reference} hello"})
    assert Request.objects.count() == 2


def test_nul_characters_from_gateways_and_mail_are_dropped_and_the_message_kept(routed_to_faults):
    # PostgreSQL cannot store NUL: the text is kept without it (the suite runs on both databases).
    response = post("/channels/sms", {"from": "+213550112233", "text": "pas\x00 de tonalite"})
    assert response.status_code == 200
    request = Request.objects.get()
    assert request.text == "pas de tonalite" and "\x00" not in request.subject
    post("/channels/sms", {"from": "0550112233", "text": f"{request.reference} toujours\x00 rien"})
    assert request.messages.get().body == "toujours rien"
    outcome = ingest_email(mail("Internet\x00 coupé", "Plus\x00 d'internet.\nTél : 0550 11 22 33"))
    assert outcome.created and outcome.request.text == "Plus d'internet.\nTél : 0550 11 22 33"
    assert outcome.request.subject == "Internet coupé"


def test_an_sms_is_answered_in_the_language_it_was_written_in(routed_to_faults):
    arabic = post("/channels/sms", {"from": "+213550112233", "text": "الانترنت مقطوعة عندي منذ يومين"})
    request = Request.objects.get()
    assert request.language == "ar"
    reply = arabic.content.decode()
    assert request.reference in reply and any("\u0600" <= ch <= "\u06ff" for ch in reply)
    follow_up = post("/channels/sms", {"from": "0550112233", "text": f"{request.reference} مازال"})
    assert any("\u0600" <= ch <= "\u06ff" for ch in follow_up.content.decode())
    french = post("/channels/sms", {"from": "0661000000", "text": "Ma ligne fixe est coupée depuis hier"})
    assert Request.objects.get(citizen_phone="+213661000000").language == "fr"
    assert french.content.decode().startswith("Demande reçue")


def test_sms_with_an_invalid_number_is_a_clear_400(orgs):
    response = post("/channels/sms", {"from": "12", "text": "hello"})
    assert response.status_code == 400 and response.content


def test_ussd_menu_creates_and_follows_a_request(routed_to_faults):
    phone = {"phoneNumber": "+213661223344", "sessionId": "s1"}
    assert post("/channels/ussd", {**phone, "text": ""}).content.decode().startswith("CON")
    assert "Algérie Poste" in post("/channels/ussd", {**phone, "text": "1"}).content.decode()
    assert post("/channels/ussd", {**phone, "text": "1*1"}).content.decode().startswith("CON")
    final = post("/channels/ussd", {**phone, "text": "1*1*pas de tonalite sur ma ligne"}).content.decode()
    request = Request.objects.get()
    assert final == f"END Demande reçue. Votre référence : {request.reference}" or request.reference in final
    assert request.channel == "ussd" and request.category == "algerie-telecom/faults"

    status = post("/channels/ussd", {**phone, "text": f"2*{request.reference}"}).content.decode()
    assert status.startswith("END") and request.reference in status
    wrong = post("/channels/ussd", {"phoneNumber": "+213550000000", "text": f"2*{request.reference}"})
    assert request.reference not in wrong.content.decode()
    assert post("/channels/ussd", {**phone, "text": "1*9"}).content.decode().startswith("END")


@pytest.mark.parametrize("text", ["1*0*coupure internet", "1*-1*coupure internet", "1*99*coupure internet",
                                  "1*x*coupure internet", "1*1.5*coupure internet", "1*0", "1*-1", "1*"])
def test_ussd_refuses_a_menu_number_that_is_not_on_the_menu(routed_to_faults, text):
    reply = post("/channels/ussd", {"phoneNumber": "+213661223344", "sessionId": "s1", "text": text})
    assert reply.content.decode() == "END Choix invalide. Veuillez recomposer le code."
    assert Request.objects.count() == 0


@pytest.mark.parametrize(("subject", "body", "header", "language"), [
    ("Connexion coupée", "Bonjour, je n'ai plus internet depuis hier soir. Merci de vous en occuper.", "", "fr"),
    ("Internet down", "Hello, my line has been down since yesterday and the modem is not working.", "", "en"),
    ("انقطاع الإنترنت", "السلام عليكم، الإنترنت مقطوع عندي منذ البارحة.", "", "ar"),
    ("Panne", "Bonjour", "en-GB", "en"),
])
def test_an_email_request_is_answered_in_the_language_it_was_written_in(
    routed_to_faults, smtp_server, django_capture_on_commit_callbacks, subject, body, header, language
):
    raw = mail(subject, body, headers={"Content-Language": header} if header else None)
    with django_capture_on_commit_callbacks(execute=True):
        request = ingest_email(raw).request
    assert request.language == language
    acknowledgement = text_of(smtp_server.messages[-1][1])
    expected = {"fr": "Demande reçue", "en": "Request received", "ar": "تم استلام"}[language]
    assert expected in acknowledgement
