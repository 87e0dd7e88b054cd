"""Near-duplicate photo look-up among many stored hashes: the band indexes against a full scan.

    .venv/bin/python bench/photo_similarity_bench.py [--rows 1000000] [--lookups 200] [--distance 10]

Builds a throw-away SQLite file with the `deployments_photo` hash columns and their indexes (as the migration
creates them), fills it with random 64-bit hashes, then times `photohash`'s band search (four indexed IN
look-ups, exact distance on the candidates) for hashes that have a near-duplicate stored, and one full scan
computing every distance for comparison. Prints the environment, the parameters and a table.
"""

import argparse
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bawaba.deployments.field import photohash  # noqa: E402  (pure functions: no database or settings needed)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--distance", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(1)
    print(f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"rows {args.rows:,}, lookups {args.lookups}, distance {args.distance}, bands {photohash.BANDS}")
    with tempfile.TemporaryDirectory() as folder:
        db = sqlite3.connect(Path(folder) / "bench.sqlite3")
        db.execute("CREATE TABLE photo (id INTEGER PRIMARY KEY, phash TEXT, b0 INTEGER, b1 INTEGER, b2 INTEGER, "
                   "b3 INTEGER)")
        started = time.perf_counter()
        batch = []
        for pk in range(1, args.rows + 1):
            value = f"{rng.getrandbits(64):016x}"
            batch.append((pk, value, *photohash.bands(value)))
            if len(batch) == 50_000:
                db.executemany("INSERT INTO photo VALUES (?, ?, ?, ?, ?, ?)", batch)
                batch = []
        db.executemany("INSERT INTO photo VALUES (?, ?, ?, ?, ?, ?)", batch)
        for band in range(photohash.BANDS):
            db.execute(f"CREATE INDEX photo_b{band} ON photo (b{band})")
        db.commit()
        load_s = time.perf_counter() - started

        targets = [rng.randrange(1, args.rows + 1) for _ in range(args.lookups)]
        timings, candidates = [], []
        for pk in targets:
            (stored,) = db.execute("SELECT phash FROM photo WHERE id = ?", [pk]).fetchone()
            value = int(stored, 16)
            for bit in rng.sample(range(64), args.distance):  # a copy exactly `distance` bits away
                value ^= 1 << bit
            query_hash = f"{value:016x}"
            started = time.perf_counter()
            radius = args.distance // photohash.BANDS
            flips = photohash._flips(radius)
            clauses, params = [], []
            for band, band_value in enumerate(photohash.bands(query_hash)):
                values = sorted(band_value ^ flip for flip in flips)
                clauses.append(f"b{band} IN ({','.join('?' * len(values))})")
                params += values
            rows = db.execute(f"SELECT id, phash FROM photo WHERE {' OR '.join(clauses)}", params).fetchall()
            found = [row_pk for row_pk, other in rows if photohash.distance(query_hash, other) <= args.distance]
            timings.append((time.perf_counter() - started) * 1000)
            candidates.append(len(rows))
            assert pk in found, "the band search missed a near-duplicate"
        started = time.perf_counter()
        scanned = sum(1 for _pk, other in db.execute("SELECT id, phash FROM photo")
                      if photohash.distance(query_hash, other) <= args.distance)
        scan_ms = (time.perf_counter() - started) * 1000
        assert scanned >= 1

    timings.sort()
    print()
    print(f"| measure | result |\n|---|---:|\n| load + indexes | {load_s:.1f} s |")
    print(f"| band search p50 | {statistics.median(timings):.1f} ms |")
    print(f"| band search p95 | {timings[int(len(timings) * 0.95) - 1]:.1f} ms |")
    print(f"| candidates read (mean) | {statistics.mean(candidates):.0f} of {args.rows:,} |")
    print(f"| full scan, for comparison | {scan_ms:.0f} ms |")


if __name__ == "__main__":
    main()
