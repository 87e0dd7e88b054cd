"""Outside hours a voicemail becomes a request with its recording, fetched over HTTP with limits."""

import pytest

from bawaba.voice import tasks
from bawaba.voice.models import Call
from bawaba.voice.recordings import RecordingRefused, fetch_recording

from .conftest import post_event
from .loopback import MP3

pytestmark = pytest.mark.django_db


def leave_voicemail(client, url, django_capture_on_commit_callbacks):
    post_event(client, session="night")
    post_event(client, session="night", dtmfDigits="1")
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, session="night", recordingUrl=url)
        post_event(client, session="night", active="0", recordingUrl=url, durationInSeconds="40")
    return Call.objects.get(session_id="night")


def test_a_voicemail_becomes_a_request_with_the_recording(client, number, closed_hours, provider_peer,
                                                          huey_immediate, django_capture_on_commit_callbacks,
                                                          at_agent):
    call = leave_voicemail(client, f"{provider_peer.url}/rec/voicemail.mp3", django_capture_on_commit_callbacks)
    assert call.voicemail_status == "stored" and call.request is not None
    request = call.request
    assert request.channel == "phone" and request.citizen_phone == "+213550123456"
    assert request.service.code == "algerie-telecom/faults"
    assert call.recording.read() == MP3 and call.recording_type == "audio/mpeg"
    # The request's page shows the call and plays the recording for the organisation's agents.
    client.force_login(at_agent)
    page = client.get(f"/desk/r/{request.reference}/")
    assert b'id="voice-calls"' in page.content and f"/voice/calls/{call.pk}/recording/".encode() in page.content
    audio = client.get(f"/voice/calls/{call.pk}/recording/")
    assert audio.status_code == 200 and b"".join(audio.streaming_content) == MP3


def test_a_recording_the_platform_refuses_still_leaves_a_request_naming_it(client, number, closed_hours,
                                                                          provider_peer, huey_immediate,
                                                                          django_capture_on_commit_callbacks):
    url = f"{provider_peer.url}/rec/page.mp3"
    call = leave_voicemail(client, url, django_capture_on_commit_callbacks)
    assert call.voicemail_status == "failed" and not call.recording
    assert url in call.request.text


def test_recordings_are_limited_in_size_type_and_scheme(provider_peer, voice_settings):
    voice_settings.VOICE_RECORDING_MAX_BYTES = 100_000
    assert fetch_recording(f"{provider_peer.url}/rec/voicemail.mp3").size == len(MP3)
    for url in (f"{provider_peer.url}/rec/huge.mp3", f"{provider_peer.url}/rec/page.mp3",
                f"{provider_peer.url}/rec/missing.mp3", "file:///etc/passwd", "ftp://example.test/a.mp3"):
        with pytest.raises(RecordingRefused):
            fetch_recording(url)
    voice_settings.VOICE_RECORDING_HOSTS = ["voice.africastalking.com"]
    with pytest.raises(RecordingRefused):
        fetch_recording(f"{provider_peer.url}/rec/voicemail.mp3")


def test_a_stored_voicemail_is_not_stored_twice(client, number, closed_hours, provider_peer, huey_immediate,
                                                django_capture_on_commit_callbacks):
    call = leave_voicemail(client, f"{provider_peer.url}/rec/voicemail.mp3", django_capture_on_commit_callbacks)
    tasks.store_voicemail.call_local(call.pk)
    assert Call.objects.get(pk=call.pk).request_id == call.request_id
    from bawaba.servicedesk.models import Request

    assert Request.objects.filter(citizen_phone="+213550123456").count() == 1


@pytest.mark.parametrize("withheld", ["", "anonymous", "Restricted"])
def test_a_voicemail_from_a_withheld_number_still_becomes_a_request_without_a_phone(
        client, number, closed_hours, provider_peer, huey_immediate, django_capture_on_commit_callbacks, withheld):
    url = f"{provider_peer.url}/rec/voicemail.mp3"
    post_event(client, session="night", caller=withheld)
    post_event(client, session="night", caller=withheld, dtmfDigits="1")
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, session="night", caller=withheld, recordingUrl=url)
        post_event(client, session="night", caller=withheld, active="0", recordingUrl=url, durationInSeconds="40")
    call = Call.objects.get(session_id="night")
    assert call.voicemail_status == "stored" and call.request is not None
    request = call.request
    assert request.channel == "phone" and request.citizen_phone == ""
    from django.utils import translation

    with translation.override(request.language):  # the caller's language (the number's first: French)
        assert request.subject == translation.gettext("Voicemail from a withheld number")
        assert translation.gettext("The caller's number was withheld: there is no number to call back. Only the "
                                   "recording says who called and how to reach them.") in request.text
    assert request.language == "fr" and "masqué" in request.text
    assert call.recording.read() == MP3
    assert [e.kind for e in call.events.all()][-1] == "voicemail_request"
