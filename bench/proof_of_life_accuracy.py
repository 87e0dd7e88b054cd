"""Proof-of-life accuracy: 1:1 match error rates on the shipped labelled portraits, and a presentation-attack test.

    .venv/bin/python bench/proof_of_life_accuracy.py [--people 16] [--workers 2]

1. Match: every shipped public-domain portrait (bawaba/lifeproof/biometrics/data/SOURCES.md) is embedded (small
   faces included, which compute_template would refuse as reference photos); genuine pairs are two different
   photographs of one person (3 pairs), impostor pairs are photos of two different people. Prints the
   distances and the false match / false non-match rates at the policy's accept and review thresholds.
   The set is far too small to estimate error rates: a sanity check that the thresholds sit where the
   model's own operating point (0.6) puts them, nothing more.
2. Presentation attacks, on sequences GENERATED from the portraits (make_clips: no lawful recording of real
   blinks or head turns was available): per person, the bona fide attempt, then a photo held still, a replay
   of the recorded session against each of the 5 other challenge orders, the same frame sent again and again,
   two faces, no face, the challenge done too late, and another person doing the challenge. An attack is
   accepted when decide() says "accepted"; target 0 %.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
import zlib
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bawaba.lifeproof.biometrics import (  # noqa: E402
    CHALLENGE_STEPS,
    POLICIES,
    POLICY_VERSION,
    FaceError,
    Frame,
    assess,
    compute_template,
    decide,
)
from bawaba.lifeproof.biometrics import face as facemod  # noqa: E402
from bawaba.lifeproof.biometrics import make_clips as clips  # noqa: E402

WINDOW_MS = 20_000
ORDERS = list(itertools.permutations(CHALLENGE_STEPS))


def person_of(name: str) -> str:
    return name.rsplit("_", 1)[0]


def lenient_embedding(name: str) -> np.ndarray:
    rgb, scale, rects = facemod.analyse_image(clips.portrait(name))
    return facemod.embed(rgb, facemod.measure(rgb, rects[0], scale))


def match_report() -> None:
    names = sorted(p.name for p in clips.PORTRAITS.glob("*.jpg"))
    vectors = {name: lenient_embedding(name) for name in names}
    policy = POLICIES[POLICY_VERSION]
    genuine, impostor = [], []
    for a, b in itertools.combinations(names, 2):
        distance = float(np.linalg.norm(vectors[a] - vectors[b]))
        (genuine if person_of(a) == person_of(b) else impostor).append((distance, a, b))
    people = len({person_of(n) for n in names})
    print(f"## 1:1 match (policy {POLICY_VERSION}): {len(names)} photos of {people} people")
    print(f"{len(genuine)} genuine pairs (two photographs of one person), {len(impostor)} impostor pairs\n")
    print("| genuine pair | distance |")
    print("|---|---|")
    for distance, a, b in sorted(genuine):
        print(f"| {a} / {b} | {distance:.3f} |")
    impostor.sort()
    print("\nclosest impostor pairs: " + ", ".join(f"{a[:-4]}/{b[:-4]} {d:.3f}" for d, a, b in impostor[:3]))
    print("\n| threshold | false non-match (genuine over) | false match (impostor under or at) |")
    print("|---|---|---|")
    for label, threshold in (("accept", policy.match_accept_max), ("review", policy.match_review_max)):
        fnm = sum(1 for d, *_ in genuine if d > threshold)
        fm = sum(1 for d, *_ in impostor if d <= threshold)
        print(
            f"| {label} <= {threshold:.2f} | {fnm}/{len(genuine)} = {fnm / len(genuine):.0%} "
            f"| {fm}/{len(impostor)} = {fm / len(impostor):.1%} |"
        )
    refused = []
    for name in names:
        try:
            compute_template(clips.portrait(name))
        except FaceError as error:
            refused.append(f"{name} ({error.code})")
    print(f"\nreference photos refused by compute_template: {', '.join(refused) or 'none'}\n")


def _frames_without_face(name):
    canvas, _ = clips.staged(clips.portrait(name))
    corner = canvas[:60, :60]
    rng = np.random.default_rng(len(name))
    frames = []
    for i in range(8):  # a wall or a ceiling: the background of the portrait, with camera noise
        noisy = np.tile(corner, (4, 6, 1))[:240, :320] + rng.normal(0, 4, (240, 320, 3))
        frames.append(Frame(clips.encode(np.clip(noisy, 0, 255).astype(np.uint8)), i * 400))
    return frames


def run_case(case):
    kind, name, other, order, asked = case
    reference = compute_template(clips.portrait(name))
    recorded = clips.sequence(clips.portrait(name), order, seed=zlib.crc32(name.encode()) % 1000)
    window = WINDOW_MS
    if kind in ("bona fide", "replay, new order"):
        frames = recorded
    elif kind == "photo held still":
        frames = clips.still(clips.portrait(name), count=12)
    elif kind == "same frame again":
        frames = [Frame(recorded[0].image, i * 400) for i in range(10)]
    elif kind == "two faces":
        frames = [Frame(_side_by_side(f.image, clips.portrait(other)), f.at_ms) for f in recorded]
    elif kind == "no face":
        frames = _frames_without_face(name)
    elif kind == "too late":
        steps = assess(reference, recorded, order, WINDOW_MS).steps_seen
        window = (max(at for _, at in steps) - 1) if steps else 0
        frames = recorded
    elif kind == "impostor":
        frames = clips.sequence(clips.portrait(other), asked, seed=5)
    else:
        raise ValueError(kind)
    started = time.perf_counter()
    assessment = assess(reference, frames, asked, window)
    decision = decide(assessment)
    return kind, name, decision.outcome, decision.reasons, time.perf_counter() - started, assessment.match_distance


def _side_by_side(a: bytes, b: bytes) -> bytes:
    import io

    from PIL import Image

    left, right = Image.open(io.BytesIO(a)).convert("RGB"), Image.open(io.BytesIO(b)).convert("RGB")
    right = right.resize((round(right.width * left.height / right.height), left.height))
    canvas = Image.new("RGB", (left.width + right.width, left.height))
    canvas.paste(left, (0, 0))
    canvas.paste(right, (left.width, 0))
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=85)
    return out.getvalue()


def attack_report(people: int, workers: int) -> None:
    names = []
    for path in sorted(clips.PORTRAITS.glob("*.jpg")):
        try:
            compute_template(path.read_bytes())
            names.append(path.name)
        except FaceError:
            pass
    names = names[:people]
    cases = []
    for i, name in enumerate(names):
        order = ORDERS[i % len(ORDERS)]
        other = next(n for n in names[i + 1 :] + names[:i] if person_of(n) != person_of(name))
        cases.append(("bona fide", name, other, order, order))
        cases.append(("photo held still", name, other, order, ORDERS[(i + 3) % 6]))
        cases += [("replay, new order", name, other, order, asked) for asked in ORDERS if asked != order]
        cases.append(("same frame again", name, other, order, order))
        cases.append(("two faces", name, other, order, order))
        cases.append(("no face", name, other, order, order))
        cases.append(("too late", name, other, order, order))
        cases.append(("impostor", name, other, order, order))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run_case, cases))
    by_kind = defaultdict(list)
    for result in results:
        by_kind[result[0]].append(result)
    print(f"## Presentation attacks on generated sequences: {len(names)} people, policy {POLICY_VERSION}\n")
    print("| attempt | n | accepted | review | refused | most frequent first reason |")
    print("|---|---|---|---|---|---|")
    attacks = accepted_attacks = 0
    for kind in ("bona fide", *[k for k in by_kind if k != "bona fide"]):
        rows = by_kind[kind]
        outcomes = Counter(r[2] for r in rows)
        first = Counter(r[3][0] if r[3] else "-" for r in rows).most_common(1)[0][0]
        counts = " | ".join(str(outcomes[o]) for o in ("accepted", "review", "refused"))
        print(f"| {kind} | {len(rows)} | {counts} | {first} |")
        if kind != "bona fide":
            attacks += len(rows)
            accepted_attacks += outcomes["accepted"]
    print(f"\nattack acceptance: {accepted_attacks}/{attacks} = {accepted_attacks / attacks:.1%} (target 0 %)")
    bona = by_kind["bona fide"]
    failed = [f"{r[1]} {r[2]} {r[3]}" for r in bona if r[2] != "accepted"]
    print(f"bona fide (generated) accepted: {sum(r[2] == 'accepted' for r in bona)}/{len(bona)}")
    for line in failed:
        print(f"  not accepted: {line}")
    genuine_distances = sorted(r[5] for r in bona if r[5] is not None)
    if genuine_distances:
        print(f"match distance frames-to-own-photo: {genuine_distances[0]:.3f} .. {genuine_distances[-1]:.3f}")
    mean = sum(r[4] for r in results) / len(results)
    print(f"{len(results)} attempts assessed, {mean * 1000:.0f} ms each on average (wall, {workers} workers)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
    match_report()
    attack_report(args.people, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
