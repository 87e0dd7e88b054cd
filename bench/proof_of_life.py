"""Proof-of-life speed: one attempt (liveness + 1:1 match + decision) end to end, as the background worker runs it.

    .venv/bin/python bench/proof_of_life.py [--proofs 24] [--workers 2] [--size 640x480]

Attempts are generated from the shipped public-domain portraits (bawaba/lifeproof/biometrics/data/, make_clips):
13 JPEG frames each (neutral, blink, turn left, turn right, neutral between), at --size, as a phone page would
upload them. Each worker process loads the models once (as a Huey worker does), then runs
``assess(reference, frames, challenge, window)`` + ``decide``. Frames are generated before the clock starts.

Prints, for a sequential run and for a pool of --workers processes: proofs per minute (wall clock), p50/p95/max
latency of one proof, peak memory (RSS) of a worker, and whether the targets of issue 10 are met
(one proof < 2 s, >= 40 proofs per minute).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bawaba.lifeproof.biometrics import assess, compute_template, decide, new_challenge  # noqa: E402
from bawaba.lifeproof.biometrics import make_clips as clips  # noqa: E402

PORTRAITS = [
    "scanlon_mary_021762.jpg",
    "kaptur_marcy_015029.jpg",
    "hassan_maggie_041702.jpg",
    "boozman_john_020101.jpg",
    "pallone_frank_015454.jpg",
    "king_angus_041300.jpg",
    "scott_austin_021123.jpg",
    "biden_joseph_099913.jpg",
]
WINDOW_MS = 20_000


def _warm() -> None:
    from bawaba.lifeproof.biometrics import face

    face.models()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run(job):
    reference, frames, challenge = job
    started, cpu = time.perf_counter(), _cpu()
    decision = decide(assess(reference, frames, challenge, WINDOW_MS))
    elapsed = time.perf_counter() - started
    return elapsed, decision.outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, _cpu() - cpu


def make_jobs(count: int, size: tuple[int, int]):
    jobs = []
    references = {name: compute_template(clips.portrait(name)) for name in PORTRAITS}
    for i in range(count):
        name = PORTRAITS[i % len(PORTRAITS)]
        challenge = new_challenge()
        frames = clips.sequence(clips.portrait(name), challenge, seed=i, size=size)
        jobs.append((references[name], frames, challenge))
    return jobs


def measure(jobs, workers: int):
    started = time.perf_counter()
    if workers <= 1:
        _warm()
        started = time.perf_counter()
        results = [_run(job) for job in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
            list(pool.map(_warm_probe, range(workers)))  # models loaded in every worker before timing
            started = time.perf_counter()
            results = list(pool.map(_run, jobs))
    wall = time.perf_counter() - started
    return wall, results


def _warm_probe(_):
    time.sleep(0.2)
    return os.getpid()


def row(label, jobs, wall, results):
    latencies = sorted(r[0] for r in results)
    cpu = statistics.mean(r[3] for r in results)
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    outcomes = {o: sum(1 for r in results if r[1] == o) for o in ("accepted", "review", "refused")}
    rss = max(r[2] for r in results) / 1024
    per_minute = len(jobs) / wall * 60
    p50 = statistics.median(latencies)
    counts = "/".join(str(outcomes[o]) for o in ("accepted", "review", "refused"))
    print(
        f"| {label:<12} | {len(jobs):>6} | {wall:>6.1f} | {per_minute:>10.1f} |"
        f" {p50 * 1000:>6.0f} | {p95 * 1000:>6.0f} "
        f"| {latencies[-1] * 1000:>6.0f} | {cpu * 1000:>6.0f} | {rss:>7.0f} | {counts:>11} |"
    )
    return per_minute, p95, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proofs", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--size", default="640x480")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    jobs = make_jobs(args.proofs, size)
    frames = sum(len(job[1]) for job in jobs) / len(jobs)
    print(f"{len(jobs)} attempts of {frames:.0f} frames at {size[0]}x{size[1]} (JPEG, {len(PORTRAITS)} people)\n")
    print("| run          | proofs | wall s | proofs/min | p50 ms | p95 ms | max ms | CPU ms | peak MB | acc/rev/ref |")
    print("|--------------|--------|--------|------------|--------|--------|--------|--------|---------|-------------|")
    wall, results = measure(jobs, 1)
    per_minute, p95, cpu = row("sequential", jobs, wall, results)
    if args.workers > 1:
        wall, results = measure(jobs, args.workers)
        per_minute, p95, cpu = row(f"pool of {args.workers}", jobs, wall, results)
    capacity = (os.cpu_count() or 1) * 60 / cpu
    print(f"\nCPU time of one proof {cpu * 1000:.0f} ms: {capacity:.0f} proofs/min on {os.cpu_count()} free cores")
    print(
        f"load average after the run {os.getloadavg()[0]:.1f} (other work on the machine stretches wall-clock figures)"
    )
    ok = per_minute >= 40 and p95 < 2.0
    print(f"targets (one proof < 2 s at p95, >= 40 proofs/min, wall clock): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
