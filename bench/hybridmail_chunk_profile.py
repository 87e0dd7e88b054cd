"""Profile one mail-merge chunk (500 letters) end to end in one process: make_chunk (render, check, encrypt,
store, evidence, dispatch) then build_runs (S10 numbers, imposition PDF with a 2-D code per sheet, manifest).

    DATABASE_URL=postgres://bawaba:bawaba@127.0.0.1:5432/bawaba_mailperf_prof .venv/bin/python \
        bench/hybridmail_chunk_profile.py [--letters 500] [--profile out.prof]

Prints CPU (time.process_time) and wall time per step, and the SQL statements of each step
(django's CaptureQueriesContext). The database named in DATABASE_URL is dropped and created again.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    os.environ["BAWABA_VAR_DIR"] = tempfile.mkdtemp(prefix="bawaba-mail-prof-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["EVIDENCE_STAMP_AT_ONCE"] = "0"
    import hybridmail_batch as hb

    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        hb.prepare_postgres(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    profile, user, table, _boxes = hb.seed(args.letters, 0.3)
    from bawaba.hybridmail import runs, senders

    senders.queue_chunks = lambda batch_id, count: None
    senders.CHUNK = max(senders.CHUNK, args.letters)
    batch, _ = senders.submit_merge(profile, user, "recommande", subject="Dossier {dossier}", body=hb.BODY,
                                    table=table, window_code="din5008_b", label="prof")
    prof = cProfile.Profile() if args.profile else None
    rows = []
    for name, step in (("make_chunk", lambda: senders.make_chunk(batch.pk, 0)), ("build_runs", runs.build_runs)):
        cpu, wall = time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            if prof:
                prof.enable()
            step()
            if prof:
                prof.disable()
        rows.append((name, time.process_time() - cpu, time.perf_counter() - wall, len(queries)))
    if prof:
        prof.dump_stats(args.profile)
    print(f"database: {connection.vendor}; letters: {args.letters}; load: {os.getloadavg()}")
    print(f"| {'step':<12} | {'CPU s':>7} | {'CPU ms/letter':>13} | {'wall s':>7} | {'SQL':>6} | {'SQL/letter':>10} |")
    for name, cpu, wall, count in rows:
        print(f"| {name:<12} | {cpu:7.2f} | {cpu * 1000 / args.letters:13.2f} | {wall:7.2f} | {count:6d} | "
              f"{count / args.letters:10.2f} |")


if __name__ == "__main__":
    main()
