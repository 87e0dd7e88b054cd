"""Training data, training and evaluation of the routing classifier (used by `bawaba routing ...`).

Training data = the hand-written corpus shipped in `data/corpus.jsonl` plus agents' corrections
(`RoutingCorrection`: an agent moved an automatically routed request to another service). A correction
counts `CORRECTION_WEIGHT` times as much as a corpus example, and replaces a corpus example with the same
normalised text: it is what actually happened at the centre.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, train_test_split

from bawaba.core.textnorm import normalise

from . import classifier as clf

DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS_PATH = DATA_DIR / "corpus.jsonl"
CHALLENGE_PATH = DATA_DIR / "challenge.jsonl"
LANGUAGE_FORMS = {
    "fr": "French",
    "ar": "Arabic script (MSA and Algerian dialect)",
    "dz": "Darija in Latin letters (arabizi)",
    "en": "English",
}
HELD_OUT_FRACTION = 0.25
SPLIT_SEED = 42
CORRECTION_WEIGHT = 3.0
# A corrected service the corpus does not know becomes a class only with enough examples
# (the calibration needs 5 folds of it, and one example would make a class of one text).
MIN_EXAMPLES_NEW_SERVICE = 10
TRADE_OFF_THRESHOLDS = (0.3, 0.45, 0.6, 0.7, 0.8, 0.9)


class CorpusError(ValueError):
    pass


@dataclass(frozen=True)
class Example:
    text: str
    service: str
    lang: str = ""
    weight: float = 1.0
    source: str = "corpus"


def load_examples(path: Path | str = CORPUS_PATH) -> list[Example]:
    """Read a JSON-lines file of {"text", "service"[, "lang"]}; blank lines and lines starting # are skipped."""
    path = Path(path)
    examples = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise CorpusError(f"{path}:{number}: expected an object")
            text, service = row.get("text"), row.get("service")
            if not isinstance(text, str) or not text.strip() or not isinstance(service, str) or not service:
                raise CorpusError(f"{path}:{number}: needs a non-empty \"text\" and \"service\"")
            examples.append(Example(text.strip(), service, str(row.get("lang", ""))))
    if not examples:
        raise CorpusError(f"{path}: no examples")
    return examples


def corpus_digest(path: Path | str = CORPUS_PATH) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class Corrections:
    examples: list[Example]
    ids: list[int]
    skipped: dict[str, int]  # corrected code -> number of corrections left out


def correction_examples(known_services: set[str]) -> Corrections:
    """Agents' corrections usable for training: to an active, non-orientation service."""
    from bawaba.orgs.models import Service

    from .models import RoutingCorrection

    active = set(Service.objects.filter(is_active=True, is_orientation=False).values_list("code", flat=True))
    rows = list(RoutingCorrection.objects.order_by("id").values_list("id", "text", "corrected_code"))
    counts = Counter(code for _id, _text, code in rows)
    examples, ids, skipped = [], [], Counter()
    for pk, text, code in rows:
        usable = code in active and (code in known_services or counts[code] >= MIN_EXAMPLES_NEW_SERVICE)
        if not usable or not (text or "").strip():
            skipped[code] += 1
            continue
        examples.append(Example(text.strip(), code, "", CORRECTION_WEIGHT, "correction"))
        ids.append(pk)
    return Corrections(examples, ids, dict(skipped))


def merge(corpus: list[Example], corrections: list[Example]) -> list[Example]:
    """Corrections replace corpus examples with the same normalised text (the latest correction wins)."""
    latest: dict[str, Example] = {}
    for example in corrections:
        latest[_key(example.text)] = example
    kept = [e for e in corpus if _key(e.text) not in latest]
    return kept + list(latest.values())


def _key(text: str) -> str:
    return " ".join(normalise(text).split())


def fit(examples: list[Example]):
    pipeline = clf.build_pipeline()
    pipeline.fit(
        [e.text for e in examples],
        [e.service for e in examples],
        classifier__sample_weight=np.array([e.weight for e in examples]),
    )
    return pipeline


def split(examples: list[Example], fraction: float = HELD_OUT_FRACTION, seed: int = SPLIT_SEED):
    """Stratified by service and language form, so each form is held out in the same proportion."""
    strata = [f"{e.service}|{e.lang}" for e in examples]
    train, test = train_test_split(examples, test_size=fraction, random_state=seed, stratify=strata)
    return train, test


@dataclass
class Evaluation:
    n_train: int
    n_test: int
    accuracy: float
    labels: list[str]
    per_service: dict[str, dict[str, float]]  # precision, recall, f1, support
    per_language: dict[str, dict[str, float]]  # accuracy, n
    confusion: list[list[int]]
    threshold: float
    coverage: float  # share of held-out texts at or above the threshold (routed directly)
    accuracy_above_threshold: float
    calibration_error: float  # expected calibration error, 10 bins
    thresholds: list[dict[str, float]] = field(default_factory=list)  # threshold, coverage, accuracy
    challenge: dict[str, float] = field(default_factory=dict)  # accuracy, n on the independent set
    cross_validation: dict[str, float] = field(default_factory=dict)  # mean, std, folds
    latency_ms: dict[str, float] = field(default_factory=dict)


def _expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        mask = (confidence > low) & (confidence <= high)
        if mask.any():
            total += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total)


def measure_latency(model: clf.TextClassifier, texts: list[str], repeat: int = 3) -> dict[str, float]:
    model.predict_one(texts[0])  # warm-up
    timings = []
    for _ in range(repeat):
        for text in texts:
            start = time.perf_counter()
            model.predict_one(text)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()

    def pct(p):
        return timings[min(len(timings) - 1, int(round(p / 100 * (len(timings) - 1))))]

    return {"p50": pct(50), "p95": pct(95), "p99": pct(99), "mean": statistics.fmean(timings), "n": len(timings)}


def evaluate(
    corpus: list[Example],
    *,
    extra_training: list[Example] = (),
    threshold: float = 0.45,
    challenge: list[Example] | None = None,
    latency: bool = True,
    folds: int = 0,
) -> Evaluation:
    """Train on 75 % of the corpus (plus `extra_training`), measure on the held-out 25 %."""
    train, test = split(corpus)
    model = clf.TextClassifier(fit(merge(train, list(extra_training))))
    predictions = model.predict_many([e.text for e in test])
    truth = [e.service for e in test]
    predicted = [p.service for p in predictions]
    confidence = np.array([p.confidence for p in predictions])
    correct = np.array([t == p for t, p in zip(truth, predicted, strict=True)])
    labels = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    per_service = {
        label: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                "support": int(support[i])}
        for i, label in enumerate(labels)
    }
    by_lang = defaultdict(list)
    for example, ok in zip(test, correct, strict=True):
        by_lang[example.lang or "?"].append(bool(ok))
    per_language = {lang: {"accuracy": float(np.mean(v)), "n": len(v)} for lang, v in sorted(by_lang.items())}
    above = confidence >= threshold
    result = Evaluation(
        n_train=len(train) + len(extra_training),
        n_test=len(test),
        accuracy=float(correct.mean()),
        labels=labels,
        per_service=per_service,
        per_language=per_language,
        confusion=confusion_matrix(truth, predicted, labels=labels).tolist(),
        threshold=threshold,
        coverage=float(above.mean()),
        accuracy_above_threshold=float(correct[above].mean()) if above.any() else 0.0,
        calibration_error=_expected_calibration_error(confidence, correct),
    )
    for level in TRADE_OFF_THRESHOLDS:
        kept = confidence >= level
        result.thresholds.append({
            "threshold": level,
            "coverage": float(kept.mean()),
            "accuracy": float(correct[kept].mean()) if kept.any() else 0.0,
        })
    if challenge:
        result.challenge = challenge_accuracy(model, challenge)
    if folds:
        result.cross_validation = cross_validate(corpus, folds)
    if latency:
        result.latency_ms = measure_latency(model, [e.text for e in test])
    return result


def cross_validate(corpus: list[Example], folds: int = 5) -> dict[str, float]:
    """Accuracy over `folds` stratified folds: steadier than one split of a small corpus."""
    strata = [f"{e.service}|{e.lang}" for e in corpus]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SPLIT_SEED)
    scores = []
    for train_idx, test_idx in splitter.split(corpus, strata):
        model = clf.TextClassifier(fit([corpus[i] for i in train_idx]))
        predictions = model.predict_many([corpus[i].text for i in test_idx])
        scores.append(np.mean([p.service == corpus[i].service for p, i in zip(predictions, test_idx, strict=True)]))
    return {"mean": float(np.mean(scores)), "std": float(np.std(scores)), "folds": folds}


def challenge_accuracy(model: clf.TextClassifier, examples: list[Example]) -> dict[str, float]:
    predictions = model.predict_many([e.text for e in examples])
    ok = [p.service == e.service for p, e in zip(predictions, examples, strict=True)]
    return {"accuracy": float(np.mean(ok)), "n": len(ok)}


@dataclass
class TrainReport:
    path: Path
    n_corpus: int
    n_corrections: int
    skipped_corrections: dict[str, int]
    held_out_accuracy: float
    n_held_out: int
    per_service_counts: dict[str, int]
    seconds: float


def train_and_save(
    output: Path | str, *, use_corrections: bool = True, corpus_path: Path | str = CORPUS_PATH
) -> TrainReport:
    """Measure held-out accuracy, then train on everything and write the model to `output`.

    The corrections used are marked `used_in_training` once the model file is written.
    """
    from django.db import transaction

    from .models import RoutingCorrection

    started = time.perf_counter()
    corpus = load_examples(corpus_path)
    known = {e.service for e in corpus}
    corrections = correction_examples(known) if use_corrections else Corrections([], [], {})
    held_out = evaluate(corpus, extra_training=corrections.examples, latency=False)
    examples = merge(corpus, corrections.examples)
    pipeline = fit(examples)
    meta = {
        "corpus_sha256": corpus_digest(corpus_path),
        "n_corpus": len(corpus),
        "n_corrections": len(corrections.examples),
        "held_out_accuracy": round(held_out.accuracy, 4),
    }
    path = clf.save(pipeline, output, meta)
    if corrections.ids:
        with transaction.atomic():
            RoutingCorrection.objects.filter(id__in=corrections.ids).update(used_in_training=True)
    return TrainReport(
        path=path,
        n_corpus=len(corpus),
        n_corrections=len(corrections.examples),
        skipped_corrections=corrections.skipped,
        held_out_accuracy=held_out.accuracy,
        n_held_out=held_out.n_test,
        per_service_counts=dict(sorted(Counter(e.service for e in examples).items())),
        seconds=time.perf_counter() - started,
    )
