import copy
import datetime as dt
import hashlib
import json

from django.utils import timezone

from bawaba.evidence import services

LETTER = hashlib.sha256(b"%PDF-1.7 a letter").hexdigest()
FLOW = ["SubmissionAcceptance", "ContentConsignment", "ConsignmentNotification", "ContentAccessTracking",
        "ContentHandover"]


def record_flow(subject: str, events=FLOW, *, start=None):
    start = start or timezone.now() - dt.timedelta(seconds=30)
    return [services.record_evidence(event, subject=subject, actor=("user:7", "sender"), content_hash=LETTER,
                                     payload={"step": index, "note": "رسالة مسجلة"},
                                     at=start + dt.timedelta(seconds=index))
            for index, event in enumerate(events)]


def bundle(subject: str) -> dict:
    return json.loads(services.proof_for(subject, format="json"))


def tampered(original: dict, change) -> dict:
    copy_ = copy.deepcopy(original)
    change(copy_)
    return copy_


def codes(report) -> set[str]:
    return {failure.code for failure in report.failures}
