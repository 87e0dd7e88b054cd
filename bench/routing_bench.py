"""Routing classifier benchmark: latency of one prediction, throughput, memory.

    .venv/bin/python bench/routing_bench.py [--requests 3000] [--batch 256]

Prints the environment, the parameters and a table. Target: under 5 ms per request (p95 of predict_one).
Texts are the corpus and challenge texts in random order, a few with a subject line prepended as
`route()` does. The model is the one `get_classifier()` loads (ROUTING_MODEL_PATH if present, else shipped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import sklearn  # noqa: E402

from bawaba.routing import classifier, training  # noqa: E402

TARGET_MS = 5.0


def rss_mib() -> float:
    """Current resident set size (Linux /proc), else the peak from getrusage."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="predict_one calls to time")
    parser.add_argument("--batch", type=int, default=256, help="batch size for predict_many throughput")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rss_before = rss_mib()
    started = time.perf_counter()
    model = classifier.get_classifier()
    load_s = time.perf_counter() - started
    rss_loaded = rss_mib()

    pool = [e.text for e in training.load_examples() + training.load_examples(training.CHALLENGE_PATH)]
    rng = random.Random(args.seed)
    texts = [rng.choice(pool) for _ in range(args.requests)]
    texts = [f"Réclamation\n{t}" if i % 5 == 0 else t for i, t in enumerate(texts)]

    print("# Routing classifier benchmark")
    print(f"date        {dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"machine     {platform.machine()}, {os.cpu_count()} CPU cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"python      {platform.python_implementation()} {platform.python_version()}, "
          f"scikit-learn {sklearn.__version__}, numpy {np.__version__}")
    print(f"model       {model.path} ({model.path.stat().st_size / 1024 / 1024:.2f} MiB on disk, "
          f"{len(model.classes)} services, fast path {'on' if model._fast is not None else 'off'})")
    print(f"parameters  requests={args.requests} batch={args.batch} seed={args.seed} "
          f"texts: mean {statistics.fmean(len(t) for t in texts):.0f} chars")
    print()

    for text in texts[:50]:  # warm-up
        model.predict_one(text)
    gc.collect()
    timings = []
    cpu_start = time.thread_time()
    loop_start = time.perf_counter()
    for text in texts:
        start = time.perf_counter()
        model.predict_one(text)
        timings.append((time.perf_counter() - start) * 1000)
    single_s = time.perf_counter() - loop_start
    cpu_ms = (time.thread_time() - cpu_start) / len(texts) * 1000
    timings.sort()

    batch_start = time.perf_counter()
    for i in range(0, len(texts), args.batch):
        model.predict_many(texts[i:i + args.batch])
    batch_s = time.perf_counter() - batch_start
    rss_after = rss_mib()

    rows = [
        ("model load", f"{load_s * 1000:.0f} ms"),
        ("predict_one p50", f"{percentile(timings, 50):.2f} ms"),
        ("predict_one p95", f"{percentile(timings, 95):.2f} ms"),
        ("predict_one p99", f"{percentile(timings, 99):.2f} ms"),
        ("predict_one max", f"{timings[-1]:.2f} ms"),
        ("predict_one CPU time, mean", f"{cpu_ms:.2f} ms"),
        ("throughput, one by one", f"{len(texts) / single_s:.0f} texts/s"),
        (f"throughput, batches of {args.batch}", f"{len(texts) / batch_s:.0f} texts/s"),
        ("RSS before loading", f"{rss_before:.0f} MiB"),
        ("RSS after loading", f"{rss_loaded:.0f} MiB (+{rss_loaded - rss_before:.0f})"),
        ("RSS after the run", f"{rss_after:.0f} MiB"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|------:|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    p95 = percentile(timings, 95)
    verdict = "OK" if p95 < TARGET_MS else "ABOVE TARGET"
    print(f"\ntarget p95 < {TARGET_MS:.0f} ms per request: {verdict} ({p95:.2f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
