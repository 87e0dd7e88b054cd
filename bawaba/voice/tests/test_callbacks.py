"""The provider's callbacks through Django's test client: the IVR, queueing, replays, bad input."""

import pytest

from bawaba.voice.models import AgentState, Call, CallState, Outcome

from .at_xml import check_answer
from .conftest import NUMBER, SECRET, post_event

pytestmark = pytest.mark.django_db


def actions(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/xml")
    return check_answer(response.content)


def test_a_call_chooses_its_language_and_service_and_waits_in_the_services_queue(client, number, open_hours):
    first = actions(post_event(client))
    assert [a.tag for a in first] == ["Say", "GetDigits"]
    assert "Algérie Télécom" in first[0].text
    menu = actions(post_event(client, dtmfDigits="2"))
    assert [a.tag for a in menu] == ["GetDigits"]
    assert "عطل" in menu[0][0].text  # the menu in Arabic, with the configured labels
    queued = actions(post_event(client, dtmfDigits="1"))
    assert [a.tag for a in queued] == ["Say", "Enqueue"]
    call = Call.objects.get(session_id="ATVId_1")
    assert queued[1].get("name") == f"call-{call.pk}"
    assert call.state == CallState.QUEUED and call.language == "ar"
    assert call.service.code == "algerie-telecom/faults"
    assert call.choices == {"language": "ar", "menu": "1", "option": "une panne", "service": "algerie-telecom/faults"}


def test_a_replayed_callback_gets_the_same_answer_and_changes_nothing(client, number, open_hours):
    from .conftest import next_path

    post_event(client)
    path = next_path("ATVId_1")
    once = post_event(client, dtmfDigits="1", path=path)
    call = Call.objects.get()
    again = post_event(client, dtmfDigits="1", path=path)  # the same callback, replayed
    assert again.content == once.content
    after = Call.objects.get()
    assert (after.seq, after.language, after.step) == (call.seq, call.language, call.step)
    # The same key pressed at the next question is not a replay: it has its own number.
    assert [a.tag for a in actions(post_event(client, dtmfDigits="1"))] == ["Say", "Enqueue"]


def test_a_late_answer_to_an_earlier_question_repeats_the_current_one(client, number, open_hours):
    from .conftest import next_path

    post_event(client)
    first_question = next_path("ATVId_1")
    post_event(client, dtmfDigits="2")  # Arabic
    current = post_event(client, dtmfDigits="2", path=first_question)  # out of order: the language again
    assert "عطل" in check_answer(current.content)[0][0].text
    assert Call.objects.get().language == "ar"


def test_keys_outside_the_menu_repeat_it_then_fall_back_to_the_default(client, number, open_hours):
    post_event(client)
    post_event(client, dtmfDigits="1")  # French
    for nonsense in ("9", "*#abc", "1" * 500):
        answer = actions(post_event(client, dtmfDigits=nonsense))
        if nonsense != "1" * 500:
            assert answer[0].tag == "Say" and answer[-1].tag == "GetDigits"
    call = Call.objects.get()
    # Three wrong answers: the number's default service takes the call rather than losing it.
    assert call.state == CallState.QUEUED and call.service.code == "algerie-telecom/faults"


def test_unknown_session_hanging_up_is_recorded_not_refused(client, number, open_hours):
    response = post_event(client, session="never-seen", active="0", durationInSeconds="12")
    assert actions(response) == []
    call = Call.objects.get(session_id="never-seen")
    assert call.state == CallState.ENDED and call.outcome == Outcome.ABANDONED_IVR and call.duration_seconds == 12


def test_unknown_session_mid_menu_starts_again_from_the_greeting(client, number, open_hours):
    answer = actions(post_event(client, session="lost-state", dtmfDigits="2"))
    assert [a.tag for a in answer] == ["Say", "GetDigits"]


def test_callback_after_the_hang_up_gets_an_empty_answer(client, number, open_hours):
    post_event(client)
    post_event(client, active="0")
    assert actions(post_event(client, dtmfDigits="1")) == []
    assert Call.objects.get().outcome == Outcome.ABANDONED_IVR


def test_a_number_not_in_service_is_rejected(client, number, open_hours):
    answer = actions(post_event(client, destination="+213215559999"))
    assert [a.tag for a in answer] == ["Reject"]
    assert Call.objects.get().outcome == Outcome.REJECTED


def test_hanging_up_while_waiting_is_an_abandoned_call(client, number, open_hours):
    post_event(client)
    post_event(client, dtmfDigits="1")
    post_event(client, dtmfDigits="1")
    open_hours.shift(35)
    post_event(client, active="0", durationInSeconds="50")
    call = Call.objects.get()
    assert call.outcome == Outcome.ABANDONED and call.wait_seconds >= 35


@pytest.mark.parametrize("data, status", [
    ({"isActive": "1"}, 400),
    ({"sessionId": "x", "isActive": "maybe"}, 400),
    ({"sessionId": "x" * 500, "isActive": "1"}, 400),
])
def test_malformed_callbacks_are_refused_with_400(client, number, data, status):
    response = client.post(f"/voice/callbacks/africastalking/{SECRET}/", data)
    assert response.status_code == status


def test_callbacks_without_the_secret_or_from_elsewhere_are_forbidden(client, number, voice_settings):
    assert client.post("/voice/callbacks/africastalking/wrong/", {"sessionId": "a", "isActive": "1"}).status_code == 403
    voice_settings.VOICE_CALLBACK_NETWORKS = ["192.0.2.0/24"]
    assert post_event(client).status_code == 403
    voice_settings.VOICE_CALLBACK_NETWORKS = ["127.0.0.0/8"]
    assert post_event(client).status_code == 200
    assert client.post(f"/voice/callbacks/nobody/{SECRET}/", {}).status_code == 404
    assert client.get(f"/voice/callbacks/africastalking/{SECRET}/").status_code == 405


def test_outside_hours_the_caller_leaves_a_voicemail(client, number, closed_hours):
    post_event(client)
    answer = actions(post_event(client, dtmfDigits="1"))
    assert [a.tag for a in answer] == ["Say", "Say", "Record"]
    assert answer[-1].get("playBeep") == "true"
    thanks = actions(post_event(client, recordingUrl="https://voice.example/rec/1.mp3"))
    assert [a.tag for a in thanks] == ["Say"]
    call = Call.objects.get()
    assert call.recording_url == "https://voice.example/rec/1.mp3" and call.voicemail_status == "pending"
    post_event(client, active="0")
    assert Call.objects.get().outcome == Outcome.VOICEMAIL


def test_a_long_wait_offers_a_callback_that_keeps_the_callers_place(client, number, open_hours, at_agent):
    from bawaba.voice.agents import do_set_agent_state

    number.callback_threshold_seconds = 120
    number.save()
    do_set_agent_state(at_agent, "paused", reason="break", contact="sip:amina@example.test")
    for index in range(2):  # two callers already waiting
        session = f"ahead-{index}"
        post_event(client, session=session)
        post_event(client, session=session, dtmfDigits="1")
        post_event(client, session=session, dtmfDigits="1")
    post_event(client, session="me")
    post_event(client, session="me", dtmfDigits="1")
    offer = actions(post_event(client, session="me", dtmfDigits="1"))
    assert [a.tag for a in offer] == ["GetDigits"]
    assert "1" in offer[0][0].text
    confirmed = actions(post_event(client, session="me", dtmfDigits="1"))
    assert [a.tag for a in confirmed] == ["Say"]
    post_event(client, session="me", active="0")
    call = Call.objects.get(session_id="me")
    assert call.state == CallState.QUEUED and call.callback_requested_at and call.outcome == ""
    assert AgentState.objects.get(user=at_agent).state == "paused"


def test_wrong_number_format_in_the_url_path_is_not_a_500(client, number):
    assert client.post(f"/voice/callbacks/africastalking/{SECRET}/", {"sessionId": "\x00", "isActive": "1",
                                                                     "destinationNumber": NUMBER}).status_code < 500


@pytest.mark.parametrize("withheld", ["", "anonymous", "private"])
def test_a_withheld_number_is_never_offered_a_callback_and_waits_in_line(client, number, open_hours, at_agent,
                                                                        withheld):
    from bawaba.voice.agents import do_set_agent_state

    number.callback_threshold_seconds = 0  # any wait would offer a callback to a number we can call
    number.save()
    do_set_agent_state(at_agent, "paused", reason="break", contact="sip:amina@example.test")
    post_event(client, session="ahead")
    post_event(client, session="ahead", dtmfDigits="1")
    assert [a.tag for a in actions(post_event(client, session="ahead", dtmfDigits="1"))] == ["GetDigits"]
    post_event(client, session="hidden", caller=withheld)
    post_event(client, session="hidden", caller=withheld, dtmfDigits="1")
    answer = actions(post_event(client, session="hidden", caller=withheld, dtmfDigits="1"))
    assert [a.tag for a in answer] == ["Say", "Enqueue"]
    call = Call.objects.get(session_id="hidden")
    assert call.state == CallState.QUEUED and call.callback_requested_at is None
    assert "callback_offered" not in [e.kind for e in call.events.all()]
