"""Hybrid mail: reconciliation of print runs with many missing pieces (bawaba.hybridmail.reconcile).

    .venv/bin/python bench/hybridmail_reconcile.py [--missing 1000] [--run-size 500] [--printed 0.5] [--keep]

--missing letters sit in print runs of --run-size pieces at one centre, past the runs' reconciliation time, none
reported handed (a share --printed reported "printed", the rest still "in the run"): reconciliation declares
every piece missing, sends each letter back to "to print" with its evidence record (RelayToNonERDSFailure,
reason "missing") and closes the runs. The reprint runs (PDF building, measured by bench/hybridmail_print_runs.py)
are left out: reconcile(reprint=False). Prints the environment, the parameters and a table: the database queries
and this process's CPU time (time.process_time: the shared machine's load moves wall-clock time, less CPU time;
on PostgreSQL the server's own CPU is not in it, the query count stands for it).

A throwaway database: PostgreSQL on loopback (default postgres://postgres@127.0.0.1:5432/bench_mail_reconcile,
recreated each run unless --keep) or, with --url sqlite, an SQLite file under a temporary BAWABA_VAR_DIR.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from mailbench import log, prepare_database, seed_sender  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_mail_reconcile"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--missing", type=int, default=1000)
    parser.add_argument("--run-size", type=int, default=500)
    parser.add_argument("--printed", type=float, default=0.5)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="reuse the database (no drop and migrate)")
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="bench-mail-reconcile-")
    if args.url == "sqlite":
        args.url = f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ.update(
        {
            "DATABASE_URL": args.url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "BAWABA_VAR_DIR": var_dir,
            "LOG_LEVEL": "ERROR",
            "EVIDENCE_STAMP_AT_ONCE": "0",
        }
    )
    os.environ.pop("TEST_DATABASE_NAME", None)
    if not args.keep or args.url.startswith("sqlite"):
        prepare_database(args.url, keep=args.keep)
    import django

    django.setup()
    import datetime as dt
    import hashlib
    import random

    from django.db import connection
    from django.utils import timezone

    from bawaba.evidence.models import EvidenceRecord
    from bawaba.hybridmail import reconcile, references
    from bawaba.hybridmail.models import (
        Batch,
        BatchKind,
        Letter,
        LetterState,
        PieceState,
        PrintPiece,
        PrintRun,
        RunState,
    )

    now = timezone.now()
    suffix = random.randrange(10**6)
    seeded = seed_sender()
    poste, ministry, ordinary, commune, centre = (seeded.poste, seeded.ministry, seeded.ordinary, seeded.commune,
                                                  seeded.centre)
    log(f"seeding {args.missing} letters in runs of {args.run_size}")
    batch = Batch.objects.create(
        reference=references.batch_reference(),
        sender=ministry,
        operator=poste,
        product=ordinary,
        kind=BatchKind.PDF,
        created_at=now,
    )
    printed = int(args.missing * args.printed)
    letters = Letter.objects.bulk_create(
        [
            Letter(
                reference=references.letter_reference(),
                batch=batch,
                sender=ministry,
                operator=poste,
                product=ordinary,
                position=i,
                recipient_name=f"Destinataire {i}",
                recipient_address="12 rue Didouche Mourad\n16000 Alger",
                recipient_postcode=commune.postal_code,
                recipient_commune=commune,
                content_path=f"letters/bench-{i}.bin",
                sha256=hashlib.sha256(str(i).encode()).hexdigest(),
                size_bytes=1000,
                pages=1,
                sheets=1,
                state=LetterState.PRINTED if i < printed else LetterState.IN_RUN,
                print_centre=centre,
                to_print_at=now - dt.timedelta(days=3),
                created_at=now - dt.timedelta(days=3),
            )
            for i in range(args.missing)
        ],
        batch_size=1000,
    )
    pieces = []
    for start in range(0, args.missing, args.run_size):
        run = PrintRun.objects.create(
            centre=centre,
            number=f"B{suffix}-{start // args.run_size + 1}",
            state=RunState.DOWNLOADED,
            pieces=min(args.run_size, args.missing - start),
            created_at=now - dt.timedelta(days=3),
            reconcile_after=now - dt.timedelta(hours=1),
        )
        for sequence, letter in enumerate(letters[start : start + args.run_size], start=1):
            pieces.append(
                PrintPiece(
                    run=run,
                    letter=letter,
                    sequence=sequence,
                    first_sheet=sequence,
                    sheets=1,
                    state=PieceState.PRINTED if letter.state == LetterState.PRINTED else PieceState.QUEUED,
                )
            )
    PrintPiece.objects.bulk_create(pieces, batch_size=1000)
    evidence_before = EvidenceRecord.objects.count()
    cpu = time.process_time()
    wall = time.monotonic()
    queries = []  # counted by a wrapper: CaptureQueriesContext keeps only the last 9,000

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        counts = reconcile.reconcile(now=now, reprint=False)
    cpu = time.process_time() - cpu
    wall = time.monotonic() - wall
    records = EvidenceRecord.objects.count() - evidence_before
    assert counts["missing"] == args.missing, counts
    assert records == args.missing, records
    assert Letter.objects.filter(batch=batch, state=LetterState.TO_PRINT).count() == args.missing
    load = os.getloadavg()
    print()
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
        f" {connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}"
    )
    print(f"load average: {load[0]:.1f} (shared machine: wall-clock time moves with it)")
    print(
        f"parameters: {args.missing} missing pieces ({printed} reported printed), runs of {args.run_size}, "
        "reprint=False"
    )
    print()
    print(
        "| missing | runs closed | evidence records | queries | queries/piece | CPU (this process) | CPU/piece | wall |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {counts['missing']} | {counts['closed']} | {records} | {len(queries)} | "
        f"{len(queries) / args.missing:.2f} | {cpu:.2f} s | {cpu / args.missing * 1000:.2f} ms | {wall:.2f} s |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
