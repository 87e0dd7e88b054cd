"""Telephony jobs: ringing an agent (the provider's call API), storing a voicemail, the minute's sweep."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

log = logging.getLogger(__name__)


@db_task()
def ring_agent(call_id: int, leg: str):
    from .services import do_ring_agent

    return do_ring_agent(call_id, leg)


@db_task(retries=3, retry_delay=30)
def store_voicemail(call_id: int):
    from .models import Call
    from .recordings import RecordingRefused, fetch_recording
    from .services import do_store_voicemail

    call = Call.objects.filter(pk=call_id).first()
    if call is None or call.request_id:
        return None
    try:
        fetched = fetch_recording(call.recording_url)
    except RecordingRefused as exc:
        log.warning("voicemail recording of call %s refused: %s", call_id, exc)
        fetched = None  # the request is still created, naming the recording's address
    return do_store_voicemail(call_id, fetched).request_id


@db_periodic_task(crontab(minute="*"))
def sweep_calls():
    from .services import sweep

    return sweep()
