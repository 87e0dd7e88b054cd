import pytest
from django.urls import reverse
from django.utils import timezone

from bawaba.lifeproof import links
from bawaba.lifeproof.models import Attempt, BiometricAccess, Outcome
from bawaba.lifeproof.proofs import do_issue_challenge, do_submit_attempt

from .conftest import PASSWORD, performed

pytestmark = pytest.mark.django_db


@pytest.fixture
def doubtful(obligation):
    challenge = do_issue_challenge(obligation, consent=True)
    attempt = do_submit_attempt(challenge.token, performed(challenge.steps))
    Attempt.objects.filter(pk=attempt.pk).update(status=Outcome.REVIEW, reasons=["weak_match"],
                                                 decided_at=timezone.now())
    return attempt


def _signed_in(client, user):
    client.force_login(user)
    return client


def test_staff_see_biometric_data_of_their_own_fund_only(client, doubtful, cnr_reviewer, cnas_reviewer, clerk):
    urls = [reverse("lifeproof:attempt", args=[doubtful.pk]),
            reverse("lifeproof:reference_photo", args=[doubtful.pk]),
            reverse("lifeproof:frame", args=[doubtful.pk, 0])]
    _signed_in(client, cnas_reviewer)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    _signed_in(client, clerk)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert client.get(reverse("lifeproof:queue")).status_code == 404
    assert not BiometricAccess.objects.filter(action="read").exists()

    _signed_in(client, cnr_reviewer)
    page = client.get(urls[0])
    assert page.status_code == 200 and b"weak_match" in page.content
    photo = client.get(urls[1])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert "no-store" in photo["Cache-Control"]
    assert client.get(urls[2]).status_code == 200
    assert client.get(reverse("lifeproof:frame", args=[doubtful.pk, 99])).status_code == 404
    reads = BiometricAccess.objects.filter(action="read", user=cnr_reviewer)
    assert set(reads.values_list("data", flat=True)) == {"photo", "frames"}


def test_the_queue_lists_doubtful_attempts_and_a_reviewer_decides(client, doubtful, cnr_reviewer):
    _signed_in(client, cnr_reviewer)
    queue = client.get(reverse("lifeproof:queue"))
    assert reverse("lifeproof:attempt", args=[doubtful.pk]).encode() in queue.content
    bad = client.post(reverse("lifeproof:review", args=[doubtful.pk]), {"decision": "accept", "reason": ""})
    assert bad.status_code == 400
    done = client.post(reverse("lifeproof:review", args=[doubtful.pk]), {"decision": "accept", "reason": "ok"})
    assert done.status_code == 302
    assert Attempt.objects.get(pk=doubtful.pk).status == Outcome.ACCEPTED


def test_managers_only_import_and_export(client, campaign, cnr_reviewer, cnr_manager, cnas_reviewer):
    _signed_in(client, cnr_reviewer)
    assert client.get(reverse("lifeproof:import")).status_code == 403
    assert client.get(reverse("lifeproof:campaign_export", args=[campaign.pk])).status_code == 403
    _signed_in(client, cnr_manager)
    export = client.get(reverse("lifeproof:campaign_export", args=[campaign.pk]))
    assert export.status_code == 200 and b"100001;" in export.content
    from django.contrib.auth import get_user_model

    cnas_manager = get_user_model().objects.get(username="cnas.manager")
    _signed_in(client, cnas_manager)
    assert client.get(reverse("lifeproof:campaign_export", args=[campaign.pk])).status_code == 404


def test_the_signed_link_opens_the_page_in_french_and_arabic(client, obligation):
    assert client.get(f"/v/{obligation.code}00000000").status_code == 404
    assert client.get(reverse("lifeproof_public:page")).status_code == 404
    response = client.get(f"/v/{links.token_for(obligation.code)}")
    assert response.status_code == 302
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200 and b"Preuve de vie" in page.content
    assert b'rel="manifest"' in page.content and b"<script>" not in page.content
    client.post(reverse("set_language"), {"language": "ar", "next": "/v/"})
    arabic = client.get("/v/")
    assert b'dir="rtl"' in arabic.content and "إثبات الحياة".encode() in arabic.content


def test_bad_input_gets_a_clear_translated_4xx(client, obligation):
    client.get(f"/v/{links.token_for(obligation.code)}")
    client.post(reverse("set_language"), {"language": "fr", "next": "/v/"})
    no_consent = client.post(reverse("lifeproof_public:challenge"), {})
    assert no_consent.status_code == 400 and "consentement" in no_consent.json()["error"]
    challenge = client.post(reverse("lifeproof_public:challenge"), {"consent": "yes"}).json()
    frames = performed([step["code"] for step in challenge["steps"]])
    not_image = client.post(reverse("lifeproof_public:attempt"), {
        "token": challenge["token"], "at_ms": [0],
        "frame": [_upload(b"this is text, not a picture")]})
    assert not_image.status_code == 400 and "Image 1" in not_image.json()["error"]
    ok = client.post(reverse("lifeproof_public:attempt"), {
        "token": challenge["token"], "at_ms": [at for _img, at in frames],
        "frame": [_upload(img, f"f{i}.jpg") for i, (img, _at) in enumerate(frames)]})
    assert ok.status_code == 201 and ok.json()["status"] == "accepted"
    again = client.post(reverse("lifeproof_public:attempt"), {
        "token": challenge["token"], "at_ms": [0], "frame": [_upload(frames[0][0])]})
    assert again.status_code == 409 and again.json()["error"]
    assert client.get(reverse("lifeproof_public:certificate"))["Content-Type"] == "application/pdf"


def _upload(data: bytes, name: str = "frame.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_public_verification_page(client, obligation):
    assert client.get(reverse("lifeproof_verify:page", args=["K7M2-9QXR"])).status_code == 404
    assert client.get(reverse("lifeproof_verify:key")).content.startswith(b"-----BEGIN PUBLIC KEY-----")


def test_a_counter_clerk_finds_the_pensioner_after_the_id_check(client, obligation, clerk, cnr_reviewer):
    _signed_in(client, cnr_reviewer)
    assert client.get(reverse("lifeproof:counter")).status_code == 403
    _signed_in(client, clerk)
    wrong = client.post(reverse("lifeproof:counter"), {"pension_number": "100001", "national_id": "1",
                                                       "id_checked": "on"})
    assert wrong.status_code == 400
    found = client.post(reverse("lifeproof:counter"), {"pension_number": "100001",
                                                       "national_id": "109850000000000001", "id_checked": "on"})
    assert found.status_code == 302
    page = client.get(found["Location"])
    assert page.status_code == 200 and b"lp-assisted" not in page.content
    challenge = client.post(reverse("lifeproof_public:challenge"), {"consent": "yes"})
    assert challenge.status_code == 200
    from bawaba.lifeproof.models import Challenge

    assert Challenge.objects.get(token=challenge.json()["token"]).clerk == clerk


def test_a_counter_clerk_lands_on_the_counter_and_sees_the_module_menu(client, clerk):
    assert client.login(username="poste.clerk", password=PASSWORD)
    assert client.get("/home/")["Location"] == reverse("lifeproof:counter")
    page = client.get(reverse("lifeproof:counter"))
    assert b'id="nav-counter"' in page.content and b'id="nav-proofs"' not in page.content
