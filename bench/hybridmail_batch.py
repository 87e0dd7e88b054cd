"""Hybrid-mail benchmark: a 100,000-letter mail merge from submission until every letter is print-ready.

    .venv/bin/python bench/hybridmail_batch.py                   # 100,000 letters, PostgreSQL, 2 worker processes
    .venv/bin/python bench/hybridmail_batch.py --letters 5000    # a shorter run
    .venv/bin/python bench/hybridmail_batch.py --sqlite          # the embedded default's database

It (re)creates the database named in DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bawaba_mail_bench),
migrates it, seeds Algérie Poste, a ministry with a sender account, the products (the registered one with its
postal product and an S10 range) and a tariff, one print centre covering every wilaya, and mailboxes for
--mailbox-share of the recipients; writes a list (CSV) of --letters rows with real postcodes; starts a real Huey
consumer (`manage.py run_huey`, --workers worker processes); submits the merge through senders.submit_merge as the
web page and the API do; waits until every letter is made, checked, stored encrypted, attested
(SubmissionAcceptance) and dispatched: DEPOSITED in a mailbox (with its SMS notice) or TO_PRINT at the centre; then
builds the print runs until every paper letter is in a run with its PDF (a 2-D code per sheet) and its manifest:
print-ready. --runs queue (default) queues one task per run (runs.queue_runs, as the periodic job does) for the
same worker processes; --runs inline builds them in this process (runs.build_runs), its CPU measured alone.
Target: under 10 minutes for 100,000 letters.

CPU per letter: the Huey consumer and its workers (from /proc while they run: making and dispatch, then run
building when queued), the run building (this process, inline), and every PostgreSQL process on the machine
(from /proc: other sessions' queries count too on a shared machine). A warning is printed when the load average
is above 1.5 per core at the start.

Prints the environment (with the load average: the machine may be shared), the parameters and a table.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bawaba_mail_bench"

BODY = """Madame, Monsieur {nom},

Nous vous informons que votre dossier n° {dossier} a été examiné par nos services. Vous trouverez ci-dessous les
suites qui lui sont données et les démarches éventuelles à accomplir avant le {echeance}.

Pour toute question, adressez-vous au bureau de poste le plus proche ou consultez votre boîte postale électronique.

السيد(ة) {nom}، نعلمكم أن ملفكم رقم {dossier} قد تمت دراسته.

Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées."""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="Huey worker processes")
    parser.add_argument("--mailbox-share", type=float, default=0.3, help="recipients with a mailbox")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--runs", choices=("queue", "inline"), default="queue",
                        help="build the print runs in the Huey workers, one task per run (queue, as the periodic "
                             "job does), or in this process (inline: its CPU measured alone)")
    return parser.parse_args()


def prepare_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def seed(letters: int, mailbox_share: float):
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from bawaba.accounts.models import User
    from bawaba.geo.models import Commune, Region
    from bawaba.hybridmail.identity import id_hash, last_digits
    from bawaba.hybridmail.models import (
        IdentityRecord,
        Mailbox,
        MailProduct,
        MailTariff,
        MailTariffLine,
        OpenedVia,
        Path,
        PrintCentre,
        SenderProfile,
    )
    from bawaba.hybridmail.references import mailbox_number
    from bawaba.orgs.services import do_add_staff, do_onboard_organisation

    poste = do_onboard_organisation({"slug": "algerie-poste", "kind": "operator", "name_fr": "Algérie Poste",
                                     "services": [{"slug": "courrier", "name_fr": "Courrier"}]})
    ministry = do_onboard_organisation({"slug": "min-finances", "kind": "administration",
                                        "name_fr": "Ministère des Finances",
                                        "services": [{"slug": "courrier", "name_fr": "Courrier"}]})
    profile = SenderProfile.objects.create(organisation=ministry, operator=poste,
                                           return_address="Ministère des Finances\nImmeuble Ahmed Francis\n16000 Alger")
    do_add_staff(ministry, {"username": "mf.sender", "roles": ["hybridmail.sender"], "password": "bench bench 42"})
    from bawaba.postal.models import Product
    from bawaba.postal.numbering import do_create_range

    postal = Product.objects.create(organisation=poste, code="registered", indicator="RR", name_fr="Recommandé")
    do_create_range(postal, first=10_000_000, last=10_000_000 + max(letters, 1000) + 999)
    product = MailProduct.objects.create(operator=poste, code="recommande", name_fr="Lettre recommandée hybride",
                                         registered=True, path=Path.DIGITAL_THEN_PAPER, postal_product=postal)
    tariff = MailTariff.objects.create(operator=poste, label="bench", valid_from=dt.date(2020, 1, 1))
    MailTariffLine.objects.create(tariff=tariff, product=product, digital_price=Decimal("25"),
                                  paper_price=Decimal("120"), extra_sheet_price=Decimal("10"))
    profile.products.add(product)
    centre = PrintCentre.objects.create(operator=poste, code="national", name_fr="Centre national")
    centre.regions.set(Region.objects.filter(country="DZ"))
    communes = list(Commune.objects.filter(region__country="DZ").exclude(postal_code="")
                    .values_list("postal_code", "name_fr", "id"))
    rows = []
    identities, boxes = [], []
    now = timezone.now()
    for i in range(letters):
        postcode, commune, commune_id = communes[i % len(communes)]
        nin = f"1{i:017d}"
        rows.append([f"Citoyen{i} Benali", f"{i % 300 + 1} rue de la République", postcode, commune, nin,
                     f"D-{i:06d}", "31/12/2026"])
        if (i * 7919) % 1000 < mailbox_share * 1000:
            identities.append(IdentityRecord(country="DZ", id_hash=id_hash(nin), id_last_digits=last_digits(nin),
                                             full_name=f"Citoyen{i} Benali", source="bench"))
    IdentityRecord.objects.bulk_create(identities, batch_size=2000)
    for identity in IdentityRecord.objects.filter(source="bench"):
        boxes.append(Mailbox(number=mailbox_number("DZ"), operator=poste, identity=identity,
                             holder_name=identity.full_name, phone="+213661234567", language="fr",
                             opened_via=OpenedVia.SMS, opened_at=now))
    Mailbox.objects.bulk_create(boxes, batch_size=2000)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["nom", "adresse", "code_postal", "commune", "nin", "dossier", "echeance"])
    writer.writerows(rows)
    return profile, User.objects.get(username="mf.sender"), out.getvalue().encode(), len(boxes)


def postgres_cpu_seconds() -> float:
    """CPU time (user + system) of every PostgreSQL process on this machine, from /proc (the server is local)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if name.startswith("postgres"):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def task_times(log_path: Path) -> dict[str, tuple[int, float]]:
    """Count and summed wall time of each job from the consumer's log ("<module>.<task>: <id> ... executed in
    1.234s"): where the workers' time went."""
    import re

    runs: dict[str, tuple[str, float]] = {}  # by task id and attempt: the line may be logged by two handlers
    pattern = re.compile(r"([\w.]+)\.(\w+): ([0-9a-f-]+)[^\n]* executed in ([0-9.]+)s")
    for line in log_path.read_text(errors="replace").splitlines():
        match = pattern.search(line)
        if match:
            runs[f"{match.group(3)}:{match.group(4)}"] = (match.group(2), float(match.group(4)))
    times: dict[str, tuple[int, float]] = {}
    for name, seconds in runs.values():
        count, total = times.get(name, (0, 0.0))
        times[name] = (count + 1, total + seconds)
    return times


def consumer_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the Huey consumer and its worker processes so far, from /proc."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    children = {pid}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                children.add(int(entry))
    for child in children:
        try:
            stat = Path(f"/proc/{child}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def main():
    args = parse_args()
    load = os.getloadavg()[0]
    if load > 1.5 * (os.cpu_count() or 1):
        print(f"WARNING: the machine is busy (load average {load:.1f} on {os.cpu_count()} cores): wall times will "
              "be slow; compare the CPU per letter, which the load changes less.", flush=True)
    var_dir = tempfile.mkdtemp(prefix="bawaba-mail-bench-")
    os.environ["BAWABA_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
        prepare_postgres(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    call_command("migrate", verbosity=0)
    started = time.time()
    profile, user, table, boxes = seed(args.letters, args.mailbox_share)
    seed_seconds = time.time() - started
    log_path = Path(var_dir) / "huey.log"
    consumer = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "run_huey", "--workers", str(args.workers),
                                 "-k", "process"], env=os.environ.copy(), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=log_path.open("wb"))
    from bawaba.hybridmail import senders
    from bawaba.hybridmail.models import Letter

    load_before = os.getloadavg()
    pg_before = postgres_cpu_seconds()
    try:
        t0 = time.time()
        batch, _ = senders.submit_merge(profile, user, "recommande", subject="Dossier {dossier}", body=BODY,
                                        table=table, window_code="din5008_b", label="bench")
        t_submitted = time.time() - t0
        last = -1
        while True:
            batch.refresh_from_db()
            made = Letter.objects.filter(batch=batch).count()
            if made != last:
                print(f"  {time.time() - t0:7.1f} s  {made:>7} letters made, chunks {batch.chunks_done}/"
                      f"{batch.chunks_total}, load {os.getloadavg()[0]:.1f}", flush=True)
                last = made
            if batch.finished_at is not None:
                pending = Letter.objects.filter(batch=batch, state="accepted").count()
                if not pending:
                    break
            if time.time() - t0 > args.timeout or consumer.poll() is not None:
                print("stopped: timeout or the consumer died (see", log_path, ")")
                break
            time.sleep(2)
        t_dispatched = time.time() - t0
        dispatch_cpu = consumer_cpu_seconds(consumer.pid)
        from bawaba.hybridmail import runs

        if args.runs == "queue":
            # Print-ready: the periodic job's way, one task per run, built by the workers side by side.
            r0 = time.time()
            from bawaba.hybridmail.models import PrintCentre
            from bawaba.hybridmail.tasks_print import build_print_run

            runs.route_waiting()
            handles = [build_print_run(centre.pk, ids)  # what runs.queue_runs queues, keeping the results
                       for centre in PrintCentre.objects.filter(is_active=True).order_by("pk")
                       for ids in runs.plan_runs(centre)]
            queued = len(handles)
            for handle in handles:
                try:
                    handle.get(blocking=True, timeout=max(1.0, args.timeout - (time.time() - t0)))
                except Exception as exc:  # noqa: BLE001 - reported, the table shows what was left out
                    print("a run task failed or timed out:", exc, "(see", log_path, ")")
            t_runs = time.time() - r0
            runs_cpu = consumer_cpu_seconds(consumer.pid) - dispatch_cpu
            waiting = Letter.objects.filter(batch=batch, state="to_print").values_list("reference", flat=True)
            built = runs.BuildResult(skipped=dict.fromkeys(waiting, "waiting"))
            built.runs = list(range(queued))
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
    import resource

    worker_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = worker_cpu.ru_utime + worker_cpu.ru_stime
    if args.runs == "inline":
        # Print-ready: every paper letter in a run with its PDF and manifest (runs.build_runs), in this process
        # so that its CPU is measured alone.
        cpu0, r0 = time.process_time(), time.time()
        built = runs.build_runs()
        t_runs, runs_cpu = time.time() - r0, time.process_time() - cpu0
    else:
        worker_cpu = dispatch_cpu
    elapsed = t_dispatched + t_runs
    pg_cpu = postgres_cpu_seconds() - pg_before
    load_after = os.getloadavg()
    states = dict(Letter.objects.filter(batch=batch).values_list("state").annotate(n=Count("id")).order_by())
    print()
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
          f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} (the machine is shared: noisy)")
    print(f"letters: {args.letters}, chunk: {senders.CHUNK}, workers: {args.workers} processes, "
          f"mailboxes: {boxes}, seeding: {seed_seconds:.0f} s")
    print()
    print(f"| {'step':<42} | {'value':>14} |")
    print(f"|{'-' * 44}|{'-' * 16}|")
    rows = [("list checked and stored (submit_merge)", f"{t_submitted:.1f} s"),
            ("until every letter dispatched", f"{t_dispatched:.1f} s"),
            (f"print runs built ({len(built.runs)} runs)", f"{t_runs:.1f} s"),
            ("until print-ready (dispatched + runs)", f"{elapsed:.1f} s"),
            ("worker CPU per letter (making, dispatch)", f"{worker_cpu * 1000 / args.letters:.1f} ms"),
            (f"run-building CPU per paper letter ({args.runs})",
             f"{runs_cpu * 1000 / max(1, states.get('in_run', 0)):.1f} ms"),
            ("PostgreSQL CPU per letter (all backends)", f"{pg_cpu * 1000 / args.letters:.1f} ms"),
            ("letters left out of runs", str(len(built.skipped))),
            ("letters per second", f"{args.letters / elapsed:.0f}"),
            ("target (100,000 letters)", "< 600 s")]
    rows += [(f"letters {state}", str(count)) for state, count in sorted(states.items())]
    for name, value in rows:
        print(f"| {name:<42} | {value:>14} |")
    times = task_times(log_path)
    if times:
        print()
        print("Workers' time by job (wall time summed over the workers, from the consumer's log):")
        print(f"| {'job':<28} | {'tasks':>6} | {'seconds':>8} | {'ms per letter':>13} |")
        for name, (count, total) in sorted(times.items(), key=lambda item: -item[1][1]):
            print(f"| {name:<28} | {count:6d} | {total:8.1f} | {total * 1000 / args.letters:13.2f} |")
        print(f"| {'all':<28} | {sum(c for c, _t in times.values()):6d} | "
              f"{sum(t for _c, t in times.values()):8.1f} | |")


if __name__ == "__main__":
    main()
