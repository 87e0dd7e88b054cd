"""The live queue's fingerprint (ETag) changes whenever what the queue shows may have changed."""

import datetime as dt
from zoneinfo import ZoneInfo

from bawaba.orgs.models import Service
from bawaba.servicedesk import services
from bawaba.servicedesk.selectors import queue_version

ALGIERS = ZoneInfo("Africa/Algiers")
MONDAY_9AM = dt.datetime(2026, 11, 23, 9, 0, tzinfo=ALGIERS)


def test_transfer_away_changes_the_senders_queue_version(make_request, at_agent, poste_agent):
    older = make_request(now=MONDAY_9AM)
    make_request(now=MONDAY_9AM + dt.timedelta(hours=1))  # the latest change stays with AT
    poste = Service.objects.get(code="algerie-poste/financial")
    at_before, poste_before = queue_version(at_agent), queue_version(poste_agent)

    services.do_transfer(older, poste, actor=at_agent, reason="CCP", now=MONDAY_9AM + dt.timedelta(hours=2))
    at_after = queue_version(at_agent)
    assert at_after != at_before
    assert queue_version(poste_agent) != poste_before

    # Back to AT, then away again: each transfer away moves the fingerprint.
    billing = Service.objects.get(code="algerie-telecom/billing")
    services.do_transfer(older, billing, actor=poste_agent, reason="Facture",
                         now=MONDAY_9AM + dt.timedelta(hours=3))
    at_back = queue_version(at_agent)
    services.do_transfer(older, poste, actor=at_agent, reason="CCP", now=MONDAY_9AM + dt.timedelta(hours=4))
    assert queue_version(at_agent) not in (at_before, at_after, at_back)


def test_queue_version_is_stable_while_nothing_changes(make_request, at_agent):
    make_request(now=MONDAY_9AM)
    assert queue_version(at_agent) == queue_version(at_agent)
