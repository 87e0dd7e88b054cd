"""The live queue's scope key (the desk's ETag and shared-rendering key) moves whenever what a list shows
may have changed, and only then; people who see the same list share one key."""

import datetime as dt
from zoneinfo import ZoneInfo

from bawaba.orgs.models import Service
from bawaba.orgs.services import do_add_staff
from bawaba.servicedesk import services
from bawaba.servicedesk.models import QueueVersion
from bawaba.servicedesk.selectors import queue_scope

ALGIERS = ZoneInfo("Africa/Algiers")
MONDAY_9AM = dt.datetime(2026, 11, 23, 9, 0, tzinfo=ALGIERS)


def key(user) -> str:
    return queue_scope(user).key


def faults_only_agent(orgs, username="at.faults"):
    return do_add_staff(orgs["algerie-telecom"], {"username": username, "role": "agent", "queues": ["faults"]})


def test_transfer_away_changes_the_senders_and_the_receivers_keys(make_request, at_agent, poste_agent):
    older = make_request(now=MONDAY_9AM)
    make_request(now=MONDAY_9AM + dt.timedelta(hours=1))  # the latest change stays with AT
    poste = Service.objects.get(code="algerie-poste/financial")
    at_before, poste_before = key(at_agent), key(poste_agent)

    services.do_transfer(older, poste, actor=at_agent, reason="CCP", now=MONDAY_9AM + dt.timedelta(hours=2))
    at_after = key(at_agent)
    assert at_after != at_before
    assert key(poste_agent) != poste_before

    # Back to AT, then away again: each transfer away moves the key.
    billing = Service.objects.get(code="algerie-telecom/billing")
    services.do_transfer(older, billing, actor=poste_agent, reason="Facture", now=MONDAY_9AM + dt.timedelta(hours=3))
    at_back = key(at_agent)
    services.do_transfer(older, poste, actor=at_agent, reason="CCP", now=MONDAY_9AM + dt.timedelta(hours=4))
    assert key(at_agent) not in (at_before, at_after, at_back)


def test_key_is_stable_while_nothing_changes(make_request, at_agent):
    make_request(now=MONDAY_9AM)
    assert key(at_agent) == key(at_agent)


def test_every_change_to_a_request_moves_its_queues_version(make_request, at_agent, at_supervisor):
    req = make_request(now=MONDAY_9AM)
    versions = [QueueVersion.objects.get(queue_id=req.queue_id).version]

    def changed():
        versions.append(QueueVersion.objects.get(queue_id=req.queue_id).version)
        return versions[-1] > versions[-2]

    services.do_assign(req, at_agent, actor=at_agent)
    assert changed()
    services.do_add_note(req, "Vu avec le technicien.", actor=at_agent)
    assert changed()
    services.do_reply(req, "Nous regardons.", actor=at_agent)
    assert changed()
    services.do_change_priority(req, "high", actor=at_supervisor)
    assert changed()
    services.do_transition(req, "resolved", actor=at_agent)
    assert changed()


def test_a_change_in_one_queue_leaves_other_queues_lists_alone(orgs, make_request, at_agent):
    faults_agent = faults_only_agent(orgs)
    make_request("algerie-telecom/faults")
    faults_before, all_before = key(faults_agent), key(at_agent)

    make_request("algerie-telecom/billing")

    assert key(faults_agent) == faults_before  # billing is not one of their queues: no new rendering
    assert key(at_agent) != all_before


def test_agents_with_the_same_queues_share_a_key_and_other_organisations_do_not(orgs, make_request, at_agent,
                                                                                   poste_agent):
    colleague = do_add_staff(orgs["algerie-telecom"], {
        "username": "at.colleague", "role": "agent", "queues": ["faults", "billing", "subscriptions"]})
    make_request()
    assert key(colleague) == key(at_agent)
    assert key(poste_agent) != key(at_agent)
    assert not key(at_agent).startswith("user")


def test_an_assignment_outside_the_agents_queues_gives_them_a_list_of_their_own(orgs, make_request,
                                                                                 at_supervisor):
    first, second = faults_only_agent(orgs, "at.faults1"), faults_only_agent(orgs, "at.faults2")
    billing = make_request("algerie-telecom/billing")
    assert key(first) == key(second)

    services.do_assign(billing, first, actor=at_supervisor)
    assert key(first) != key(second)
    assert key(first).startswith(f"user{first.pk}:")
    assert billing.queue_id not in queue_scope(first).queue_ids  # listed, but not a queue to filter on

    # Taken back: the shared list again, with the queues' current versions.
    services.do_assign(billing, None, actor=at_supervisor)
    assert key(first) == key(second)


def test_joining_a_queue_changes_the_agents_key(orgs, make_request):
    agent = faults_only_agent(orgs)
    make_request("algerie-telecom/billing")
    before = key(agent)
    orgs["algerie-telecom"].queues.get(slug="billing").members.add(agent)
    assert key(agent) != before


def test_merge_moves_both_queues(make_request, at_agent):
    faults = make_request("algerie-telecom/faults")
    billing = make_request("algerie-telecom/billing")
    before = {q: QueueVersion.objects.get(queue_id=q).version for q in (faults.queue_id, billing.queue_id)}
    services.do_merge(billing, faults, actor=at_agent)
    after = {q: QueueVersion.objects.get(queue_id=q).version for q in before}
    assert all(after[q] > before[q] for q in before)


def test_sla_escalation_moves_the_key(make_request, at_agent):
    make_request(now=MONDAY_9AM)
    before = key(at_agent)
    assert services.escalate_breaches(now=MONDAY_9AM + dt.timedelta(days=30)) == 1
    assert key(at_agent) != before


def test_supervisors_and_platform_admins_keys_cover_their_whole_scope(orgs, make_request, at_supervisor,
                                                                      platform_admin):
    make_request("algerie-poste/mail")
    supervisor, admin = key(at_supervisor), key(platform_admin)
    assert supervisor.startswith(f"org{at_supervisor.organisation_id}:")
    make_request("algerie-poste/mail")
    assert key(at_supervisor) == supervisor  # another organisation's queue
    assert key(platform_admin) != admin
    make_request("algerie-telecom/subscriptions")
    assert key(at_supervisor) != supervisor
