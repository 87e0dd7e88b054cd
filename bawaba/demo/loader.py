"""`bawaba demo load`: the demo organisations, their staff, the knowledge base and a few thousand
citizens' requests with a believable history, all written through the real service functions.

Requests are generated from hand-written phrase banks (texts_*.py, replies.py) in four language forms
and replayed as a discrete-event simulation over the last 60 days: every creation, assignment, reply,
note, transfer, merge and status change happens at its own simulated instant (agents act in business
hours, citizens at any time), and the SLA sweep runs every 30 simulated minutes, so escalations land
where the real sweep would have put them. Steps that would fall after `now` are not played: recent
requests are still open, old ones mostly resolved or closed.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import json
import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.core.business_time import add_business_minutes
from bawaba.geo.models import Commune, Region
from bawaba.orgs.models import DEFAULT_SLA, Organisation, Priority, Service
from bawaba.orgs.services import calendar_for, do_add_staff, do_onboard_organisation, sla_targets
from bawaba.servicedesk.models import Request, Status
from bawaba.servicedesk.services import (
    TransitionNotAllowed,
    do_add_note,
    do_assign,
    do_citizen_message,
    do_create_request,
    do_merge,
    do_reply,
    do_transfer,
    do_transition,
    escalate_breaches,
    next_breach_at,
)

from . import people, replies, texts_ar, texts_arq, texts_en, texts_fr
from .slots import fill, fixed_number, make_slots, mobile_number, spaced

log = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).parent
ORGANISATIONS_FILE = DEMO_DIR / "organisations.json"
PASSWORD = "bawaba-demo"  # noqa: S105 - the published demo password
DAYS = 60
SWEEP_EVERY = dt.timedelta(minutes=30)
ALGIERS = ZoneInfo("Africa/Algiers")

# short name, organisation slug, share of the agents (480 -> 200 / 160 / 100 / 20)
AGENT_SHARES = [("at", "algerie-telecom", 200), ("poste", "algerie-poste", 160), ("mobilis", "mobilis", 100),
                ("centre", "centre", 20)]
OPERATORS = [(short, slug) for short, slug, _ in AGENT_SHARES if short != "centre"]

LANGUAGE_BANKS = {"fr": texts_fr, "ar": texts_ar, "arq-Latn": texts_arq, "en": texts_en}
LANGUAGE_WEIGHTS = {"fr": 40, "ar": 32, "arq-Latn": 20, "en": 8}
SERVICE_WEIGHTS = {
    "algerie-telecom/faults": 22, "algerie-telecom/billing": 11, "algerie-telecom/subscriptions": 11,
    "algerie-poste/mail": 11, "algerie-poste/financial": 16, "mobilis/network": 10,
    "mobilis/customer-account": 11, "other": 6,
}
CROSS_SHARE = 0.04
DUPLICATE_SHARE = 0.03
RETURNING_CITIZEN_SHARE = 0.22
CHANNEL_WEIGHTS = {"phone": 34, "web": 30, "counter": 12, "email": 9, "sms": 9, "ussd": 6}
PRIORITY_WEIGHTS = {Priority.LOW: 10, Priority.NORMAL: 65, Priority.HIGH: 20, Priority.URGENT: 5}
PROFILE_WEIGHTS = {"quick": 62, "waiting": 16, "long": 9, "reopen": 5, "neglected": 8}
# How long each service takes to resolve, as a share of the resolution target.
DIFFICULTY = {
    "algerie-telecom/faults": 0.6, "algerie-telecom/billing": 0.7, "algerie-telecom/subscriptions": 0.9,
    "algerie-poste/mail": 0.8, "algerie-poste/financial": 0.7, "mobilis/network": 0.8,
    "mobilis/customer-account": 0.4, "other": 0.05,
}
DAY = 510  # business minutes in a day (08:00-16:30)


def split_agents(total: int) -> dict[str, int]:
    """Agents per short name in the 200/160/100/20 proportions, at least one each (largest remainder)."""
    if total < len(AGENT_SHARES):
        raise ValueError(f"at least {len(AGENT_SHARES)} agents are needed (one per organisation)")
    weight_sum = sum(weight for *_, weight in AGENT_SHARES)
    exact = {short: total * weight / weight_sum for short, _, weight in AGENT_SHARES}
    counts = {short: max(1, int(value)) for short, value in exact.items()}
    by_remainder = sorted(exact, key=lambda s: exact[s] - int(exact[s]), reverse=True)
    for short in itertools.cycle(by_remainder):
        difference = total - sum(counts.values())
        if difference == 0:
            break
        if difference > 0:
            counts[short] += 1
        elif counts[short] > 1:
            counts[short] -= 1
    return counts


# The roles of the demo's service-centre staff (bawaba.core.modules role codes). Algérie Télécom runs the fibre
# programme, so its supervisor also follows the fibre progress.
STAFF_ROLES = {
    "platform.admin": ["platform_admin"],
    "admin": ["org_admin", "desk.supervisor"],
    "supervisor": ["desk.supervisor"],
    "at.supervisor": ["desk.supervisor", "fibre.viewer"],
    "centre.supervisor": ["desk.supervisor", "voice.supervisor"],  # the shared centre answers the phones
    "agent": ["desk.agent"],
}


def staff_roles(username: str) -> list[str]:
    kind = username.split(".", 1)[1].rstrip("0123456789")
    return list(STAFF_ROLES.get(username) or STAFF_ROLES[kind])


def demo_logins(agents_per_org: dict[str, int] | None = None) -> list[dict]:
    """Every demo role, one login each, with what to try as that person (`bawaba demo logins`). The fibre
    people are created by the fibre demo data."""
    rows = [{"username": "platform.admin", "organisation": "centre",
             "try": "Administration: onboard an organisation, every organisation's staff and roles."}]
    for short, slug in OPERATORS:
        rows += [
            {"username": f"{short}.admin", "organisation": slug,
             "try": "Administration > Staff: add a person, grant roles (only your organisation's)."},
            {"username": f"{short}.supervisor", "organisation": slug,
             "try": "Lands on the dashboard: overdue requests; assign or transfer a request"
                    + ("; Fibre > Progress." if short == "at" else ".")},
            {"username": f"{short}.agent1", "organisation": slug,
             "try": "Lands on the queue: take a request, reply to the citizen, resolve it."},
        ]
    rows += [
        {"username": "centre.supervisor", "organisation": "centre",
         "try": "Dashboard of the shared centre: requests routing could not place; Telephony: the wallboard and "
                "the staffing forecast (Erlang C)."},
        {"username": "centre.agent1", "organisation": "centre",
         "try": "Orientation queue: transfer a request to the competent operator."},
    ]
    for row in rows:
        row["roles"] = staff_roles(row["username"])
    rows += [
        {"username": "at.inspector", "roles": ["fibre.inspector"], "organisation": "algerie-telecom",
         "try": "Lands on the inspection queue: accept or reject doubtful work with its photos."},
        {"username": "at.billing", "roles": ["fibre.billing"], "organisation": "algerie-telecom",
         "try": "Lands on the statements: issue the month's statements, record a payment."},
        {"username": "fibre.contractor1", "roles": ["fibre.contractor_manager"], "organisation": "fibre-co-1",
         "try": "Lands on the work orders: report work, read the statements and payments."},
        {"username": "fibre.contractor2", "roles": ["fibre.contractor_manager"], "organisation": "fibre-co-2",
         "try": "Another contractor: the first one's orders and statements answer 404."},
        {"username": "fibre.tech1", "roles": ["fibre.technician"], "organisation": "fibre-co-1",
         "try": "Lands on the work orders: report work with photos, from a phone; no statements, no admin."},
        {"username": "fibre.tech2", "roles": ["fibre.technician"], "organisation": "fibre-co-2",
         "try": "A technician of the second contractor: sees only that contractor's orders."},
    ]
    from bawaba.hybridmail.demo import demo_logins as hybridmail_logins  # mail-print
    from bawaba.lifeproof.demo import demo_logins as lifeproof_logins  # created by `bawaba lifeproof demo`
    from bawaba.postal.demo import demo_logins as postal_logins

    return rows + postal_logins() + lifeproof_logins() + hybridmail_logins()


# --------------------------------------------------------------------------------------------------------------
# Organisations, staff, knowledge base


def onboard_organisations() -> dict[str, Organisation]:
    specs = json.loads(ORGANISATIONS_FILE.read_text(encoding="utf-8"))
    return {spec["slug"]: do_onboard_organisation(spec) for spec in specs}


def _person(rng: random.Random) -> tuple[str, str]:
    first = rng.choice(people.FIRST_NAMES_MALE if rng.random() < 0.5 else people.FIRST_NAMES_FEMALE)[0]
    return first, rng.choice(people.LAST_NAMES)[0]


def create_staff(orgs: dict[str, Organisation], agents: int, rng: random.Random) -> dict[str, int]:
    """Every demo login, all with the password `bawaba-demo` (hashed once, reused: hashing is slow)."""
    password_hash = make_password(PASSWORD)
    counts = split_agents(agents)

    def add(org, username, queues=None):
        first, last = _person(rng)
        person = {"username": username, "roles": staff_roles(username), "first_name": first, "last_name": last,
                  "password_hash": password_hash}
        if queues is not None:
            person["queues"] = queues
        return do_add_staff(org, person)

    centre = orgs["centre"]
    add(centre, "platform.admin")
    centre_queues = list(centre.queues.values_list("slug", flat=True))
    add(centre, "centre.supervisor", centre_queues)
    for short, slug in OPERATORS:
        org = orgs[slug]
        queues = list(org.queues.values_list("slug", flat=True))
        add(org, f"{short}.admin")
        add(org, f"{short}.supervisor", queues)
    for short, slug, _weight in AGENT_SHARES:
        org = orgs[slug]
        queues = list(org.queues.values_list("slug", flat=True))
        for number in range(1, counts[short] + 1):
            add(org, f"{short}.agent{number}", queues)
    return counts


def load_knowledge(stdout=None) -> int | None:
    try:
        from bawaba.knowledge.demo import load_demo_articles
    except ImportError as exc:
        message = f"warning: knowledge base demo not available ({exc}); skipped"
        stdout.write(message) if stdout is not None else log.warning(message)
        return None
    return load_demo_articles()


# --------------------------------------------------------------------------------------------------------------
# Request specifications (pure: only the random generator and reference data)


@dataclass
class Citizen:
    name_latin: str
    name_arabic: str
    phone: str
    email: str


@dataclass
class Spec:
    index: int
    created_at: dt.datetime
    language: str
    first_code: str  # where the text points (routing should send it there)
    final_code: str  # the competent service (differs for the cross-organisation cases)
    subject: str
    text: str
    channel: str
    priority: str
    citizen: Citizen
    region: Region | None
    commune: Commune | None
    category: str
    slots: dict
    duplicate_of: int | None = None


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class Geography:
    def __init__(self):
        self.regions = list(Region.objects.filter(country="DZ"))
        self.weights = [people.WILAYA_WEIGHTS.get(r.code, people.DEFAULT_WILAYA_WEIGHT) for r in self.regions]
        self.communes: dict[int, list[Commune]] = {}
        for commune in Commune.objects.filter(region__country="DZ").order_by("region_id", "name_fr", "pk"):
            self.communes.setdefault(commune.region_id, []).append(commune)

    def pick(self, rng: random.Random) -> tuple[Region | None, Commune | None]:
        if not self.regions or rng.random() < 0.04:
            return None, None
        region = rng.choices(self.regions, weights=self.weights)[0]
        communes = self.communes.get(region.id, [])
        if not communes or rng.random() < 0.05:
            return region, None
        seat = [c for c in communes if c.name_fr == region.name_fr]
        if seat and rng.random() < 0.45:  # the wilaya seat is the largest town
            return region, seat[0]
        return region, rng.choice(communes)


def _created_at(rng: random.Random, now: dt.datetime, channel: str) -> dt.datetime:
    local_now = now.astimezone(ALGIERS)
    while True:
        day = (local_now - dt.timedelta(days=rng.random() * DAYS)).date()
        weekend = day.weekday() in (4, 5)  # Friday, Saturday
        if channel in ("phone", "counter"):
            if weekend and rng.random() > 0.08:
                continue
            hours = rng.triangular(8, 16.5, 10)
        else:
            if weekend and rng.random() > 0.55:
                continue
            hours = rng.triangular(7, 24, 12) if rng.random() < 0.85 else rng.uniform(0, 24)
        moment = dt.datetime.combine(day, dt.time(0), ALGIERS) + dt.timedelta(hours=hours)
        if now - dt.timedelta(days=DAYS) < moment < now - dt.timedelta(minutes=2):
            return moment.astimezone(dt.UTC)


def _new_citizen(rng: random.Random, region: Region | None) -> Citizen:
    male = rng.random() < 0.55
    first = rng.choice(people.FIRST_NAMES_MALE if male else people.FIRST_NAMES_FEMALE)
    last = rng.choice(people.LAST_NAMES)
    landline = rng.random() < 0.15
    number = fixed_number(rng, region.code if region else None) if landline else mobile_number(rng)
    style = rng.random()  # as people type them
    if style < 0.45:
        phone = spaced(number)
    elif style < 0.8:
        phone = number
    else:
        phone = "+213 " + spaced(number)[1:]
    local = f"{first[0].split()[0].lower()}.{last[0].replace(' ', '').lower()}{rng.randint(1, 99)}"
    return Citizen(f"{first[0]} {last[0]}", f"{first[1]} {last[1]}", phone,
                   f"{local}@{rng.choice(people.EMAIL_DOMAINS)}")


def _ensure_each(rng: random.Random, values: list, required: list) -> None:
    """Every required value appears at least once (small demos must still show every language/service)."""
    if len(values) < len(required):
        return
    positions = rng.sample(range(len(values)), len(required))
    for position, value in zip(positions, required, strict=True):
        values[position] = value


def build_specs(rng: random.Random, count: int, now: dt.datetime, geography: Geography) -> list[Spec]:
    languages = [_weighted(rng, LANGUAGE_WEIGHTS) for _ in range(count)]
    _ensure_each(rng, languages, list(LANGUAGE_BANKS))
    services = [_weighted(rng, SERVICE_WEIGHTS) for _ in range(count)]
    _ensure_each(rng, services, list(SERVICE_WEIGHTS))
    citizens: list[Citizen] = []
    specs: list[Spec] = []
    for index in range(count):
        language, bank = languages[index], LANGUAGE_BANKS[languages[index]]
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        region, commune = geography.pick(rng)
        created_at = _created_at(rng, now, channel)
        if rng.random() < CROSS_SHARE:
            first_code, final_code, subject, text = rng.choice(bank.CROSS)
        else:
            first_code = final_code = services[index]
            subject, text = rng.choice(bank.TEXTS[first_code])
        place_source = commune or region
        if place_source is not None:
            place = place_source.name_ar if language == "ar" and place_source.name_ar else place_source.name_fr
        else:
            place = {"ar": "حينا", "en": "my area", "fr": "mon quartier", "arq-Latn": "l7ouma"}[language]
        slots = make_slots(rng, language, place=place, wilaya_code=region.code if region else None,
                           created_at=created_at)
        if citizens and rng.random() < RETURNING_CITIZEN_SHARE:
            citizen = rng.choice(citizens)
        else:
            citizen = _new_citizen(rng, region)
            citizens.append(citizen)
        category = first_code if channel == "web" and rng.random() < 0.4 else ""
        specs.append(Spec(
            index=index, created_at=created_at, language=language, first_code=first_code, final_code=final_code,
            subject=fill(subject, slots), text=fill(text, slots), channel=channel,
            priority=_weighted(rng, PRIORITY_WEIGHTS), citizen=citizen, region=region, commune=commune,
            category=category, slots=slots,
        ))
    # A few citizens write again about the same thing (another channel, within two days): merged later.
    originals = rng.sample(specs, k=int(count * DUPLICATE_SHARE)) if count >= 20 else []
    replaced = set()
    for original in originals:
        candidates = [s for s in specs if s.index not in replaced and s.index != original.index
                      and s.duplicate_of is None and s not in originals]
        if not candidates:
            break
        duplicate = rng.choice(candidates)
        replaced.add(duplicate.index)
        later = original.created_at + dt.timedelta(minutes=rng.uniform(30, 2 * 1440))
        duplicate.created_at = min(later, now - dt.timedelta(minutes=1))
        for attribute in ("language", "first_code", "final_code", "subject", "text", "citizen", "region",
                          "commune", "slots", "priority"):
            setattr(duplicate, attribute, getattr(original, attribute))
        duplicate.channel = rng.choice([c for c in CHANNEL_WEIGHTS if c != original.channel])
        duplicate.category = ""
        duplicate.duplicate_of = original.index
    specs.sort(key=lambda s: s.created_at)
    return specs


# --------------------------------------------------------------------------------------------------------------
# The simulation


@dataclass
class Case:
    spec: Spec
    request: Request | None = None
    steps: list = field(default_factory=list)  # (kind, clock "agent"|"citizen", minutes, extra)


@dataclass
class Summary:
    organisations: int = 0
    agents: dict = field(default_factory=dict)
    articles: int | None = None
    requests: int = 0
    routing_available: bool = True
    routing_methods: Counter = field(default_factory=Counter)
    routed_as_written: int = 0
    statuses: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    escalated: int = 0
    skipped_load: bool = False
    request_ids: list = field(default_factory=list)


class Simulation:
    def __init__(self, rng: random.Random, now: dt.datetime, summary: Summary):
        self.rng, self.now, self.summary = rng, now, summary
        self.services = {s.code: s for s in Service.objects.select_related("organisation", "queue")}
        self.orientation = next(s for s in self.services.values() if s.is_orientation)
        self.users = {u.pk: u for u in User.objects.filter(is_active=True).exclude(organisation=None)
                      .prefetch_related("grants")}
        self.queue_agents: dict[int, list[User]] = {}
        for user in User.objects.filter(grants__role="desk.agent", is_active=True).prefetch_related("queues"):
            for queue in user.queues.all():
                self.queue_agents.setdefault(queue.id, []).append(self.users[user.pk])
        for members in self.queue_agents.values():
            members.sort(key=lambda u: u.pk)
        self.supervisors: dict[int, list[User]] = {}
        for user in sorted(self.users.values(), key=lambda u: u.pk):
            if user.has_role("desk.supervisor"):
                self.supervisors.setdefault(user.organisation_id, []).append(user)
        centre = self.orientation.organisation_id
        self.reception = self.queue_agents.get(self.orientation.queue_id) or self.supervisors.get(centre, [])
        self.calendars = {org.pk: calendar_for(org) for org in Organisation.objects.all()}
        self.changed_since_sweep, self.next_breach = True, None
        self.sla: dict[tuple[int, str], tuple[int, int]] = {}
        self.cases: dict[int, Case] = {}
        self.heap: list = []
        self.sequence = itertools.count()

    # --- scheduling
    def push(self, at: dt.datetime, kind: str, case: Case | None = None):
        if at <= self.now:
            heapq.heappush(self.heap, (at, next(self.sequence), kind, case))

    def schedule_next(self, case: Case, at: dt.datetime):
        if not case.steps:
            return
        _kind, clock, minutes, _extra = case.steps[0]
        if clock == "citizen":
            when = at + dt.timedelta(minutes=minutes)
        else:
            calendar = self.calendars[case.request.organisation_id]
            when = add_business_minutes(calendar, at, minutes)
        self.push(when, "step", case)

    def run(self, specs: list[Spec]):
        for spec in specs:
            case = Case(spec)
            self.cases[spec.index] = case
            self.push(spec.created_at, "create", case)
        if specs:
            sweep = specs[0].created_at.replace(minute=0, second=0, microsecond=0) + SWEEP_EVERY
            while sweep <= self.now:
                self.push(sweep, "sweep")
                sweep += SWEEP_EVERY
        while self.heap:
            at, _seq, kind, case = heapq.heappop(self.heap)
            if kind == "sweep":
                self.sweep(at)
            elif kind == "create":
                self.create(case, at)
                self.changed_since_sweep = True
                self.schedule_next(case, at)
            else:
                self.changed_since_sweep = True
                step = case.steps.pop(0)
                try:
                    self.perform(case, step, at)
                    self.summary.actions[step[0]] += 1
                except (TransitionNotAllowed, ValidationError, PermissionDenied) as exc:
                    # The request moved on in a way this step no longer fits (e.g. merged, transferred away).
                    self.summary.skipped[step[0]] += 1
                    log.debug("demo step %s skipped on %s: %s", step[0], case.request.reference, exc)
                self.schedule_next(case, at)
        self.summary.escalated += escalate_breaches(self.now)

    def sweep(self, at: dt.datetime):
        """The periodic SLA sweep at `at`, as the worker runs it every SWEEP_EVERY. It is skipped when nothing
        changed since the last one and no deadline has passed since: it would find nothing (the history is
        the same; a small demo spread over 61 days spent half its time in 2,900 empty sweeps)."""
        if not self.changed_since_sweep and (self.next_breach is None or at <= self.next_breach):
            return
        self.summary.escalated += escalate_breaches(at)
        self.next_breach = next_breach_at()
        self.changed_since_sweep = False

    # --- creation and plans
    def create(self, case: Case, at: dt.datetime):
        spec = case.spec
        name = spec.citizen.name_arabic if spec.language == "ar" else spec.citizen.name_latin
        if spec.channel in ("sms", "ussd") and self.rng.random() < 0.6:
            name = ""  # short-message channels rarely carry a name
        email = spec.citizen.email if spec.channel == "email" or (
            spec.channel == "web" and self.rng.random() < 0.3) else ""
        created_by = self.rng.choice(self.reception) if spec.channel in ("phone", "counter") and self.reception \
            else None
        fields = {"channel": spec.channel, "citizen_phone": spec.citizen.phone, "subject": spec.subject,
                  "text": spec.text, "citizen_name": name, "citizen_email": email, "region": spec.region,
                  "commune": spec.commune, "category": spec.category, "priority": spec.priority,
                  "language": spec.language, "created_by": created_by, "now": at}
        request = None
        if self.summary.routing_available:
            try:
                with transaction.atomic():
                    request = do_create_request(service=None, **fields)
            except ValidationError:
                raise
            except Exception as exc:  # noqa: BLE001 - the classifier may not be trained yet
                self.summary.routing_available = False
                log.warning("automatic routing unavailable (%s): demo requests go to their intended service", exc)
        if request is None:
            request = do_create_request(service=self.services[spec.first_code], **fields)
        case.request = request
        self.summary.requests += 1
        self.summary.request_ids.append(request.pk)
        self.summary.routing_methods[request.routing_method] += 1
        if request.service.code in (spec.first_code, spec.final_code):
            self.summary.routed_as_written += 1
        case.steps = self.plan(case)

    def plan(self, case: Case) -> list:
        spec, request, rng = case.spec, case.request, self.rng

        def agent(low, high):
            return "agent", rng.uniform(low, high)

        steps = []
        if spec.duplicate_of is not None:
            return [("merge", *agent(10, 240), spec.duplicate_of)]
        routed = request.service.code
        if routed != spec.final_code:
            if request.service.is_orientation:
                steps.append(("transfer", *agent(5, 120), "orientation"))
            else:
                reason = "cross" if spec.first_code != spec.final_code and routed == spec.first_code else "misrouted"
                steps.append(("assign", *agent(10, 120), None))
                if rng.random() < 0.5:
                    steps.append(("note", *agent(10, 200), None))
                steps.append(("transfer", *agent(10, 200), reason))
        return steps + self.lifecycle(spec)

    def lifecycle(self, spec: Spec) -> list:
        """Steps timed against the competent organisation's SLA targets: most first answers and
        resolutions come within them; the "neglected" and "long" profiles miss one on purpose."""
        rng = self.rng
        final = self.services[spec.final_code]
        first_target, resolution_target = self.targets(final.organisation_id, spec.priority)
        difficulty = DIFFICULTY[spec.final_code]

        def early(low, high):  # a share of the first-response target
            return "agent", first_target * rng.uniform(low, high)

        def resolution(factor=1.0):
            return "agent", resolution_target * difficulty * factor * rng.triangular(0.08, 1.1, 0.35)

        def minutes(low, high):
            return "agent", rng.uniform(low, high)

        close = ("close", "agent", rng.uniform(3 * DAY, 8 * DAY), None)
        if spec.final_code == "other":
            return [("assign", *early(0.05, 0.45), None), ("reply_resolved", *early(0.05, 0.4), None),
                    ("resolve", *minutes(0, 5), None), close]
        profile = _weighted(rng, PROFILE_WEIGHTS)
        if profile == "waiting":
            steps = [("assign", *early(0.05, 0.45), None), ("ask_info", *early(0.05, 0.4), None)]
            if rng.random() < 0.25:
                return [*steps, ("close_no_answer", *minutes(7 * DAY, 10 * DAY), None)]
            return [*steps, ("citizen", "citizen", rng.uniform(60, 3 * 1440), None),
                    ("reply_resolved", *resolution(0.6), None), ("resolve", *minutes(0, 5), None), close]
        if profile == "long":
            return [("assign", *early(0.1, 0.5), None), ("note", *early(0.05, 0.2), None),
                    ("reply_progress", *early(0.05, 0.2), None), ("note", *minutes(DAY, 3 * DAY), None),
                    ("reply_resolved", *resolution(rng.uniform(1.5, 2.5) / difficulty), None),
                    ("resolve", *minutes(0, 5), None), close]
        if profile == "neglected":
            steps = [("assign", *early(1.2, 4), None), ("reply_progress", *early(0.05, 0.3), None),
                     ("reply_resolved", *resolution(), None), ("resolve", *minutes(0, 5), None)]
            return steps + ([close] if rng.random() < 0.7 else [])
        steps = [("assign", *early(0.05, 0.45), None)]
        if rng.random() < 0.7:
            steps.append(("reply_progress", *early(0.05, 0.4), None))
            if rng.random() < 0.4:
                steps.append(("note", *minutes(30, 400), None))
            steps.append(("reply_resolved", *resolution(), None))
        else:  # solved at once: the answer is the first response
            steps.append(("reply_resolved", *early(0.05, 0.4), None))
        steps.append(("resolve", *minutes(0, 5), None))
        if profile == "reopen":
            return steps + [("citizen_reopen", "citizen", rng.uniform(600, 4 * 1440), None),
                            ("reply_progress", *early(0.1, 0.6), None),
                            ("reply_resolved", *resolution(0.5), None), ("resolve", *minutes(0, 5), None), close]
        return steps + ([close] if rng.random() < 0.85 else [])

    def targets(self, organisation_id: int, priority: str) -> tuple[int, int]:
        key = (organisation_id, priority)
        if key not in self.sla:
            found = sla_targets(Organisation.objects.get(pk=organisation_id), priority)
            self.sla[key] = found or DEFAULT_SLA[priority]
        return self.sla[key]

    # --- actors and texts
    def worker(self, request: Request) -> User:
        """Who acts on the request now: its assignee, or someone working its queue."""
        assignee = self.users.get(request.assignee_id)
        if assignee is not None and assignee.organisation_id == request.organisation_id:
            return assignee
        pool = self.queue_agents.get(request.queue_id) or self.supervisors.get(request.organisation_id)
        return self.rng.choice(pool)

    def supervisor(self, request: Request) -> User:
        pool = self.supervisors.get(request.organisation_id) or [self.worker(request)]
        return self.rng.choice(pool)

    def reply_language(self, spec: Spec) -> str:
        if spec.language == "arq-Latn":
            return "fr" if self.rng.random() < 0.6 else "ar"
        return spec.language

    def reply_text(self, bank: dict, case: Case) -> str:
        code = case.request.service.code
        texts = bank.get(code) or bank["other"]
        return fill(self.rng.choice(texts[self.reply_language(case.spec)]), case.spec.slots)

    # --- one step
    def perform(self, case: Case, step: tuple, at: dt.datetime):
        kind, _clock, _minutes, extra = step
        request = case.request
        rng = self.rng
        if kind == "assign":
            assignee = self.worker(request)
            actor = self.supervisor(request) if rng.random() < 0.2 else assignee
            request = do_assign(request, assignee, actor=actor, now=at)
        elif kind == "transfer":
            target = self.services[case.spec.final_code]
            reason = rng.choice(replies.TRANSFER_REASONS[extra])
            actor = self.worker(request) if rng.random() < 0.8 else self.supervisor(request)
            request = do_transfer(request, target, actor=actor, reason=reason, now=at)
        elif kind == "note":
            texts = replies.NOTES.get(request.service.code, []) + replies.NOTES_GENERIC
            do_add_note(request, fill(rng.choice(texts), case.spec.slots), actor=self.worker(request), now=at)
        elif kind in ("reply_progress", "reply_resolved"):
            bank = replies.PROGRESS if kind == "reply_progress" else replies.RESOLVED
            do_reply(request, self.reply_text(bank, case), actor=self.worker(request), now=at)
        elif kind == "ask_info":
            text = rng.choice(replies.ASK_INFO[self.reply_language(case.spec)])
            do_reply(request, text, actor=self.worker(request), wait_for_citizen=True, now=at)
        elif kind == "citizen":
            do_citizen_message(request, rng.choice(replies.CITIZEN_FOLLOW_UP[case.spec.language]), now=at)
        elif kind == "citizen_reopen":
            do_citizen_message(request, rng.choice(replies.CITIZEN_REOPEN[case.spec.language]), now=at)
        elif kind == "resolve":
            request = do_transition(request, Status.RESOLVED, actor=self.worker(request), now=at)
        elif kind in ("close", "close_no_answer"):
            actor = self.supervisor(request) if rng.random() < 0.3 else self.worker(request)
            reason = replies.CLOSE_REASONS[0] if kind == "close_no_answer" else rng.choice(replies.CLOSE_REASONS[1:])
            request = do_transition(request, Status.CLOSED, actor=actor, reason=reason, now=at)
        elif kind == "merge":
            original = self.cases[extra].request
            original = Request.objects.get(pk=original.pk) if original is not None else None
            if (original is None or not original.is_open or original.merged_into_id
                    or original.organisation_id != request.organisation_id):
                # Nothing to merge into: the duplicate is handled as a request of its own.
                case.steps = self.lifecycle(case.spec)
                raise TransitionNotAllowed("no open original to merge into")
            do_merge(request, original, actor=self.worker(request), now=at)
        else:  # pragma: no cover - a typo in a plan
            raise ValueError(kind)
        case.request = Request.objects.select_related("service").get(pk=request.pk)


# --------------------------------------------------------------------------------------------------------------


def record_history_messages_as_sent() -> int:
    """The simulation's replies and resolutions queue messages to the demo's citizens as real ones would; they
    belong to the simulated past, so they are recorded as sent then (readable in the outbox), never sent now."""
    from django.db.models import F

    from bawaba.notifications.models import OutboundMessage, State

    return OutboundMessage.objects.filter(state=State.QUEUED).update(
        state=State.SENT, provider="demo", attempts=1, sent_at=F("created_at"), next_attempt_at=None)


def load_demo(*, requests: int = 2000, agents: int = 480, seed: int = 42, if_empty: bool = False,
              now: dt.datetime | None = None, stdout=None) -> Summary:
    """Load everything; one transaction, so an interrupted load leaves nothing half done."""
    summary = Summary()
    if if_empty and Request.objects.exists():
        summary.skipped_load = True
        return summary
    now = now or timezone.now()
    rng = random.Random(seed)
    with transaction.atomic():
        orgs = onboard_organisations()
        summary.organisations = len(orgs)
        summary.agents = create_staff(orgs, agents, rng)
        summary.articles = load_knowledge(stdout)
        specs = build_specs(rng, requests, now, Geography())
        Simulation(rng, now, summary).run(specs)
        record_history_messages_as_sent()
    created = Request.objects.filter(pk__in=summary.request_ids)
    summary.statuses = Counter(created.values_list("status", flat=True))
    summary.languages = Counter(created.values_list("language", flat=True))
    summary.channels = Counter(created.values_list("channel", flat=True))
    return summary

