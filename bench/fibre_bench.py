"""Fibre deployment benchmark: one command, PostgreSQL by default.

    .venv/bin/python bench/fibre_bench.py                 # 4,800 contractors, 500,000 work items
    .venv/bin/python bench/fibre_bench.py --scale 0.02    # quick run (96 contractors, 10,000 items)

It (re)creates the database named in DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bawaba_fibre_bench),
migrates it, bulk-loads contractors, contracts, sites, work orders and work items, with 70 % of the work orders
already accepted and billed during last month, then measures:
  1. acceptance throughput: field reports through the real service do_submit_field_report (validation, photo
     hashing and EXIF, rules engine, billing line) — items accepted per second;
  2. latency from the start of an acceptance to the item being visible on the running statement from another
     database connection (target < 1 s);
  3. time to issue every monthly statement (work statement + payment statement per contract; target < 2 min).
Prints the environment, the parameters and a table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bawaba_fibre_bench"
ITEM_CODES = ["SRV-01", "PBO-01", "DRP-01", "ONT-01", "ACT-01"]  # five work items per work order
PRE_ACCEPTED = 0.7


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contractors", type=int, default=4800)
    parser.add_argument("--items", type=int, default=500_000, help="work items in total")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply contractors and items (quick runs)")
    parser.add_argument("--reports", type=int, default=400, help="reports submitted for the throughput measure")
    parser.add_argument("--latency-samples", type=int, default=100)
    parser.add_argument("--statement-workers", type=int, default=2,
                        help="processes issuing statements in parallel (the machine has 2 cores)")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it is already loaded")
    return parser.parse_args()


def prepare_database(url: str, keep: bool) -> bool:
    """Create the database (dropping it first unless --keep). Returns True when it must be loaded."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and keep:
            return False
        if exists:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def load(contractors: int, items: int, month_start: dt.date, month_end: dt.date, log) -> dict:
    import json

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from bawaba.accounts.models import RoleGrant, User
    from bawaba.deployments.models import (
        BillingLine,
        Contract,
        Decision,
        FieldReport,
        ReportedItem,
        Site,
        WorkItem,
        WorkItemState,
        WorkOrder,
        WorkOrderState,
    )
    from bawaba.deployments.work import setup as work_setup
    from bawaba.geo.models import Region
    from bawaba.orgs.models import Organisation
    from bawaba.orgs.services import do_onboard_organisation

    rng = random.Random(4800)
    spec = next(o for o in json.loads((Path(settings.BASE_DIR) / "bawaba/demo/organisations.json")
                                      .read_text(encoding="utf-8")) if o["slug"] == "algerie-telecom")
    operator = do_onboard_organisation(spec)
    programme = work_setup.do_create_programme(operator, {"code": "bench-ftth", "name_fr": "Banc d'essai FTTH",
                                                        "target_homes_passed": items // 5})
    version = work_setup.do_publish_price_schedule(operator)
    prices = {p.code: p for p in version.items.all()}
    regions = list(Region.objects.filter(country="DZ").order_by("code"))
    orders_total = items // len(ITEM_CODES)
    per_contractor = [orders_total // contractors + (1 if i < orders_total % contractors else 0)
                      for i in range(contractors)]
    tz = timezone.get_default_timezone()
    start_ts = dt.datetime.combine(month_start, dt.time(8), tzinfo=tz)
    span = (dt.datetime.combine(month_end, dt.time(18), tzinfo=tz) - start_ts).total_seconds()
    unusable = make_password(None)
    chunk = 200
    counts = {"contractors": 0, "work_orders": 0, "work_items": 0, "billing_lines": 0}
    wo_number = 0
    for first in range(0, contractors, chunk):
        size = min(chunk, contractors - first)
        with transaction.atomic():
            orgs = Organisation.objects.bulk_create([
                # A complete (fictitious) legal identification: statements are refused without one.
                Organisation(slug=f"bench-co-{first + i:05d}", kind="contractor", name_fr=f"Entreprise {first + i}",
                             legal_form="SARL", address=f"{first + i} rue de l'essai, Alger",
                             tax_identifier=f"0016{first + i:011d}", statistical_identifier=f"0981{first + i:011d}",
                             trade_register_number=f"16/00-{first + i:07d} B 20",
                             tax_article_number=f"160{first + i:08d}")
                for i in range(size)])
            users = User.objects.bulk_create([
                User(username=f"bench.co{first + i:05d}", organisation=org, password=unusable)
                for i, org in enumerate(orgs)])
            RoleGrant.objects.bulk_create([RoleGrant(user=user, role="fibre.contractor_manager") for user in users])
            contracts = Contract.objects.bulk_create([
                Contract(programme=programme, contractor=org, reference=f"BENCH-{first + i:05d}",
                         price_schedule_version=version, starts_on=dt.date(2026, 1, 1),
                         advance_amount=Decimal("50000"), advance_recovery_rate=Decimal("0.10"),
                         penalty_per_day=Decimal("500"))
                for i, org in enumerate(orgs)])
            region_of = {c.pk: regions[(first + i) % len(regions)] for i, c in enumerate(contracts)}
            Contract.wilayas.through.objects.bulk_create([
                Contract.wilayas.through(contract_id=c.pk, region_id=region_of[c.pk].pk) for c in contracts])
            sites, orders, plan = [], [], []
            for i, contract in enumerate(contracts):
                for _ in range(per_contractor[first + i]):
                    wo_number += 1
                    accepted = rng.random() < PRE_ACCEPTED
                    sites.append(Site(programme=programme, code=f"B{wo_number:07d}", kind="home",
                                      region=region_of[contract.pk],
                                      latitude=Decimal(f"{rng.uniform(34.5, 36.9):.6f}"),
                                      longitude=Decimal(f"{rng.uniform(-1.0, 8.0):.6f}")))
                    done_at = start_ts + dt.timedelta(seconds=rng.uniform(0, span)) if accepted else None
                    orders.append(WorkOrder(
                        reference=f"BWO-{wo_number:07d}", contract=contract, kind="ftth",
                        state=WorkOrderState.COMPLETED if accepted else WorkOrderState.ACKNOWLEDGED,
                        steps_done=8 if accepted else 0, due_on=month_end + dt.timedelta(days=rng.randint(-20, 40)),
                        started_at=done_at, completed_at=done_at, completion_recorded_at=done_at))
                    plan.append((users[i], accepted, done_at))
            Site.objects.bulk_create(sites, batch_size=5000)
            for site, order in zip(sites, orders, strict=True):
                order.site = site
            WorkOrder.objects.bulk_create(orders, batch_size=5000)
            work_items = []
            for order, (_user, accepted, _at) in zip(orders, plan, strict=True):
                for code in ITEM_CODES:
                    work_items.append(WorkItem(
                        work_order=order, price_item=prices[code], planned_quantity=Decimal(1),
                        accepted_quantity=Decimal(1) if accepted else Decimal(0),
                        state=WorkItemState.ACCEPTED if accepted else WorkItemState.PLANNED))
            WorkItem.objects.bulk_create(work_items, batch_size=5000)
            reports = [FieldReport(client_uuid=uuid.UUID(int=rng.getrandbits(128)), work_order=order,
                                   contractor_id=order.contract.contractor_id, reported_by=user, received_at=at,
                                   latitude=order.site.latitude, longitude=order.site.longitude)
                       for order, (user, accepted, at) in zip(orders, plan, strict=True) if accepted]
            FieldReport.objects.bulk_create(reports, batch_size=5000)
            report_of = {r.work_order_id: r for r in reports}
            reported = []
            for item in work_items:
                report = report_of.get(item.work_order_id)
                if report is not None:
                    reported.append(ReportedItem(report=report, work_item=item, quantity=Decimal(1),
                                                 decision=Decision.ACCEPTED, auto_decision=Decision.ACCEPTED,
                                                 decided_at=report.received_at))
            ReportedItem.objects.bulk_create(reported, batch_size=5000)
            order_by_id = {o.pk: o for o in orders}
            lines = []
            for entry in reported:
                order = order_by_id[entry.work_item.work_order_id]
                price = entry.work_item.price_item
                lines.append(BillingLine(contract_id=order.contract_id, reported_item=entry, work_order=order,
                                         region_id=order.site.region_id, price_item=price, quantity=Decimal(1),
                                         unit_price=price.unit_price, amount=price.unit_price,
                                         accepted_at=entry.decided_at))
            BillingLine.objects.bulk_create(lines, batch_size=5000)
        counts["contractors"] += size
        counts["work_orders"] += len(orders)
        counts["work_items"] += len(work_items)
        counts["billing_lines"] += len(lines)
        log(f"  loaded {counts['contractors']:>5} contractors, {counts['work_items']:>7} work items "
            f"({rss_mb():.0f} MB)")
    return counts


def measure_acceptance(n_reports: int, latency_samples: int, log) -> dict:
    from django.db import connections

    from bawaba.deployments.billing import selectors as billing_selectors
    from bawaba.deployments.field import services as field_services
    from bawaba.deployments.models import WorkOrder, WorkOrderState
    from bawaba.deployments.tests.factories import make_photo

    candidates = list(WorkOrder.objects.filter(state=WorkOrderState.ACKNOWLEDGED)
                      .select_related("site", "contract__contractor").order_by("?")[:n_reports + latency_samples])
    users = {}
    from bawaba.accounts.models import User

    for user in User.objects.filter(organisation__in={wo.contract.contractor_id for wo in candidates}):
        users[user.organisation_id] = user
    serial = iter(range(10**6, 10**7))

    def payload(wo):
        """What the phone sends (built outside the timed region: it is the client's work)."""
        now = dt.datetime.now(dt.UTC)
        return {"client_uuid": str(uuid.uuid4()),
                "items": [{"work_item": item.id, "quantity": "1"} for item in wo.items.all()],
                "latitude": str(wo.site.latitude), "longitude": str(wo.site.longitude), "gps_accuracy_m": "5",
                "device_reported_at": now.isoformat(), "ont_serial": f"BNCH{next(serial):08X}",
                "ont_rx_power_dbm": "-21.4", "link_loss_db": "19.5",
                "photos": [make_photo(taken_at=now - dt.timedelta(minutes=20)) for _ in range(2)]}

    def submit(wo, data):
        return field_services.do_submit_field_report(users[wo.contract.contractor_id], wo, **data).report

    throughput_orders, latency_orders = candidates[:n_reports], candidates[n_reports:]
    accepted = 0
    per_report = []
    started = time.perf_counter()
    for wo in throughput_orders:
        data = payload(wo)
        t0 = time.perf_counter()
        report = submit(wo, data)
        per_report.append(time.perf_counter() - t0)
        accepted += sum(1 for item in report.items.all() if item.decision == "accepted")
    elapsed = time.perf_counter() - started
    log(f"  throughput: {accepted} items in {elapsed:.1f} s")

    latencies, reader_times = [], []
    for wo in latency_orders:
        before = billing_selectors.running_statement(wo.contract).unbilled_count
        data = payload(wo)
        t0 = time.perf_counter()
        submit(wo, data)
        seen = {}

        def read(wo=wo, before=before, seen=seen):
            # Another thread, so another database connection: proves the line is committed and visible.
            r0 = time.perf_counter()
            while time.perf_counter() - r0 < 5:
                if billing_selectors.running_statement(wo.contract).unbilled_count > before:
                    seen["at"] = time.perf_counter()
                    seen["reader"] = seen["at"] - r0
                    break
            connections.close_all()

        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
        if "at" in seen:
            latencies.append(seen["at"] - t0)
            reader_times.append(seen["reader"])
    return {"accepted_items": accepted, "elapsed": elapsed, "per_report": per_report, "latencies": latencies,
            "reader_times": reader_times}


def measure_statements(year: int, month: int, workers: int, log) -> dict:
    from django.db.models import Count, F, Max, Sum
    from django.utils import timezone

    from bawaba.deployments.billing.statements import do_issue_monthly_statements
    from bawaba.deployments.models import BillingLine, DeploymentEvent, PaymentStatement, WorkStatement

    # The month's lines (the acceptance measures above added lines of today, for next month's run).
    month_end = dt.date(year, month, 1) + dt.timedelta(days=31)
    cutoff = dt.datetime.combine(month_end.replace(day=1), dt.time.min, tzinfo=timezone.get_default_timezone())
    in_month = BillingLine.objects.filter(accepted_at__lt=cutoff)
    contracts = in_month.filter(work_statement__isnull=True).values("contract_id").distinct().count()
    started = time.perf_counter()
    issued = do_issue_monthly_statements(year, month, None, workers=workers)
    elapsed = time.perf_counter() - started
    # Checked after the clock stops: what the run stored is complete and right.
    bound = BillingLine.objects.filter(work_statement__isnull=False).aggregate(n=Count("id"), s=Sum("amount"))
    gross = PaymentStatement.objects.aggregate(s=Sum("gross_amount"))["s"]
    assert bound["s"] == gross, "statements must hold exactly the billed lines"
    assert len(issued) == contracts == PaymentStatement.objects.values("contract_id").distinct().count(), \
        "every contract with billed lines gets exactly one statement"
    assert not in_month.filter(work_statement__isnull=True).exists(), "every line of the month is on a statement"
    for model in (WorkStatement, PaymentStatement):
        gaps = (model.objects.values("contractor_id", "year").annotate(n=Count("id"), last=Max("sequence"))
                .exclude(n=F("last")).count())
        assert gaps == 0, f"{model.__name__} numbers have gaps"
    unbalanced = PaymentStatement.objects.exclude(
        net_amount=F("gross_amount") - F("retention_amount") - F("advance_recovery_amount") - F("penalty_amount")
        + F("vat_amount")).count()
    assert unbalanced == 0, "every payment statement balances"
    assert not PaymentStatement.objects.filter(amount_in_words_fr="").exists()
    assert DeploymentEvent.objects.filter(kind="statement_issued").count() == len(issued), "one audit event each"
    log(f"  {len(issued)} statements in {elapsed:.1f} s (checked: lines, numbers, balances, events)")
    return {"statements": len(issued), "elapsed": elapsed, "lines": bound["n"], "gross": gross}


def main():
    args = parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    media = tempfile.mkdtemp(prefix="fibre-bench-media-")
    os.environ["MEDIA_ROOT"] = media
    contractors = max(2, round(args.contractors * args.scale))
    items = max(10 * len(ITEM_CODES), round(args.items * args.scale))
    url = os.environ["DATABASE_URL"]

    def log(message):
        print(message, flush=True)

    must_load = prepare_database(url, args.keep) if url.startswith("postgres") else True
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate()
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    month_start = month_end.replace(day=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        db_version = cursor.fetchone()[0].split(" on ")[0]
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    print("# Fibre deployment benchmark")
    print(f"date {today.isoformat()} · host {platform.node()} · {os.cpu_count()} CPU ({cpu}) · "
          f"Python {platform.python_version()} · Django {django.get_version()} · {db_version} · "
          f"load average at start {os.getloadavg()[0]:.1f} (the machine is shared)")
    print(f"parameters: contractors={contractors} work_items={items} pre-accepted={PRE_ACCEPTED:.0%} "
          f"(billed {month_start}..{month_end}) reports={args.reports} latency_samples={args.latency_samples} "
          f"statement_workers={args.statement_workers}")

    load_time = None
    if must_load:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate_time = time.perf_counter() - t0
        log(f"  migrated in {migrate_time:.1f} s")
        t0 = time.perf_counter()
        counts = load(contractors, items, month_start, month_end, log)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        load_time = time.perf_counter() - t0
        log(f"  loaded {counts} in {load_time:.1f} s")
    acceptance = measure_acceptance(args.reports, args.latency_samples, log)
    statements = measure_statements(month_end.year, month_end.month, args.statement_workers, log)

    per_report_ms = [s * 1000 for s in acceptance["per_report"]]
    latency_ms = [s * 1000 for s in acceptance["latencies"]]
    reader_ms = [s * 1000 for s in acceptance["reader_times"]]
    rows = [
        ("load (bulk) contractors + work items", f"{load_time:.1f} s" if load_time else "reused", "", ""),
        ("acceptance throughput (real service)",
         f"{acceptance['accepted_items'] / acceptance['elapsed']:.0f} items/s",
         f"{statistics.median(per_report_ms):.0f} ms/report", f"{percentile(per_report_ms, 0.95):.0f} ms/report"),
        ("acceptance → on running statement", f"max {max(latency_ms):.0f} ms" if latency_ms else "n/a",
         f"{percentile(latency_ms, 0.5):.0f} ms", f"{percentile(latency_ms, 0.95):.0f} ms"),
        ("  of which statement read (other connection)", "", f"{percentile(reader_ms, 0.5):.1f} ms",
         f"{percentile(reader_ms, 0.95):.1f} ms"),
        (f"issue all monthly statements ({statements['statements']} contracts, {statements['lines']} lines, "
         f"{args.statement_workers} workers)",
         f"{statements['elapsed']:.1f} s", f"{statements['elapsed'] / max(1, statements['statements']) * 1000:.1f} "
         "ms/contract", ""),
        ("peak memory (RSS) of the benchmark process", f"{rss_mb():.0f} MB", "", ""),
    ]
    print()
    print(f"| {'measure':<68} | {'result':>16} | {'p50':>16} | {'p95':>16} |")
    print(f"|{'-' * 70}|{'-' * 18}|{'-' * 18}|{'-' * 18}|")
    for name, result, p50, p95 in rows:
        print(f"| {name:<68} | {result:>16} | {p50:>16} | {p95:>16} |")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    targets_ok = (percentile(latency_ms, 0.95) < 1000) and statements["elapsed"] < 120
    print(f"\ntargets (latency p95 < 1 s, statements < 2 min): {'met' if targets_ok else 'NOT met'}")
    import shutil

    shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
