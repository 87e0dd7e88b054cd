"""`bawaba routing classify|evaluate|ensure-model|train --shipped`."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from bawaba.routing import classifier
from bawaba.routing.management.commands.routing import MARK_END, MARK_START

INPUT = "Ma carte Edahabia est bloquée\n\n   \nmakach réseau mobilis f dar\nالكولي تاعي ما وصلش\n"


def classify(text):
    out = io.StringIO()
    call_command("routing", "classify", stdin=io.StringIO(text), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_classify_prints_one_json_object_per_input_line():
    rows = classify(INPUT)
    assert len(rows) == 5
    assert all(set(row) == {"service", "confidence"} for row in rows)
    assert [row["service"] for row in rows] == [
        "algerie-poste/financial", None, None, "mobilis/network", "algerie-poste/mail"
    ]
    assert rows[1]["confidence"] == rows[2]["confidence"] == 0.0
    assert all(0.45 <= rows[i]["confidence"] <= 1.0 for i in (0, 3, 4))


def test_classify_of_nothing_prints_nothing():
    assert classify("") == []


def test_classify_without_any_model_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(classifier, "SHIPPED_MODEL_PATH", tmp_path / "missing.joblib")
    classifier.reset_cache()
    with pytest.raises(CommandError, match="ensure-model"):
        classify("colis\n")


def test_classify_from_the_command_line(tmp_path):
    """The real stdin/stdout contract, in a separate process as scripts use it."""
    env = {**os.environ, "ROUTING_MODEL_PATH": str(tmp_path / "none.joblib"), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "manage.py", "routing", "classify"], input=INPUT.encode(), capture_output=True,
        cwd=django_settings.BASE_DIR, env=env, timeout=120, check=True,
    )
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [row["service"] for row in rows] == [
        "algerie-poste/financial", None, None, "mobilis/network", "algerie-poste/mail"
    ]


def test_evaluate_prints_and_writes_its_results_between_markers(tmp_path):
    doc = tmp_path / "routing.md"
    doc.write_text(f"# Routing\n\nintro\n\n{MARK_START}\nold numbers\n{MARK_END}\n\nafter\n", encoding="utf-8")
    out = io.StringIO()
    call_command("routing", "evaluate", "--markdown", str(doc), "--cv-folds", "0", stdout=out)
    printed = out.getvalue()
    assert "**Accuracy:" in printed
    assert "| true \\ predicted |" in printed
    assert "| `algerie-poste/mail` |" in printed
    assert "Darija in Latin letters (arabizi)" in printed
    text = doc.read_text(encoding="utf-8")
    assert "old numbers" not in text
    assert text.startswith("# Routing\n\nintro\n\n" + MARK_START)
    assert text.rstrip().endswith("after")
    assert text.count(MARK_START) == text.count(MARK_END) == 1
    assert "**Accuracy:" in text


def test_evaluate_refuses_one_fold():
    with pytest.raises(CommandError, match="cv-folds"):
        call_command("routing", "evaluate", "--cv-folds", "1", stdout=io.StringIO())


def test_ensure_model_does_nothing_when_the_model_loads():
    before = classifier.SHIPPED_MODEL_PATH.stat().st_mtime_ns
    out = io.StringIO()
    call_command("routing", "ensure-model", stdout=out)
    assert "routing model OK" in out.getvalue()
    assert classifier.SHIPPED_MODEL_PATH.stat().st_mtime_ns == before


def test_ensure_model_trains_the_shipped_model_when_none_loads(monkeypatch, tmp_path):
    shipped = tmp_path / "shipped" / "model.joblib"
    shipped.parent.mkdir()
    shipped.write_bytes(b"not a model")
    monkeypatch.setattr(classifier, "SHIPPED_MODEL_PATH", shipped)
    classifier.reset_cache()
    out = io.StringIO()
    call_command("routing", "ensure-model", stdout=out)
    assert "training the shipped one" in out.getvalue()
    model = classifier.get_classifier()
    assert model.path == shipped
    assert model.predict_one("colis perdu").service == "algerie-poste/mail"


def test_train_shipped_writes_the_shipped_path_from_the_corpus_only(monkeypatch, tmp_path):
    shipped = tmp_path / "model.joblib"
    monkeypatch.setattr(classifier, "SHIPPED_MODEL_PATH", shipped)
    out = io.StringIO()
    call_command("routing", "train", "--shipped", stdout=out)  # no database access: corpus only
    assert "corrections used:     0" in out.getvalue()
    assert shipped.stat().st_size < 5 * 1024 * 1024
