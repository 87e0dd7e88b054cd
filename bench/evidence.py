"""Evidence benchmark: one command, PostgreSQL by default.

    .venv/bin/python bench/evidence.py                       # 200 events/s for 30 s, embedded local authority
    .venv/bin/python bench/evidence.py --tsa loopback        # through a real RFC 3161 server (openssl ts) over HTTP
    .venv/bin/python bench/evidence.py --sqlite --seconds 10 # the embedded default's database

It (re)creates the database named in DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bawaba_evidence_bench),
migrates it, starts a real Huey consumer (`manage.py run_huey`, 2 worker threads) and then records evidence at a
steady rate, each event in its own transaction through services.record_evidence, as a module would. The
consumer seals and time-stamps them (the task queued after each commit). It measures:
  1. latency from each event to its record being sealed and time-stamped (token stored): p50, p95 (target
     < 1 s at 200 events/s), max; tokens asked and records per token;
  2. verifying one proof offline (JSON bundle, and the PDF that embeds it): p50, p95 (target < 50 ms);
  3. memory: peak RSS of the process recording the events and of the Huey consumer.
Prints the environment, the parameters and a table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bawaba_evidence_bench"
FLOW = ["SubmissionAcceptance", "ContentConsignment", "ConsignmentNotification", "ContentAccessTracking",
        "RelayToNonERDS", "ContentHandover"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200, help="events per second")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--letters", type=int, default=1000, help="subjects the events are spread over")
    parser.add_argument("--writers", type=int, default=8, help="threads recording events (concurrent requests)")
    parser.add_argument("--tsa", choices=["local", "loopback"], default="local")
    parser.add_argument("--sqlite", action="store_true", help="a fresh SQLite database instead of PostgreSQL")
    parser.add_argument("--proofs", type=int, default=50, help="proofs verified for the verification timing")
    return parser.parse_args()


def prepare_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def peak_rss_mb(pid: int | None = None) -> float:
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main():
    args = parse_args()
    load_start = os.getloadavg()[0]
    var_dir = tempfile.mkdtemp(prefix="evidence-bench-")
    os.environ["BAWABA_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["EVIDENCE_STAMP_AT_ONCE"] = "1"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
        prepare_postgres(os.environ["DATABASE_URL"])
    authority = None
    if args.tsa == "loopback":  # openssl ts -reply behind an HTTP handler, in a process of its own
        authority = subprocess.Popen([sys.executable, "-m", "bawaba.evidence.tests.tsa_server"], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        url, ca_path = authority.stdout.readline().split()
        os.environ["EVIDENCE_TSA_URL"] = url
        os.environ["EVIDENCE_TSA_TRUST_ROOTS"] = ca_path

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from bawaba.evidence import services
    from bawaba.evidence.models import EvidenceBatch, EvidenceRecord

    services.bundle_for("warm-up")  # makes the seal key and the local authority before the consumer starts
    services.verify_bundle(services.proof_for("warm-up", format="json"))
    consumer_log = Path(var_dir) / "huey.log"
    consumer = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "run_huey", "--workers", "2"],
                                env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=consumer_log.open("wb"))
    time.sleep(3)
    try:
        total = int(args.rate * args.seconds)
        content = hashlib.sha256(b"%PDF-1.7 letter").hexdigest()
        started = time.monotonic()
        lags = [0.0] * args.writers

        def writer(number: int) -> None:
            # Events come from many requests at once: each writer thread (its own database connection) takes
            # every n-th event of the schedule, in its own transaction.
            try:
                for index in range(number, total, args.writers):
                    delay = started + index / args.rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    else:
                        lags[number] = max(lags[number], -delay)
                    letter = index % args.letters
                    with transaction.atomic():
                        services.record_evidence(FLOW[(index // args.letters) % len(FLOW)],
                                                 subject=f"letter:{letter}", actor=("user:1", "sender"),
                                                 content_hash=content, payload={"letter": letter, "i": index})
            finally:
                connection.close()

        threads = [threading.Thread(target=writer, args=(number,)) for number in range(args.writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        behind = max(lags)
        recorded_in = time.monotonic() - started
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (not EvidenceRecord.objects.pending().exists()
                    and not EvidenceBatch.objects.filter(stamped_at__isnull=True).exists()):
                break
            time.sleep(0.2)
        consumer_rss = peak_rss_mb(consumer.pid)
    finally:
        consumer.terminate()
        try:
            consumer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.kill()
    pending = EvidenceRecord.objects.pending().count()
    rows = EvidenceRecord.objects.filter(batch__stamped_at__isnull=False).values_list("created_at",
                                                                                        "batch__stamped_at")
    latencies = [(stamped - created).total_seconds() for created, stamped in rows]
    batches = EvidenceBatch.objects.count()
    retried = EvidenceBatch.objects.filter(attempts__gt=1).count()
    tokens = EvidenceBatch.objects.filter(stamped_at__isnull=False).count()

    json_times, pdf_times, ok = [], [], 0
    for letter in range(min(args.proofs, args.letters)):
        data = services.proof_for(f"letter:{letter}", format="json")
        pdf = services.proof_for(f"letter:{letter}")
        t0 = time.perf_counter()
        report = services.verify_bundle(data)
        json_times.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        services.verify_bundle(pdf)
        pdf_times.append((time.perf_counter() - t0) * 1000)
        ok += report.ok
    records_per_proof = total / args.letters
    t0 = time.perf_counter()
    problems = services.audit()
    audit_s = time.perf_counter() - t0
    if authority is not None:
        authority.stdin.close()
        authority.wait(timeout=10)

    print(f"# Evidence benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
          f"load average at start / end: {load_start:.1f} / {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
    where = settings.EVIDENCE_TSA_URL or "embedded, in-process"
    print(f"database: {connection.vendor}  authority: {args.tsa} ({where})"
          f"  seal: Ed25519  batch window: {settings.EVIDENCE_BATCH_WINDOW_MS} ms  Huey: 2 worker threads"
          f"  writers: {args.writers} threads")
    print(f"parameters: {args.rate:g} events/s for {args.seconds:g} s = {total} events over {args.letters} letters")
    print()
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| events recorded | {total} in {recorded_in:.1f} s ({total / recorded_in:.0f}/s; generator at most "
          f"{behind * 1000:.0f} ms behind) | {args.rate:g}/s |")
    print(f"| sealed and time-stamped | {len(latencies)} (pending after 60 s: {pending}) | all |")
    print(f"| event -> sealed + time-stamped, p50 | {percentile(latencies, 0.5) * 1000:.0f} ms | |")
    print(f"| event -> sealed + time-stamped, p95 | {percentile(latencies, 0.95) * 1000:.0f} ms | < 1000 ms |")
    print(f"| event -> sealed + time-stamped, max | {max(latencies or [0]) * 1000:.0f} ms | |")
    print(f"| time-stamp tokens | {tokens} ({batches} batches, {total / max(batches, 1):.0f} records per token; "
          f"{retried} asked again after a failure) | |")
    print(f"| verify one proof (JSON, {records_per_proof:.0f} records), p50 / p95 | "
          f"{percentile(json_times, 0.5):.1f} / {percentile(json_times, 0.95):.1f} ms | < 50 ms |")
    print(f"| verify one proof (PDF), p50 / p95 | {percentile(pdf_times, 0.5):.1f} / "
          f"{percentile(pdf_times, 0.95):.1f} ms | < 50 ms |")
    print(f"| proofs valid | {ok} / {len(json_times)} | all |")
    print(f"| audit of the whole log | {audit_s:.1f} s, {len(problems)} problem(s) | 0 |")
    print(f"| peak RSS: recording process / Huey consumer | {peak_rss_mb():.0f} MB / {consumer_rss:.0f} MB | |")
    consumer_lines = consumer_log.read_text(errors="replace").splitlines()
    errors = [line for line in consumer_lines if "Traceback" in line or "Error" in line]
    if errors:
        print(f"consumer errors: {len(errors)}; first: {errors[0]}")


if __name__ == "__main__":
    main()
