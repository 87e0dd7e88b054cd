"""Hybrid mail: building print runs, from letters waiting at a centre to the runs' PDFs and manifests.

    .venv/bin/python bench/hybridmail_print_runs.py [--letters 2000] [--pages 2] [--registered 0.3] [--keep]

The part of issue 11's "100,000-letter batch to print-ready runs" that follows the sender's batch (mail-send's
bench/hybridmail_batch.py measures submission to "to print"): here, --letters letters already in "to print" at one
centre (each its own PDF of --pages A4 pages, stored encrypted in the vault; a share --registered of them
registered, so they get an S10 number and a postal item) are cut into runs of 500 by `runs.build_runs()`:
decrypt each letter, concatenate with qpdf, blank backs (duplex), a DataMatrix on every sheet, SHA-256, run PDF
encrypted in the vault, pieces, letters moved to "in a run". Prints the environment, the parameters and a table.

A throwaway PostgreSQL database on loopback (default postgres://postgres@127.0.0.1:5432/bench_mail_print,
recreated each run unless --keep), media and keys under a temporary BAWABA_VAR_DIR.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from mailbench import log, prepare_database, seed_sender  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_mail_print"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--registered", type=float, default=0.3)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="reuse the database (no drop and migrate)")
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="bench-mail-print-")
    os.environ.update({"DATABASE_URL": args.url, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0",
                       "BAWABA_VAR_DIR": var_dir, "LOG_LEVEL": "WARNING", "EVIDENCE_STAMP_AT_ONCE": "0"})
    os.environ.pop("TEST_DATABASE_NAME", None)
    if not args.keep:
        prepare_database(args.url, keep=False)
    import django

    django.setup()
    import datetime as dt
    import hashlib
    import random

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from bawaba.hybridmail import references, runs, vault
    from bawaba.hybridmail.demo import letter_pdf
    from bawaba.hybridmail.models import (
        Batch,
        BatchKind,
        Letter,
        LetterState,
        MailProduct,
    )
    from bawaba.hybridmail.models import (
        Path as MailPath,
    )
    from bawaba.postal.models import Product
    from bawaba.postal.numbering import do_create_range

    settings.MEDIA_ROOT = str(Path(var_dir) / "media")
    now = timezone.now()
    seeded = seed_sender()
    poste, ministry, ordinary, commune, centre = (seeded.poste, seeded.ministry, seeded.ordinary, seeded.commune,
                                                  seeded.centre)
    postal = Product.objects.create(organisation=poste, code="registered", indicator="RR", name_fr="Recommandé")
    first = random.randrange(20_000_000, 90_000_000, 100_000)  # a fresh range each run (--keep reuses the base)
    do_create_range(postal, first=first, last=first + 99_999)
    registered = MailProduct.objects.create(operator=poste, code="recommande", name_fr="Recommandé",
                                            path=MailPath.PAPER, registered=True, postal_product=postal)
    log(f"seeding {args.letters} letters of {args.pages} pages")
    started = time.monotonic()
    batch = Batch.objects.create(reference=references.batch_reference(), sender=ministry, operator=poste,
                                 product=ordinary, kind=BatchKind.PDF, created_at=now)
    rows = []
    for index in range(args.letters):
        reference = references.letter_reference()
        pdf = letter_pdf([f"Destinataire {index}", "12 rue Didouche Mourad", f"{commune.postal_code} Alger"],
                         pages=args.pages, subject=f"Lettre {index}")
        product = registered if index < args.letters * args.registered else ordinary
        rows.append(Letter(
            reference=reference, batch=batch, sender=ministry, operator=poste, product=product, position=index,
            recipient_name=f"Destinataire {index}", recipient_address="12 rue Didouche Mourad\n16000 Alger",
            recipient_postcode=commune.postal_code, recipient_commune=commune,
            content_path=vault.store(f"letters/{reference}.bin", pdf, bound_to=reference),
            sha256=hashlib.sha256(pdf).hexdigest(), size_bytes=len(pdf), pages=args.pages,
            sheets=(args.pages + 1) // 2, state=LetterState.TO_PRINT, print_centre=centre, to_print_at=now,
            created_at=now))
    Letter.objects.bulk_create(rows, batch_size=1000)
    log(f"seeded in {time.monotonic() - started:.1f} s")
    load_before = os.getloadavg()
    started = time.monotonic()
    result = runs.build_runs(now=now + dt.timedelta(minutes=1), centre=centre)
    elapsed = time.monotonic() - started
    load_after = os.getloadavg()
    sheets = sum(r.sheets for r in result.runs)
    sizes = [(vault.root() / r.pdf_path).stat().st_size for r in result.runs]
    print()
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
          f" {connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}")
    print(f"load average before / after: {load_before[0]:.1f} / {load_after[0]:.1f} (shared machine: figures move "
          "with it)")
    print(f"parameters: {args.letters} letters x {args.pages} pages, {args.registered:.0%} registered, duplex, "
          f"runs of {runs.max_pieces()} pieces, code {runs.symbology()}")
    print()
    print("| runs | pieces | sheets | skipped | build time | letters/s | per run | run PDF (MB, mean) | peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| {len(result.runs)} | {sum(r.pieces for r in result.runs)} | {sheets} | {len(result.skipped)} | "
          f"{elapsed:.1f} s | {args.letters / elapsed:.0f} | {elapsed / max(1, len(result.runs)):.1f} s | "
          f"{sum(sizes) / max(1, len(sizes)) / 1e6:.1f} | {rss:.0f} MB |")
    assert Letter.objects.filter(batch=batch, state=LetterState.IN_RUN).count() == args.letters
    assert Letter.objects.filter(batch=batch, product=registered).exclude(postal_item=None).count() == int(
        args.letters * args.registered + 0.999)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
