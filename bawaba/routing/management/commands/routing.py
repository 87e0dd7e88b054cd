"""`bawaba routing train|classify|evaluate|ensure-model`: the routing classifier from the command line."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import sys
from pathlib import Path

import sklearn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bawaba.routing import classifier as clf
from bawaba.routing import training

MARK_START = "<!-- routing-evaluate:start -->"
MARK_END = "<!-- routing-evaluate:end -->"


class Command(BaseCommand):
    help = "Train, evaluate and use the classifier that routes requests to the competent service."
    stealth_options = ("stdin",)
    # A data tool: it needs neither URLs nor templates, so it starts faster without the system checks
    # (`classify` is called from scripts) and still works while another part of the site is broken.
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        train = actions.add_parser(
            "train", help="Train on the corpus and agents' corrections, write the model.",
        )
        where = train.add_mutually_exclusive_group()
        where.add_argument("--output", type=Path, help="Write the model here (default: ROUTING_MODEL_PATH).")
        where.add_argument(
            "--shipped", action="store_true",
            help="Write the model shipped with the code (corpus only, no corrections).",
        )
        train.add_argument("--no-corrections", action="store_true", help="Train on the corpus only.")

        actions.add_parser(
            "classify", help="Read one request text per line on stdin, print one JSON object per line.",
        )

        evaluate = actions.add_parser(
            "evaluate", help="Held-out accuracy, per-service precision/recall and confusion matrix.",
        )
        evaluate.add_argument("--markdown", type=Path, metavar="PATH",
                              help="Also write the results into this Markdown file (e.g. docs/routing.md).")
        evaluate.add_argument("--cv-folds", type=int, default=5, metavar="N",
                              help="Also cross-validate over N folds of the whole corpus (0: skip; default 5).")

        actions.add_parser(
            "ensure-model", help="Do nothing if a model loads; otherwise train the shipped one.",
        )

    def handle(self, *args, action, **options):
        handler = {
            "train": self.train,
            "classify": self.classify,
            "evaluate": self.evaluate,
            "ensure-model": self.ensure_model,
        }[action]
        return handler(**options)

    # ------------------------------------------------------------------ train
    def train(self, *, output=None, shipped=False, no_corrections=False, **_):
        if shipped:
            target, use_corrections = clf.SHIPPED_MODEL_PATH, False
        else:
            target, use_corrections = Path(output or settings.ROUTING_MODEL_PATH), not no_corrections
        try:
            report = training.train_and_save(target, use_corrections=use_corrections)
        except (training.CorpusError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"corpus examples:      {report.n_corpus}")
        self.stdout.write(f"corrections used:     {report.n_corrections}")
        for code, count in sorted(report.skipped_corrections.items()):
            self.stdout.write(f"corrections skipped:  {count} to {code!r} (inactive, orientation, or too few)")
        for code, count in report.per_service_counts.items():
            self.stdout.write(f"  {code:32} {count}")
        self.stdout.write(
            f"held-out accuracy:    {report.held_out_accuracy:.3f} "
            f"({report.n_held_out} corpus texts, {int(training.HELD_OUT_FRACTION * 100)} %, seed {training.SPLIT_SEED})"
        )
        self.stdout.write(self.style.SUCCESS(f"model written to {report.path} in {report.seconds:.1f} s"))

    # --------------------------------------------------------------- classify
    def classify(self, *, stdin=None, **_):
        source = stdin or sys.stdin
        try:
            model = clf.get_classifier()
        except clf.ModelUnavailable as exc:
            raise CommandError(str(exc)) from exc
        for line in source:
            text = line.rstrip("\r\n")
            prediction = model.predict_one(text) if text.strip() else clf.Prediction(None, 0.0)
            self.stdout.write(
                json.dumps({"service": prediction.service, "confidence": round(prediction.confidence, 4)},
                           ensure_ascii=False)
            )
            self.stdout.flush()

    # --------------------------------------------------------------- evaluate
    def evaluate(self, *, markdown=None, cv_folds=5, **_):
        if cv_folds == 1 or cv_folds < 0:
            raise CommandError("--cv-folds must be 0 (skip) or at least 2.")
        try:
            corpus = training.load_examples()
            challenge = training.load_examples(training.CHALLENGE_PATH) if training.CHALLENGE_PATH.exists() else None
        except training.CorpusError as exc:
            raise CommandError(str(exc)) from exc
        result = training.evaluate(
            corpus, threshold=settings.ROUTING_CONFIDENCE_THRESHOLD, challenge=challenge, folds=cv_folds
        )
        text = render_markdown(result)
        self.stdout.write(text)
        if markdown:
            write_section(Path(markdown), text)
            self.stdout.write(self.style.SUCCESS(f"written into {markdown}"))

    # ----------------------------------------------------------- ensure-model
    def ensure_model(self, **_):
        try:
            model = clf.get_classifier()
        except clf.ModelUnavailable:
            model = None
        if model is not None and model.meta.get("sklearn_version") == sklearn.__version__:
            self.stdout.write(f"routing model OK: {model.path}")
            return
        if model is not None:
            self.stdout.write(
                f"routing model {model.path} was trained with scikit-learn {model.meta.get('sklearn_version')}, "
                f"running {sklearn.__version__}: retraining"
            )
            retrained = Path(model.path) != clf.SHIPPED_MODEL_PATH
        else:
            self.stdout.write("no routing model loads: training the shipped one")
            retrained = False
        target = Path(settings.ROUTING_MODEL_PATH) if retrained else clf.SHIPPED_MODEL_PATH
        try:
            report = training.train_and_save(target, use_corrections=retrained)
        except OSError:
            if retrained:
                raise
            # A read-only installation: keep the model next to the data instead.
            target = Path(settings.ROUTING_MODEL_PATH)
            report = training.train_and_save(target, use_corrections=False)
        self.stdout.write(self.style.SUCCESS(
            f"model written to {report.path} (held-out accuracy {report.held_out_accuracy:.3f})"
        ))


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def render_markdown(result: training.Evaluation) -> str:
    short = {label: label.split("/")[-1] for label in result.labels}
    lines = [
        f"Measured by `bawaba routing evaluate` on {dt.date.today().isoformat()}, "
        f"{platform.python_implementation()} {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"{os.cpu_count()} CPU cores.",
        "",
        f"Held-out split: {result.n_test} corpus texts ({int(training.HELD_OUT_FRACTION * 100)} %, stratified by "
        f"service and language form, seed {training.SPLIT_SEED}); trained on the other {result.n_train}.",
        "",
        f"- **Accuracy: {_pct(result.accuracy)}**",
        f"- At the confidence threshold {result.threshold:.2f}: {_pct(result.coverage)} of texts are routed "
        f"directly, {_pct(result.accuracy_above_threshold)} of those correctly; the other "
        f"{_pct(1 - result.coverage)} go to the orientation queue.",
        f"- Expected calibration error (10 bins): {result.calibration_error:.3f}",
    ]
    if result.cross_validation:
        cv = result.cross_validation
        lines.append(
            f"- {int(cv['folds'])}-fold cross-validation on the whole corpus (same stratification): "
            f"accuracy {_pct(cv['mean'])} ± {cv['std'] * 100:.1f}"
        )
    if result.challenge:
        lines.append(
            f"- Independent challenge set (`data/challenge.jsonl`, {int(result.challenge['n'])} texts written "
            f"apart from the corpus): accuracy {_pct(result.challenge['accuracy'])}"
        )
    if result.latency_ms:
        lat = result.latency_ms
        lines.append(
            f"- `predict_one` latency over {int(lat['n'])} calls: p50 {lat['p50']:.2f} ms, "
            f"p95 {lat['p95']:.2f} ms, p99 {lat['p99']:.2f} ms"
        )
    if result.thresholds:
        lines += ["", "| confidence threshold | routed directly | accuracy of those |", "|---:|---:|---:|"]
        for row in result.thresholds:
            lines.append(f"| {row['threshold']:.2f} | {_pct(row['coverage'])} | {_pct(row['accuracy'])} |")
    lines += ["", "| language form | held-out texts | accuracy |", "|---|---:|---:|"]
    for lang, values in result.per_language.items():
        name = training.LANGUAGE_FORMS.get(lang, lang)
        lines.append(f"| {name} | {int(values['n'])} | {_pct(values['accuracy'])} |")
    lines += ["", "| service | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for label, values in result.per_service.items():
        lines.append(
            f"| `{label}` | {values['precision']:.2f} | {values['recall']:.2f} | {values['f1']:.2f} | "
            f"{int(values['support'])} |"
        )
    lines += [
        "",
        "Confusion matrix (rows: true service, columns: predicted):",
        "",
        "| true \\ predicted | " + " | ".join(short[label] for label in result.labels) + " |",
        "|---|" + "---:|" * len(result.labels),
    ]
    for label, row in zip(result.labels, result.confusion, strict=True):
        lines.append(f"| {label} | " + " | ".join(str(n) for n in row) + " |")
    return "\n".join(lines) + "\n"


def write_section(path: Path, body: str) -> None:
    """Replace the text between the evaluate markers in `path` (appended if the markers are missing)."""
    block = f"{MARK_START}\n{body}{MARK_END}"
    content = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(MARK_START) + r".*?" + re.escape(MARK_END), re.DOTALL)
    if pattern.search(content):
        content = pattern.sub(lambda _m: block, content)
    else:
        content = (content.rstrip() + "\n\n" if content.strip() else "") + block + "\n"
    path.write_text(content, encoding="utf-8")
