"""`bawaba demo load [--if-empty] [--requests N] [--agents N] [--fibre-orders N] [--seed N] [--now ISO]` and
`bawaba demo logins`."""

import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bawaba.demo.fibre import load_fibre_demo
from bawaba.demo.loader import PASSWORD, demo_logins, load_demo, split_agents
from bawaba.postal.demo import load_postal_demo

DEFAULT_URL = "http://127.0.0.1:8000"
FIBRE_ORDERS = 36  # fibre work orders per contractor by default (about 200 field reports, a few seconds)
POSTAL_ITEMS = 160  # items accepted at Algérie Poste's demo counters (SOPECO's: a quarter), about 20 s


def base_url() -> str:
    """Where the platform is served: BAWABA_URL (scripts/dev sets it from HOST and PORT), else port 8000."""
    return (os.environ.get("BAWABA_URL") or DEFAULT_URL).rstrip("/")


class _Urls:
    """The addresses printed with the logins, read from the environment each time they are listed."""

    PATHS = [("Portal", "/"), ("Agent desk", "/desk/"), ("Fibre", "/fibre/"), ("Post counter", "/post/counter/"),
             ("Administration", "/admin/"), ("API documentation", "/api/v1/docs")]

    def __iter__(self):
        base = base_url()
        return iter([(name, base + path) for name, path in self.PATHS])


URLS = _Urls()


def positive(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def _moment(value: str):
    import datetime as dt

    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment


_moment.__name__ = "ISO time with its offset (e.g. 2026-11-18T10:30:00+01:00)"  # argparse's error names it


class Command(BaseCommand):
    help = "Demo data: `demo load` creates organisations, staff, articles and requests; `demo logins` lists logins."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,logins}")
        load = actions.add_parser("load", help="Load the demo organisations, staff and requests.")
        load.add_argument("--if-empty", action="store_true",
                          help="Load only what is missing: no requests if any exists, no fibre programme twice.")
        load.add_argument("--requests", type=positive, default=2000, help="Number of requests (default 2000).")
        load.add_argument("--agents", type=positive, default=480,
                          help="Number of agents over the four organisations (default 480).")
        load.add_argument("--fibre-orders", type=positive, default=FIBRE_ORDERS,
                          help=f"Fibre work orders per contractor over the months of history (default {FIBRE_ORDERS};"
                          " 0: none).")
        load.add_argument("--postal-items", type=positive, default=POSTAL_ITEMS,
                          help=f"Postal items accepted at the demo counters (default {POSTAL_ITEMS}; 0: no postal "
                          "demo).")
        load.add_argument("--seed", type=int, default=42, help="Random seed: same seed, same data (default 42).")
        load.add_argument("--now", type=_moment, default=None,
                          help="Simulate up to this ISO time instead of now (reproducible data whatever the hour).")
        actions.add_parser("logins", help="Print the demo logins and addresses.")

    def handle(self, *args, **options):
        if options["action"] == "logins":
            self.print_logins()
            return
        try:
            split_agents(options["agents"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        now = options["now"] or timezone.now()  # one moment for every module's history
        started = time.monotonic()
        summary = load_demo(requests=options["requests"], agents=options["agents"], seed=options["seed"],
                            if_empty=options["if_empty"], now=now, stdout=self.stdout)
        if summary.skipped_load:
            self.stdout.write("Requests already exist: service-centre demo data not loaded (--if-empty).")
        else:
            self.print_desk(summary, started)
        self.load_voice(now, options["seed"])  # telephony: bawaba/voice/demo.py
        if options["fibre_orders"]:
            started = time.monotonic()
            fibre = load_fibre_demo(now=now, seed=options["seed"], orders=options["fibre_orders"])
            self.print_fibre(fibre, started)
        if options["postal_items"]:
            started = time.monotonic()
            postal = load_postal_demo(now=now, seed=options["seed"], items=options["postal_items"])
            self.print_postal(postal, started)
            # Hybrid mail (mail-print): on the postal demo's operators and offices.
            from bawaba.hybridmail.demo import load_hybridmail_demo

            started = time.monotonic()
            mail = load_hybridmail_demo(now=now, seed=options["seed"])
            if mail.skipped:
                self.stdout.write(f"Hybrid mail demo not loaded ({mail.skipped}).")
            else:
                self.stdout.write(self.style.SUCCESS(
                    f"Hybrid mail loaded in {time.monotonic() - started:.1f} s: {sum(mail.letters.values())} letters "
                    f"({self._pairs(mail.letters)}), {mail.runs} print runs, {mail.mailboxes} mailboxes."))
        self.stdout.write("Logins: `bawaba demo logins`.")

    def load_voice(self, now, seed):
        from bawaba.voice.demo import load_voice_demo

        started = time.monotonic()
        voice = load_voice_demo(now=now, seed=seed)
        if voice.skipped:
            self.stdout.write("The demo phone numbers exist already: telephony demo data not loaded.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Telephony loaded in {time.monotonic() - started:.1f} s: {voice.numbers} numbers, calls "
            f"{self._pairs(voice.calls)}, {voice.waiting} waiting now, agents {self._pairs(voice.agents)}, "
            f"{voice.voicemails} voicemails made requests, {voice.scheduled_slots} scheduled half-hours."))

    def print_postal(self, postal, started):
        if postal.skipped:
            self.stdout.write("The postal demo network exists already: postal demo data not loaded.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Post loaded in {time.monotonic() - started:.1f} s: offices {self._pairs(postal.offices)}; items "
            f"{self._pairs(postal.items)}; {postal.events} tracking events ({postal.flagged} flagged for review)."))
        self.stdout.write(f"Postal items: {self._pairs(postal.statuses)}")

    def print_fibre(self, fibre, started):
        if fibre.skipped:
            self.stdout.write("The fibre programme exists already: fibre demo data not loaded.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Fibre loaded in {time.monotonic() - started:.1f} s: {fibre.work_orders} work orders "
            f"({self._pairs(fibre.work_order_states)}), {fibre.reports} field reports."))
        self.stdout.write(f"Reported items: {self._pairs(fibre.decisions)}")
        self.stdout.write(f"Statements: {fibre.statements} over {fibre.months} months, {fibre.payments} payments, "
                          f"{fibre.paid} paid, {fibre.overdue} overdue, {fibre.corrections} correction(s)")
        self.stdout.write(f"FTTH in {fibre.wilayas} wilayas; administration sites in Congo-Brazzaville: "
                          f"{fibre.congo_work_orders} work orders; {fibre.maintenance} line(s) sent to maintenance")

    def print_desk(self, summary, started):
        self.stdout.write(self.style.SUCCESS(
            f"Service centre loaded in {time.monotonic() - started:.1f} s: {summary.organisations} organisations, "
            f"{sum(summary.agents.values())} agents ({self._pairs(summary.agents)}), {summary.requests} requests."
        ))
        if summary.articles is not None:
            self.stdout.write(f"Knowledge base: {summary.articles} articles created or updated.")
        self.stdout.write(f"Statuses: {self._pairs(summary.statuses)}")
        self.stdout.write(f"Languages: {self._pairs(summary.languages)}")
        self.stdout.write(f"Channels: {self._pairs(summary.channels)}")
        self.stdout.write(f"History: {self._pairs(summary.actions)}; {summary.escalated} SLA escalations")
        if summary.routing_available:
            share = summary.routed_as_written / summary.requests if summary.requests else 0
            self.stdout.write(
                f"Routing: {self._pairs(summary.routing_methods)}; {share:.0%} went straight to the service "
                "the text was written for (the rest were transferred by agents, as in real life)."
            )
        else:
            self.stdout.write(self.style.WARNING(
                "Routing: automatic routing was not available (no trained classifier?), so requests were "
                "created in the service their text was written for. Run `bawaba routing train`, then reload."
            ))

    @staticmethod
    def _pairs(counter) -> str:
        return ", ".join(f"{key or '-'} {value}" for key, value in sorted(counter.items(), key=lambda kv: -kv[1]))

    def print_logins(self):
        rows = [("username", "roles", "organisation", "try")]
        rows += [(row["username"], ", ".join(row["roles"]), row["organisation"], row["try"]) for row in demo_logins()]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for number, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
            if number == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write("Agents: at.agent1..N, poste.agent1..N, mobilis.agent1..N, centre.agent1..N "
                          "(orientation queue).")
        self.stdout.write(f"Every login has the password {PASSWORD}; each lands on the home of its main role.")
        for name, url in URLS:
            self.stdout.write(f"{name + ':':<20} {url}")
