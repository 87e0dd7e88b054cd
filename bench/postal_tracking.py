"""Postal tracking benchmark on PostgreSQL: bulk ingest, public lookup, S10 allocation under contention.

    .venv/bin/python bench/postal_tracking.py [--events 10000000] [--reseed] [--ingest 100000] [--batch 5000]
                                             [--rate 200] [--duration 30] [--counters 8] [--allocations 250]

What it does (everything on loopback; figures in docs/postal-api.md):
1. A throwaway database (default postgres://postgres@127.0.0.1:5432/bench_postal_tracking; never a non-loopback
   host): `migrate`, Algérie Poste onboarded as in the demo, a network of 60 offices, three products, then
   --events tracking events seeded in SQL with generate_series (items of five events each: EMA, EDD, EDE, EMG,
   EMI, with realistic sizes: 64-character fingerprint, office code, device, GPS on deliveries, a details JSON
   of ~80 bytes). The event table's secondary indexes and constraints are dropped during the load and rebuilt
   after (the way a restore does it), then ANALYZE. The seed is kept and reused by later runs (--reseed to
   rebuild); the run's own writes are deleted at the end so the next run starts from the same 10 M rows.
2. Ingest: --ingest new scans (EDD at the sorting centre, then EDE) of items in flight, through
   bawaba.postal.tracking.record_events in batches of --batch (what a bulk file or the API's bulk route
   does: validate the batch whole, write it in one transaction, refresh the items, flag impossible events),
   from --workers processes at once (each its own items, as several sorting centres or API workers).
   Prints events/s sustained over the whole run (wall clock) and per-batch p50/p95.
3. Public lookup: open-loop at --rate lookups/s for --duration s of bawaba.postal.tracking.public_timeline
   (the function the public page, SMS and USSD tracking call) on random known numbers, from 4 threads with
   their own connections; latency counts from the scheduled start, so falling behind shows.
4. S10 allocation: --counters processes (not threads) each allocate --allocations numbers from ONE shared
   range, each in its own transaction that also stores the item (as the counter does); checks that no number
   is given twice and that the range's counter moved by exactly the total.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import random
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_postal_tracking"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
EVENTS_PER_ITEM = 5
TARGET_INGEST = 5000.0
TARGET_LOOKUP_P95_MS = 20.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def database_env(url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "config.settings",
           "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-only-" + "x" * 40),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING"}
    env.pop("TEST_DATABASE_NAME", None)
    env.setdefault("BAWABA_VAR_DIR", "/tmp/bench_postal_tracking_var")
    return env


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def percentile(values, p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def setup_django(url: str) -> None:
    os.environ.update(database_env(url))
    Path(os.environ["BAWABA_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


# --------------------------------------------------------------------------------------------------------------
# 1. Seed

S10_CHECK_SQL = """
CREATE OR REPLACE FUNCTION bench_s10(ind text, serial bigint, country text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT ind || lpad(serial::text, 8, '0') || (
    CASE 11 - (8*(serial/10000000%10) + 6*(serial/1000000%10) + 4*(serial/100000%10) + 2*(serial/10000%10)
             + 3*(serial/1000%10) + 5*(serial/100%10) + 9*(serial/10%10) + 7*(serial%10)) % 11
      WHEN 10 THEN 0 WHEN 11 THEN 5
      ELSE 11 - (8*(serial/10000000%10) + 6*(serial/1000000%10) + 4*(serial/100000%10) + 2*(serial/10000%10)
             + 3*(serial/1000%10) + 5*(serial/100%10) + 9*(serial/10%10) + 7*(serial%10)) % 11 END
  )::text || country
$$;
"""


def prepare(url: str, events: int, reseed: bool) -> dict:
    import psycopg

    parts = urlparse(url)
    if parts.hostname not in LOOPBACK:
        raise SystemExit(f"refusing to use a non-loopback database host: {parts.hostname}")
    name = parts.path.lstrip("/")
    admin = with_database(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], cwd=ROOT,
                   env=database_env(url), check=True)
    setup_django(url)
    from bawaba.postal.models import TrackingEvent

    seeded = TrackingEvent.objects.filter(source="bulk", device__startswith="SEED").count() if exists else 0
    info = {"database": name}
    if seeded >= events:
        info["seed"] = f"reused ({seeded:,} seeded events)"
        return info
    started = time.monotonic()
    seed(url, events)
    info["seed"] = f"built in {time.monotonic() - started:.0f} s"
    return info


def network():
    """Algérie Poste, 60 offices over 20 wilayas, three products and their ranges (ORM: few rows)."""
    import json

    from django.utils import timezone

    from bawaba.geo.models import Region
    from bawaba.orgs.models import Organisation
    from bawaba.orgs.services import do_onboard_organisation
    from bawaba.postal.models import Office, OfficeKind, Product
    from bawaba.postal.numbering import do_create_range

    org = Organisation.objects.filter(slug="algerie-poste").first()
    if org is None:
        specs = json.loads((ROOT / "bawaba" / "demo" / "organisations.json").read_text(encoding="utf-8"))
        org = do_onboard_organisation(next(s for s in specs if s["slug"] == "algerie-poste"))
    if not Office.objects.filter(organisation=org).exists():
        regions = list(Region.objects.filter(country="DZ").order_by("code")[:20])
        for region in regions:
            commune = region.communes.order_by("postal_code").first()
            sorting = Office.objects.create(organisation=org, code=f"{region.code}000-CTN", region=region,
                                            commune=commune, kind=OfficeKind.SORTING_CENTRE,
                                            name_fr=f"Centre de tri {region.name_fr}")
            Office.objects.create(organisation=org, code=f"{region.code}001-DIST", region=region, commune=commune,
                                  kind=OfficeKind.DELIVERY_OFFICE, parent=sorting,
                                  name_fr=f"Distribution {region.name_fr}")
            Office.objects.create(organisation=org, code=f"{region.code}001", region=region, commune=commune,
                                  kind=OfficeKind.POST_OFFICE, parent=sorting, name_fr=f"{region.name_fr} RP")
        for code, indicator in (("registered", "RR"), ("parcel", "CP"), ("ems", "EE")):
            product = Product.objects.create(organisation=org, code=code, indicator=indicator, name_fr=code)
            do_create_range(product, first=0, last=99_999_999, now=timezone.now())
    return org


def seed(url: str, events: int) -> None:
    import psycopg

    org = network()
    items = events // EVENTS_PER_ITEM
    log(f"seeding {items:,} items and {items * EVENTS_PER_ITEM:,} events with generate_series")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute(S10_CHECK_SQL)
        offices = conn.execute("SELECT id, code, kind FROM postal_office WHERE organisation_id = %s ORDER BY code",
                               [org.pk]).fetchall()
        sorting = [o for o in offices if o[2] == "sorting_centre"]
        delivery = [o for o in offices if o[2] == "delivery_office"]
        counters = [o for o in offices if o[2] == "post_office"]
        product = conn.execute("SELECT id FROM postal_product WHERE organisation_id = %s AND code = 'registered'",
                               [org.pk]).fetchone()[0]
        t0 = time.monotonic()
        # Items: serials 50,000,000 upwards (the allocation benchmark draws from the range's start).
        conn.execute(
            """
            INSERT INTO postal_item (number, organisation_id, product_id, origin_country, destination_country,
              sender_name, sender_phone, sender_address, recipient_name, recipient_phone, recipient_street,
              recipient_quartier, recipient_po_box, recipient_landmark, recipient_postcode, weight_g, price,
              payment_method, accepted_at, accepted_office_id, delivery_office_id, status, last_event_at,
              last_event_code, delivered_at, needs_review, pickup_code_hash, created_at)
            SELECT bench_s10('RR', 50000000 + g, 'DZ'), %(org)s, %(product)s, 'DZ', 'DZ',
              'Expéditeur ' || g, '+21355' || lpad((g %% 10000000)::text, 7, '0'), 'Rue ' || (g %% 500),
              'Destinataire ' || g,
              '+21366' || lpad((g %% 10000000)::text, 7, '0'), (g %% 200) || ' rue Didouche Mourad', '', '', '',
              '16000', 20 + g %% 1000, 180, 'cash', t, (%(counters)s::int[])[1 + g %% %(nc)s],
              (%(delivery)s::int[])[1 + g %% %(nd)s], 'delivered', t + interval '3 days', 'EMI',
              t + interval '3 days', false, '', t
            FROM generate_series(1, %(items)s) AS g,
                 LATERAL (SELECT now() - interval '400 days'
                                 + interval '1 second' * (g::float8 * 34560000 / %(items)s)) AS x(t)
            """,
            {"org": org.pk, "product": product, "items": items, "counters": [o[0] for o in counters],
             "nc": len(counters), "delivery": [o[0] for o in delivery], "nd": len(delivery)},
        )
        log(f"  items: {time.monotonic() - t0:.0f} s")
        saved = conn.execute(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = 'postal_trackingevent'::regclass AND contype IN ('u', 'f')""").fetchall()
        indexes = conn.execute(
            """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'postal_trackingevent'
               AND indexname NOT IN (SELECT conname FROM pg_constraint
                                     WHERE conrelid = 'postal_trackingevent'::regclass)""").fetchall()
        for conname, _ in saved:
            conn.execute(f'ALTER TABLE postal_trackingevent DROP CONSTRAINT "{conname}"')
        for indexname, _ in indexes:
            conn.execute(f'DROP INDEX "{indexname}"')
        t0 = time.monotonic()
        conn.execute(
            """
            INSERT INTO postal_trackingevent (item_id, code, occurred_at, recorded_at, office_id, office_code, device,
              source, latitude, longitude, reason_code, action_code, signatory, details, fingerprint, flagged,
              flag_reason)
            SELECT i.id, (ARRAY['EMA','EDD','EDE','EMG','EMI'])[k + 1],
              i.created_at + k * interval '17 hours', i.created_at + k * interval '17 hours' + interval '4 minutes',
              o.id, o.code, 'SEED-SCN-' || lpad((i.id %% 400)::text, 4, '0'), 'bulk',
              CASE WHEN k = 4 THEN 36.7 + (i.id %% 1000) / 10000.0 END,
              CASE WHEN k = 4 THEN 3.05 + (i.id %% 1000) / 10000.0 END, '', '',
              CASE WHEN k = 4 THEN 'Destinataire ' || i.id ELSE '' END,
              jsonb_build_object('bag', 'DZALGA' || lpad((i.id %% 99999)::text, 5, '0'), 'operator',
                                 'agent' || (i.id %% 300), 'batch', 'B' || (i.id / 5000), 'remark', ''),
              lpad(to_hex(i.id), 12, '0') || '-' || md5(i.id::text || '/' || k)
                || substr(md5(k || '/' || i.id::text), 1, 19), false, ''
            FROM postal_item i CROSS JOIN generate_series(0, 4) AS k
            JOIN postal_office o ON o.id = CASE
              WHEN k = 0 THEN i.accepted_office_id
              WHEN k IN (1, 2) THEN (%(sorting)s::int[])[1 + i.id %% %(ns)s]
              ELSE i.delivery_office_id END
            WHERE i.organisation_id = %(org)s AND i.number LIKE 'RR5%%'
            """,
            {"org": org.pk, "sorting": [o[0] for o in sorting], "ns": len(sorting)},
        )
        log(f"  events: {time.monotonic() - t0:.0f} s; rebuilding indexes and constraints")
        t0 = time.monotonic()
        for _, definition in indexes:
            conn.execute(definition)
        for conname, definition in saved:
            conn.execute(f'ALTER TABLE postal_trackingevent ADD CONSTRAINT "{conname}" {definition}')
        log(f"  indexes and constraints: {time.monotonic() - t0:.0f} s")
        conn.execute("ANALYZE postal_item")
        conn.execute("ANALYZE postal_trackingevent")


# --------------------------------------------------------------------------------------------------------------
# 2. Ingest


def in_flight_items(org, count: int, start_serial: int):
    """Items accepted yesterday with their EMA scan, as the counters of a day would leave them."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(S10_CHECK_SQL)
        cur.execute(
            """
            WITH made AS (
              INSERT INTO postal_item (number, organisation_id, product_id, origin_country, destination_country,
                sender_name, sender_phone, sender_address, recipient_name, recipient_phone, recipient_street,
                recipient_quartier, recipient_po_box, recipient_landmark, recipient_postcode, weight_g, price,
                payment_method, accepted_at, accepted_office_id, delivery_office_id, status, last_event_at,
                last_event_code, needs_review, pickup_code_hash, created_at)
              SELECT bench_s10('CP', %(start)s + g, 'DZ'), %(org)s, p.id, 'DZ', 'DZ', 'Expéditeur', '+213550000000',
                '', 'Destinataire', '+213660000000', '1 rue', '', '', '', '16000', 50, 180, 'cash',
                now() - interval '1 day', o.id, o.id, 'accepted', now() - interval '1 day', 'EMA', false, '',
                now() - interval '1 day'
              FROM generate_series(1, %(count)s) AS g,
                   (SELECT id FROM postal_product WHERE organisation_id = %(org)s AND code = 'parcel') AS p,
                   (SELECT id FROM postal_office WHERE organisation_id = %(org)s AND kind = 'post_office'
                    ORDER BY code LIMIT 1) AS o
              RETURNING id, number, accepted_office_id, created_at)
            INSERT INTO postal_trackingevent (item_id, code, occurred_at, recorded_at, office_id, office_code,
              device, source, reason_code, action_code, signatory, details, fingerprint, flagged, flag_reason)
            SELECT made.id, 'EMA', made.created_at, made.created_at, made.accepted_office_id, '', 'BENCH', 'counter',
              '', '', '', '{}'::jsonb,
              lpad(to_hex(made.id), 12, '0') || '-' || md5('bench' || made.id) || substr(md5(made.number), 1, 19),
              false, ''
            FROM made RETURNING item_id
            """,
            {"start": start_serial, "count": count, "org": org.pk},
        )
        cur.execute("SELECT number FROM postal_item WHERE number LIKE 'CP%%' AND organisation_id = %s", [org.pk])
        return [row[0] for row in cur.fetchall()]


def _ingester(url: str, org_pk: int, numbers: list[str], total: int, batch: int, barrier, queue) -> None:
    setup_django(url)
    from django.utils import timezone

    from bawaba.orgs.models import Organisation
    from bawaba.postal.models import EventSource, Office
    from bawaba.postal.tracking import EventInput, record_events

    org = Organisation.objects.get(pk=org_pk)
    sorting = Office.objects.filter(organisation=org, kind="sorting_centre").order_by("code").first()
    now = timezone.now()
    rows = []
    for code, minutes in (("EDD", 300), ("EDE", 240)):  # into the sorting centre, then out of it
        rows.extend(EventInput(number=n, code=code, occurred_at=now - dt.timedelta(minutes=minutes - i % 60),
                               office_code=sorting.code, device="SCN-0042",
                               details={"bag": "DZALGA00042", "operator": "agent42"})
                    for i, n in enumerate(numbers))
    rows = rows[:total]
    record_events(org, rows[:1], source=EventSource.BULK, now=now)  # connection and caches warm
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    durations, created = [], 0
    barrier.wait()
    cpu_client, cpu_server = time.process_time(), _cpu_seconds(backend)
    for first in range(1, len(rows), batch):
        t0 = time.perf_counter()
        result = record_events(org, rows[first:first + batch], source=EventSource.BULK, now=now)
        durations.append(time.perf_counter() - t0)
        created += len(result.created)
    cpu_client, cpu_server = time.process_time() - cpu_client, _cpu_seconds(backend) - cpu_server
    queue.put((created + 1, durations, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, cpu_client,
               cpu_server))


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a local process, e.g. this connection's PostgreSQL backend."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def bench_ingest(url: str, org, total: int, batch: int, workers: int) -> dict:
    """``workers`` processes (a sorting centre's uploads and the API's calls arrive in parallel), each with its
    own items, each sending batches of ``batch`` scans as fast as record_events takes them."""
    numbers = in_flight_items(org, total // 2, 70_000_000)
    log(f"ingest: {len(numbers):,} items in flight; {total:,} scans in batches of {batch:,}, {workers} process(es)")
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(workers + 1), ctx.Queue()
    share = [numbers[i::workers] for i in range(workers)]
    procs = [ctx.Process(target=_ingester, args=(url, org.pk, part, total // workers, batch, barrier, queue))
             for part in share]
    for p in procs:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    results = [queue.get() for _ in procs]
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
    created = sum(r[0] for r in results)
    durations = [d for r in results for d in r[1]]
    cpu = sum(r[3] + r[4] for r in results)
    log(f"ingest: {created:,} events in {elapsed:.1f} s; CPU used: client {sum(r[3] for r in results):.1f} s, "
        f"PostgreSQL backends {sum(r[4] for r in results):.1f} s, i.e. {created / cpu:,.0f} events per CPU-second; "
        f"load average {os.getloadavg()[0]:.1f}")
    return {"events": created, "seconds": elapsed, "rate": created / elapsed, "p50": percentile(durations, 50),
            "p95": percentile(durations, 95), "maxrss_mb": max(r[2] for r in results),
            "per_cpu_second": created / cpu if cpu else float("nan")}


def cleanup(org) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DELETE FROM postal_trackingevent WHERE item_id IN (SELECT id FROM postal_item "
                    "WHERE organisation_id = %s AND number NOT LIKE 'RR5%%')", [org.pk])
        cur.execute("DELETE FROM postal_item WHERE organisation_id = %s AND number NOT LIKE 'RR5%%'", [org.pk])


# --------------------------------------------------------------------------------------------------------------
# 3. Lookups


def bench_lookups(rate: float, duration: float, threads: int = 4) -> dict:
    from django.db import connection

    from bawaba.postal.tracking import public_timeline

    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM postal_item WHERE number LIKE 'RR5%%'")
        low, high = cur.fetchone()
        picks = random.Random(7).sample(range(low, high + 1), min(20000, high - low + 1))
        cur.execute("SELECT number FROM postal_item WHERE id = ANY(%s)", [picks])
        numbers = [row[0] for row in cur.fetchall()]
    total = int(rate * duration)
    schedule = [i / rate for i in range(total)]
    latencies: list[float] = []
    lock = threading.Lock()
    cursor = {"next": 0}
    found = {"n": 0}
    start = time.perf_counter() + 0.5

    def worker():
        rng = random.Random(threading.get_ident())
        mine = []
        hits = 0
        while True:
            with lock:
                i = cursor["next"]
                cursor["next"] += 1
            if i >= total:
                break
            due = start + schedule[i]
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            timeline = public_timeline(rng.choice(numbers))
            hits += timeline is not None and len(timeline.events) == EVENTS_PER_ITEM
            mine.append(time.perf_counter() - due)
        connection.close()
        with lock:
            latencies.extend(mine)
            found["n"] += hits

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - start
    return {"lookups": len(latencies), "seconds": elapsed, "rate": len(latencies) / elapsed,
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "p99": percentile(latencies, 99),
            "complete": found["n"]}


# --------------------------------------------------------------------------------------------------------------
# 4. Allocation


def _counter(url: str, org_pk: int, count: int, queue) -> None:
    setup_django(url)
    from django.db import transaction
    from django.utils import timezone

    from bawaba.postal.models import Item, Office, Product
    from bawaba.postal.numbering import allocate

    product = Product.objects.get(organisation_id=org_pk, code="ems")
    office = Office.objects.filter(organisation_id=org_pk, kind="post_office").order_by("code").first()
    numbers, durations = [], []
    for _ in range(count):
        t0 = time.perf_counter()
        with transaction.atomic():
            now = timezone.now()
            number = str(allocate(product, office, now=now))
            Item.objects.create(number=number, organisation_id=org_pk, product=product, origin_country="DZ",
                                destination_country="DZ", accepted_at=now, accepted_office=office,
                                status="accepted", created_at=now)
        durations.append(time.perf_counter() - t0)
        numbers.append(number)
    queue.put((numbers, durations))


def bench_allocation(url: str, org, counters: int, each: int) -> dict:
    from bawaba.postal.models import S10Range

    rng = S10Range.objects.get(organisation=org, indicator="EE")
    before = S10Range.objects.get(pk=rng.pk).next_serial
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_counter, args=(url, org.pk, each, queue)) for _ in range(counters)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - started
    numbers = [n for r in results for n in r[0]]
    durations = [d for r in results for d in r[1]]
    after = S10Range.objects.get(pk=rng.pk).next_serial
    return {"allocated": len(numbers), "distinct": len(set(numbers)), "range_moved": after - before,
            "seconds": elapsed, "rate": len(numbers) / elapsed, "p50": percentile(durations, 50),
            "p95": percentile(durations, 95)}


# --------------------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--ingest", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2, help="ingesting processes")
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--counters", type=int, default=8)
    parser.add_argument("--allocations", type=int, default=250)
    parser.add_argument("--only", choices=["seed", "ingest", "lookup", "allocation"], action="append")
    args = parser.parse_args()
    only = set(args.only or ["ingest", "lookup", "allocation"])

    log(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    info = prepare(args.url, args.events, args.reseed)
    from django.db import connection

    from bawaba.orgs.models import Organisation

    org = Organisation.objects.get(slug="algerie-poste")
    with connection.cursor() as cur:
        cur.execute("SELECT version(), pg_size_pretty(pg_total_relation_size('postal_trackingevent')), "
                    "(SELECT reltuples::bigint FROM pg_class WHERE relname = 'postal_trackingevent')")
        version, size, rows = cur.fetchone()
    log(f"database {info['database']}: seed {info['seed']}; {version.split(',')[0]}; "
        f"events table ~{rows:,} rows, {size} with indexes")
    table = []
    try:
        if "ingest" in only:
            r = bench_ingest(args.url, org, args.ingest, args.batch, args.workers)
            table.append((f"bulk ingest ({args.workers} process(es))", f"{r['rate']:,.0f} events/s",
                          f"{r['p50'] * 1000:.0f} / {r['p95'] * 1000:.0f} ms per {args.batch:,}",
                          f"{r['maxrss_mb']:.0f} MB RSS / process", "OK" if r["rate"] >= TARGET_INGEST else "MISSED"))
            table.append(("  CPU cost (client + PostgreSQL)", f"{r['per_cpu_second']:,.0f} events/CPU-s", "",
                          f"2 idle cores: ~{2 * r['per_cpu_second']:,.0f}/s", ""))
        if "lookup" in only:
            r = bench_lookups(args.rate, args.duration)
            table.append(("public lookup (public_timeline)", f"{r['rate']:,.0f} lookups/s",
                          f"{r['p50'] * 1000:.1f} / {r['p95'] * 1000:.1f} ms (p99 {r['p99'] * 1000:.1f})",
                          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB RSS",
                          "OK" if r["p95"] * 1000 < TARGET_LOOKUP_P95_MS and r["complete"] == r["lookups"]
                          else "MISSED"))
        if "allocation" in only:
            r = bench_allocation(args.url, org, args.counters, args.allocations)
            ok = r["distinct"] == r["allocated"] == r["range_moved"]
            table.append((f"S10 allocation ({args.counters} processes)", f"{r['rate']:,.0f} items/s",
                          f"{r['p50'] * 1000:.1f} / {r['p95'] * 1000:.1f} ms",
                          f"{r['allocated']:,} numbers, {r['distinct']:,} distinct",
                          "OK" if ok else "DUPLICATES"))
    finally:
        cleanup(org)
    widths = [34, 20, 34, 28, 10]
    header = ("operation", "throughput", "p50 / p95", "memory / check", "target")
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in table:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    log(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    return 0 if all(row[-1] in ("OK", "") for row in table) else 1


if __name__ == "__main__":
    sys.exit(main())
