import datetime as dt
import io
import random
import re

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.core.phones import to_e164
from bawaba.demo import replies
from bawaba.demo.loader import LANGUAGE_BANKS, Geography, build_specs, split_agents
from bawaba.demo.slots import fixed_number, make_slots, mobile_number
from bawaba.orgs.models import Organisation, Service
from bawaba.servicedesk.models import OPEN_STATUSES, EventKind, MessageKind, Request, RequestEvent, Status

BANKS = LANGUAGE_BANKS  # fr, ar (standard and dialect), arq-Latn (Darija in Latin letters), en
SERVICES = ["algerie-telecom/faults", "algerie-telecom/billing", "algerie-telecom/subscriptions",
            "algerie-poste/mail", "algerie-poste/financial", "mobilis/network", "mobilis/customer-account", "other"]
ARABIC = re.compile("[\u0600-\u06ff]")
MORNING = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))  # Wednesday, Algiers


def sample_slots(language):
    return make_slots(random.Random(1), language, place="Bab Ezzouar", wilaya_code="16",
                      created_at=dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC))


@pytest.mark.parametrize("language", list(BANKS))
def test_each_service_has_at_least_15_distinct_hand_written_texts_per_language(language):
    bank = BANKS[language]
    assert set(bank.TEXTS) == set(SERVICES)
    slots = sample_slots(language)
    for service, texts in bank.TEXTS.items():
        assert len({text for _subject, text in texts}) >= 15, service
        for subject, text in texts:
            filled = (subject + text).format_map(slots)
            assert "{" not in filled and "}" not in filled
            # Arabic-script texts are in Arabic script; the others are not.
            assert bool(ARABIC.search(text)) == (language == "ar"), text
    for first, final, subject, text in bank.CROSS:
        assert first in SERVICES and final in SERVICES and first != final
        (subject + text).format_map(slots)


def test_demo_texts_are_not_copied_from_the_routing_corpus():
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[2] / "routing" / "data" / "corpus.jsonl"
    if not corpus.exists():
        pytest.skip("no routing corpus yet")
    corpus_text = corpus.read_text(encoding="utf-8")
    for bank in BANKS.values():
        for texts in bank.TEXTS.values():
            for _subject, text in texts:
                fixed_part = max(re.split(r"\{[a-z_]+\}", text), key=len).strip()
                assert len(fixed_part) < 25 or fixed_part not in corpus_text, fixed_part


def test_replies_and_notes_fill_without_missing_details():
    slots = sample_slots("fr")
    for bank in (replies.PROGRESS, replies.RESOLVED):
        assert set(bank) == set(SERVICES)
        for by_language in bank.values():
            assert set(by_language) == {"fr", "ar", "en"}
            for texts in by_language.values():
                for text in texts:
                    assert "{" not in text.format_map(slots)
    for texts in replies.NOTES.values():
        for text in texts:
            text.format_map(slots)
    assert set(replies.CITIZEN_FOLLOW_UP) == set(BANKS) == set(replies.CITIZEN_REOPEN)


def test_generated_phone_numbers_are_valid_algerian_numbers():
    rng = random.Random(3)
    for _ in range(300):
        assert to_e164(mobile_number(rng)).startswith(("+2135", "+2136", "+2137"))
        assert to_e164(fixed_number(rng, rng.choice(["16", "31", "25", "19", "09", None])))


def test_agents_are_split_200_160_100_20_and_every_organisation_gets_one():
    assert split_agents(480) == {"at": 200, "poste": 160, "mobilis": 100, "centre": 20}
    small = split_agents(12)
    assert sum(small.values()) == 12 and min(small.values()) >= 1
    with pytest.raises(ValueError):
        split_agents(3)


def test_too_few_agents_is_a_clear_command_error(db):
    with pytest.raises(CommandError, match="at least 4 agents"):
        call_command("demo", "load", "--agents", "2", stdout=io.StringIO())


def test_same_seed_same_requests(orgs):
    now = timezone.now()
    geography = Geography()
    first = build_specs(random.Random(7), 40, now, geography)
    second = build_specs(random.Random(7), 40, now, geography)
    assert [(s.subject, s.text, s.channel, s.citizen.phone) for s in first] == [
        (s.subject, s.text, s.channel, s.citizen.phone) for s in second]
    other = build_specs(random.Random(8), 40, now, geography)
    assert [s.text for s in other] != [s.text for s in first]


# The tests of the service centre's demo leave out the fibre, postal and hybrid-mail demos, which they do not
# look at (the whole demo is loaded by the first and last tests here and by each module's own demo tests): on
# PostgreSQL the whole load cost 15-24 s per test.
DESK_ONLY = ("--fibre-orders", "0", "--postal-items", "0")


@pytest.fixture
def working_morning():
    """The simulation plays what agents did until "now", so the mix of statuses depends on the moment: tests
    that look at it run on a fixed working morning (a Wednesday, 10:30 in Algiers)."""
    with time_machine.travel(MORNING, tick=True):
        yield MORNING


def test_demo_load_creates_organisations_staff_and_requests_with_history(db, working_morning):
    out = io.StringIO()
    call_command("demo", "load", "--requests", "90", "--agents", "12", "--now", MORNING.isoformat(), stdout=out)

    assert set(Organisation.objects.values_list("slug", flat=True)) >= {
        "centre", "algerie-telecom", "algerie-poste", "mobilis"}
    admin = User.objects.get(username="platform.admin")
    assert admin.role_codes == {"platform_admin"} and admin.is_staff and not admin.is_superuser
    assert admin.check_password("bawaba-demo")
    for short, slug in (("at", "algerie-telecom"), ("poste", "algerie-poste"), ("mobilis", "mobilis")):
        org_admin = User.objects.get(username=f"{short}.admin")
        assert (org_admin.role_codes, org_admin.organisation.slug, org_admin.is_staff) == (
            {"org_admin", "desk.supervisor"}, slug, True)
        supervisor = User.objects.get(username=f"{short}.supervisor")
        assert "desk.supervisor" in supervisor.role_codes and not supervisor.is_staff
        agent = User.objects.get(username=f"{short}.agent1")
        assert agent.role_codes == {"desk.agent"} and agent.first_name and agent.last_name and not agent.is_staff
        assert set(agent.queues.all()) == set(agent.organisation.queues.all())
    centre_agent = User.objects.get(username="centre.agent1")
    assert list(centre_agent.queues.values_list("slug", flat=True)) == ["orientation"]
    assert User.objects.filter(grants__role="desk.agent").count() == 12
    assert User.objects.get(username="at.agent5").check_password("bawaba-demo")

    requests = desk_requests()
    assert requests.count() == 90
    assert set(requests.values_list("language", flat=True)) == {"fr", "ar", "arq-Latn", "en"}
    statuses = set(requests.values_list("status", flat=True))
    assert len(statuses) >= 3
    assert statuses & {Status.RESOLVED, Status.CLOSED}
    # Every request has its history from creation and routing on; most have agents' work after it.
    for request in requests:
        kinds = list(request.events.values_list("kind", flat=True))
        assert kinds[:2] == [EventKind.CREATED, EventKind.ROUTED]
        if request.status in (Status.RESOLVED, Status.CLOSED) and not request.merged_into_id:
            assert request.messages.filter(kind=MessageKind.PUBLIC_REPLY).exists()
            assert request.resolved_at or request.closed_at
        assert MORNING - dt.timedelta(days=61) < request.created_at <= MORNING
        to_e164(request.citizen_phone)
    assert RequestEvent.objects.filter(kind=EventKind.ASSIGNED).exists()
    assert set(Service.objects.filter(requests__isnull=False).values_list("code", flat=True)) >= set(SERVICES)
    assert "90 requests" in out.getvalue()

    again = io.StringIO()
    call_command("demo", "load", "--requests", "90", "--agents", "12", "--if-empty", stdout=again)
    assert desk_requests().count() == 90
    assert User.objects.filter(grants__role="desk.agent").count() == 12
    assert "already exist" in again.getvalue()


def test_routing_decides_and_agents_transfer_what_it_sent_to_orientation(db, monkeypatch):
    from bawaba.orgs.services import orientation_service
    from bawaba.routing import services as routing

    def everything_to_orientation(*, subject, text, channel, category=""):
        return routing.Decision(orientation_service(), "orientation", 0.2, "other")

    monkeypatch.setattr(routing, "route", everything_to_orientation)
    call_command("demo", "load", "--requests", "30", "--agents", "8", *DESK_ONLY, stdout=io.StringIO())
    requests = desk_requests()
    assert set(requests.values_list("routing_method", flat=True)) == {"orientation"}
    transferred = RequestEvent.objects.filter(kind=EventKind.TRANSFERRED)
    assert transferred.count() >= 20
    # Centre agents passed them on to the operators, across organisations.
    assert transferred.filter(data__across_organisations=True, actor__organisation__slug="centre").exists()
    assert requests.exclude(organisation__slug="centre").count() >= 20


def desk_requests():
    """The service centre demo's own requests (the fibre demo adds a line-down request sent to maintenance, the
    telephony demo the night's voicemails)."""
    return Request.objects.filter(fibre_maintenance=None, calls=None)


def test_demo_load_works_without_the_classifier(db, monkeypatch):
    from bawaba.routing import services as routing

    def broken(**kwargs):
        raise ModuleNotFoundError("No module named 'bawaba.routing.classifier'")

    monkeypatch.setattr(routing, "route", broken)
    out = io.StringIO()
    call_command("demo", "load", "--requests", "12", "--agents", "4", *DESK_ONLY, stdout=out)
    assert desk_requests().count() == 12
    assert set(desk_requests().values_list("routing_method", flat=True)) == {"manual"}
    assert "not available" in out.getvalue()


def test_platform_admin_and_org_admin_can_use_the_admin(db, client):
    call_command("demo", "load", "--requests", "4", "--agents", "4", *DESK_ONLY, stdout=io.StringIO())
    client.login(username="platform.admin", password="bawaba-demo")
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/orgs/organisation/")
    assert page.status_code == 200
    assert "Mobilis" in page.content.decode() and "Algérie Poste" in page.content.decode()
    client.logout()
    client.login(username="at.admin", password="bawaba-demo")
    page = client.get("/admin/orgs/organisation/")
    assert page.status_code == 200
    assert "Algérie Télécom" in page.content.decode() and "Mobilis" not in page.content.decode()


def test_open_requests_are_recent_and_old_ones_mostly_finished(db, working_morning):
    call_command("demo", "load", "--requests", "80", "--agents", "8", *DESK_ONLY, stdout=io.StringIO())
    week_ago = working_morning - dt.timedelta(days=14)
    old = Request.objects.filter(created_at__lt=week_ago)
    assert old.exclude(status__in=OPEN_STATUSES).count() >= 0.8 * old.count()


def test_demo_logins_lists_the_short_list_and_addresses():
    out = io.StringIO()
    call_command("demo", "logins", stdout=out)
    text = out.getvalue()
    for username in ("platform.admin", "at.admin", "at.supervisor", "at.agent1", "poste.admin", "poste.agent1",
                     "mobilis.supervisor", "mobilis.agent1", "centre.agent1"):
        assert re.search(rf"^{re.escape(username)}\s", text, re.MULTILINE), username
    assert "bawaba-demo" in text
    for url in ("http://127.0.0.1:8000/", "/desk/", "/admin/", "/api/v1/docs"):
        assert url in text


def test_demo_logins_cover_every_declared_role_with_something_to_try():
    from bawaba.core import modules
    from bawaba.demo.loader import demo_logins

    rows = demo_logins()
    assert {code for row in rows for code in row["roles"]} == set(modules.roles())
    assert all(row["try"] and row["organisation"] for row in rows)
    usernames = [row["username"] for row in rows]
    assert len(usernames) == len(set(usernames))
    assert {"at.inspector", "at.billing", "fibre.contractor1", "fibre.contractor2", "fibre.tech1",
            "fibre.tech2"} <= set(usernames)


def test_the_demos_history_sends_nothing_to_citizens(db, working_morning):
    from bawaba.notifications.models import OutboundMessage, State

    call_command("demo", "load", "--requests", "30", "--agents", "8", "--now", MORNING.isoformat(),
                 stdout=io.StringIO())
    history = OutboundMessage.objects.all()
    assert history.exists()  # replies and resolutions of the simulated past are in the outbox...
    assert not history.filter(state=State.QUEUED).exists()  # ...recorded as sent then, not waiting to go
    assert all(message.sent_at == message.created_at for message in history)
