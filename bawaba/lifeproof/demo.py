"""`bawaba lifeproof demo`: the pension funds onboarded from data/funds.json through the platform's ordinary
onboarding (no code per fund), their listening centres taught to the router from data/listening_examples.jsonl
(as agents' corrections, the way the router learns a new service), pensioners enrolled with the engine's shipped
public-domain portraits, and an open campaign."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

DATA = Path(__file__).resolve().parent / "data"
FUNDS_FILE = DATA / "funds.json"
EXAMPLES_FILE = DATA / "listening_examples.jsonl"
DEMO_PASSWORD = "bawaba-demo"  # noqa: S105 - the published demo password
CLERK = {"username": "poste.guichet", "first_name": "Karima", "last_name": "Zerrouki", "roles": ["lifeproof.counter"]}
TEACHER = {"username": "centre.ecoute", "first_name": "Sofiane", "last_name": "Belaid", "roles": ["desk.agent"]}
# Demo pensioners: fictional names on the engine's public-domain portraits (bawaba/lifeproof/biometrics/data).
PENSIONERS = [
    ("cnr", "100001", "109850000000000001", "Marcy", "Kaptur", "مارسي", "كابتور", "1946-06-17", "0550 10 00 01",
     "fr", "kaptur_marcy_015029.jpg"),
    ("cnr", "100002", "109850000000000002", "Angus", "King", "أنغوس", "كينغ", "1944-03-31", "0550 10 00 02",
     "ar", "king_angus_041300.jpg"),
    ("cnr", "100003", "109850000000000003", "Judy", "Chu", "جودي", "تشو", "1953-07-07", "0550 10 00 03", "fr",
     "chu_judy_020955.jpg"),
    ("cnas", "200001", "109850000000000011", "Frank", "Pallone", "فرانك", "بالون", "1951-10-30", "0550 20 00 01",
     "fr", "pallone_frank_015454.jpg"),
    ("cnas", "200002", "109850000000000012", "Mary", "Scanlon", "ماري", "سكانلون", "1959-08-30", "0550 20 00 02",
     "ar", "scanlon_mary_021762.jpg"),
]


@dataclass
class DemoSummary:
    funds: list[str] = field(default_factory=list)
    corrections: int = 0
    pensioners: int = 0
    campaigns: int = 0
    model: str = ""


def demo_logins() -> list[dict]:
    """The proof-of-life demo's logins for `bawaba demo logins` (created by `bawaba lifeproof demo`)."""
    rows = [
        {"username": "cnr.manager", "organisation": "cnr",
         "try": "Proof of life > Campaigns: the campaign's counts and its CSV export; Import pensioners (after "
                "`bawaba lifeproof demo`)."},
        {"username": "cnr.reviewer", "organisation": "cnr",
         "try": "Proof of life > Proofs to review: photos side by side; a refusal needs cnr.reviewer2 too."},
        {"username": CLERK["username"], "organisation": "algerie-poste",
         "try": "Proof of life > Counter: pension 100001 with national ID 109850000000000001, on the webcam."},
    ]
    roles = {person["username"]: person["roles"] for spec in fund_specs() for person in spec["staff"]}
    roles[CLERK["username"]] = CLERK["roles"]
    for row in rows:
        row["roles"] = list(roles[row["username"]])
    return rows


def fund_specs() -> list[dict]:
    return json.loads(FUNDS_FILE.read_text(encoding="utf-8"))


def onboard_funds(*, password: str | None = DEMO_PASSWORD) -> dict:
    from bawaba.orgs.services import do_onboard_organisation

    funds = {}
    for spec in fund_specs():
        spec = {**spec, "staff": [{**person, "email": f"{person['username']}@example.test",
                                   **({"password": password} if password else {})} for person in spec["staff"]]}
        funds[spec["slug"]] = do_onboard_organisation(spec)
    return funds


def teach_routing(actor, *, path: Path = EXAMPLES_FILE, now: dt.datetime | None = None) -> int:
    """Each example becomes a request on the SMS, phone, web, USSD or counter channel, filed under the shared
    centre's "other administrations" (the citizen's choice before the funds were on the platform), then transferred
    by `actor` (an agent of the shared centre) to the right listening centre: the transfer records what the router
    must learn (routing.RoutingCorrection), as an agent's correction in real life would.
    Returns the number of corrections recorded; `bawaba routing train` (or train_model below) then learns them."""
    from bawaba.orgs.models import Service
    from bawaba.routing.models import RoutingCorrection
    from bawaba.routing.training import load_examples
    from bawaba.servicedesk.services import do_create_request, do_transfer

    now = now or timezone.now()
    before = RoutingCorrection.objects.count()
    channels = ["sms", "phone", "web", "ussd", "counter"]
    for index, example in enumerate(load_examples(path)):
        if RoutingCorrection.objects.filter(text__endswith=example.text, corrected_code=example.service).exists():
            continue
        target = Service.objects.get(code=example.service)
        request = do_create_request(channel=channels[index % len(channels)], citizen_phone=f"0661 00 {index:02d} 00",
                                    subject=example.text[:60], text=example.text, language=example.lang,
                                    category="other", now=now)
        if request.service_id != target.pk:
            do_transfer(request, target, actor=actor, reason="Centre d'écoute de la caisse", now=now)
    return RoutingCorrection.objects.count() - before


def train_model(output: Path | None = None):
    from bawaba.routing import classifier, training

    report = training.train_and_save(output or Path(settings.ROUTING_MODEL_PATH))
    classifier.reset_cache()
    return report


def enrol_demo_pensioners(funds: dict, *, now=None) -> int:
    from .biometrics.make_clips import PORTRAITS
    from .engine import compute_template
    from .enrolment import _store
    from .models import Pensioner

    now = now or timezone.now()
    created = 0
    for slug, number, nin, first, last, first_ar, last_ar, birth, phone, lang, photo in PENSIONERS:
        if Pensioner.objects.filter(organisation=funds[slug], pension_number=number).exists():
            continue
        from bawaba.core.phones import to_e164

        image = (PORTRAITS / photo).read_bytes()
        with transaction.atomic():
            _store({"pension_number": number, "national_id": nin, "first_name": first, "last_name": last,
                    "first_name_ar": first_ar, "last_name_ar": last_ar, "birth_date": dt.date.fromisoformat(birth),
                    "phone": to_e164(phone), "language": lang, "photo": image, "template": compute_template(image)},
                   organisation=funds[slug], actor=None, via="import", now=now)
        created += 1
    return created


def load_lifeproof_demo(*, now: dt.datetime | None = None, train: bool = True) -> DemoSummary:
    from bawaba.orgs.models import Organisation
    from bawaba.orgs.services import do_add_staff

    from .models import Campaign
    from .proofs import do_create_campaign

    now = now or timezone.now()
    summary = DemoSummary()
    funds = onboard_funds()
    summary.funds = sorted(funds)
    centre = Organisation.objects.get(slug="centre")
    teacher = do_add_staff(centre, {**TEACHER, "password": DEMO_PASSWORD, "email": "centre.ecoute@example.test"})
    do_add_staff(Organisation.objects.get(slug="algerie-poste"),
                 {**CLERK, "password": DEMO_PASSWORD, "email": "poste.guichet@example.test"})
    summary.corrections = teach_routing(teacher, now=now)
    if train:
        summary.model = str(train_model().path)
    summary.pensioners = enrol_demo_pensioners(funds, now=now)
    today = timezone.localdate(now)
    for fund in funds.values():
        period = str(today.year + (1 if today.month >= 11 else 0))
        if not Campaign.objects.filter(organisation=fund, period=period).exists():
            do_create_campaign(organisation=fund, period=period, opens_on=today, due_on=today + dt.timedelta(days=60),
                               now=now)
            summary.campaigns += 1
    return summary
