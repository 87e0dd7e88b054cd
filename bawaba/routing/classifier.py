"""The text classifier that predicts the competent service of a request.

Features: the request text normalised by `bawaba.core.textnorm.normalise` (accents, Arabic diacritics and
letter variants), then a union of TF-IDF word 1-2-grams and TF-IDF character 2-5-grams inside word
boundaries (`char_wb`). Character n-grams are what make Darija work: "m9at3a", "m9atta3", "t9at3at" share
"9at", "at3" whatever the spelling. The linear model is a multinomial logistic regression; its
probability for the best service is the `confidence` compared with `settings.ROUTING_CONFIDENCE_THRESHOLD`.

`get_classifier()` returns one process-wide object, loaded from `settings.ROUTING_MODEL_PATH` (a model
retrained with agents' corrections by `bawaba routing train`) when that file exists and loads, otherwise
from the model shipped with the code (`data/model.joblib`). It re-checks the file's modification time on
every call (one `stat`), so a retrain takes effect without restarting the server.

Model files are pickles: load only files this platform wrote (never one uploaded by a user).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
import sklearn
from django.conf import settings
from scipy.special import softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bawaba.core.textnorm import normalise

log = logging.getLogger(__name__)

SHIPPED_MODEL_PATH = Path(__file__).resolve().parent / "data" / "model.joblib"
MODEL_FORMAT = 1
RANDOM_STATE = 20261123


class ModelUnavailable(RuntimeError):
    """No model file could be loaded (run `bawaba routing ensure-model`)."""


@dataclass(frozen=True)
class Prediction:
    service: str | None  # a service code, or None for an empty text
    confidence: float  # probability of that service, 0..1


# Arabic attaches the article and one-letter particles to the word: "والفاتورة", "بالبطاقة", "للهاتف".
_ARABIC_ARTICLE = re.compile(r"(?<!\w)[وفبكل]?(?:ال|لل)(?=[\u0621-\u064a]{2,})")


def preprocess(text: str) -> str:
    """`normalise`, then strip the Arabic article (and a particle before it) so that word features see
    "فاتوره" in "الفاتورة", "والفاتورة" and "فاتورة". Character features keep the full words."""
    return _ARABIC_ARTICLE.sub("", normalise(text))


def build_pipeline() -> Pipeline:
    """The untrained pipeline. Everything that draws random numbers has a fixed seed."""
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(preprocessor=preprocess, ngram_range=(1, 2), sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(preprocessor=normalise, analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            ),
        ]
    )
    # Multinomial logistic regression: its probabilities are what the threshold is compared with. Unlike a
    # calibrated SVM it stays unsure (below 0.45) on texts that say nothing ("bonjour, rappelez-moi").
    # newton-cg is deterministic and converges in a few iterations on this data.
    model = LogisticRegression(C=20.0, solver="newton-cg", max_iter=1000, random_state=RANDOM_STATE)
    return Pipeline([("features", features), ("classifier", model)])


def slim(pipeline: Pipeline) -> Pipeline:
    """Drop what prediction does not need (TfidfVectorizer keeps every pruned term in `stop_words_`) and
    the one attribute that differs between runs (`_stop_words_id`, a memory address), so that training
    twice on the same data writes the same bytes."""
    for _name, vectoriser in pipeline.named_steps["features"].transformer_list:
        if hasattr(vectoriser, "stop_words_"):
            vectoriser.stop_words_ = None
        if hasattr(vectoriser, "_stop_words_id"):
            del vectoriser._stop_words_id
    return pipeline


class TextClassifier:
    def __init__(self, pipeline: Pipeline, meta: dict | None = None, path: Path | None = None):
        self.pipeline = pipeline
        self.meta = dict(meta or {})
        self.path = path
        self.classes = [str(c) for c in pipeline.classes_]
        self._fast = _fast_path(pipeline)

    def __repr__(self):
        return f"<TextClassifier {self.path} classes={len(self.classes)}>"

    def _probabilities(self, texts: list[str]) -> np.ndarray:
        if self._fast is None:
            return self.pipeline.predict_proba(texts)
        vectorisers, coef, intercept, one_text = self._fast
        if one_text is not None and len(texts) == 1:
            return one_text(texts[0])[np.newaxis, :]
        features = sp.hstack([v.transform(texts) for v in vectorisers], format="csr")
        return softmax(features @ coef + intercept, axis=1)

    def predict_many(self, texts: Iterable[str]) -> list[Prediction]:
        texts = [t or "" for t in texts]
        results: list[Prediction | None] = [None] * len(texts)
        todo = [i for i, t in enumerate(texts) if t.strip()]
        if todo:
            probabilities = self._probabilities([texts[i] for i in todo])
            best = probabilities.argmax(axis=1)
            for row, i in enumerate(todo):
                confidence = min(1.0, float(probabilities[row, best[row]]))
                results[i] = Prediction(self.classes[best[row]], confidence)
        return [r if r is not None else Prediction(None, 0.0) for r in results]

    def predict_one(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    def probabilities(self, text: str) -> dict[str, float]:
        """Every service with its probability, most likely first (for explanations and debugging)."""
        row = self._probabilities([text or ""])[0]
        order = np.argsort(-row)
        return {self.classes[i]: float(row[i]) for i in order}


_CHECK_TEXTS = ["connexion ADSL coupée", "الفاتورة مرتفعة", "kartat edahabia ma khedmatch", "my parcel is lost"]


def _one_text_scorer(vectorisers, coef: np.ndarray, intercept: np.ndarray):
    """For one text (a new request), the probabilities computed term by term: TF-IDF of the text's known
    terms (sublinear tf, idf, l2 norm per vectoriser, as TfidfVectorizer does), dotted with the model's
    rows for those terms. TfidfVectorizer.transform builds sparse matrices and validates its input, which
    costs eight times the arithmetic for one short text. None if a vectoriser is set up otherwise."""
    parts = []
    offset = 0
    for vectoriser in vectorisers:
        if (not isinstance(vectoriser, TfidfVectorizer) or vectoriser.binary or not vectoriser.use_idf
                or vectoriser.norm != "l2"):
            return None
        parts.append((vectoriser.build_analyzer(), vectoriser.vocabulary_, vectoriser.idf_,
                      vectoriser.sublinear_tf, offset))
        offset += len(vectoriser.vocabulary_)

    def probabilities(text: str) -> np.ndarray:
        scores = intercept.astype(float, copy=True)
        for analyzer, vocabulary, idf, sublinear, start in parts:
            counts: dict[int, int] = {}
            for term in analyzer(text):
                index = vocabulary.get(term)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=float, count=len(counts))
            weights = (np.log(tf) + 1.0 if sublinear else tf) * idf[indices]
            weights /= np.sqrt(weights @ weights)
            scores += weights @ coef[start + indices]
        return softmax(scores)

    return probabilities


def _fast_path(pipeline: Pipeline):
    """The same computation as `pipeline.predict_proba` (softmax of the linear scores), without
    scikit-learn's per-call input validation, which costs about three times the arithmetic for one short
    text. Used only if it gives the same probabilities as scikit-learn on check texts; otherwise (another
    pipeline shape, another scikit-learn version) the pipeline is called as is."""
    try:
        features, model = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
        if features.transformer_weights or not isinstance(model, LogisticRegression) or len(model.classes_) < 3:
            return None
        vectorisers = [transformer for _name, transformer in features.transformer_list]
        coef, intercept = np.ascontiguousarray(model.coef_.T), np.asarray(model.intercept_)
        one_text = _one_text_scorer(vectorisers, coef, intercept)
        fast = (vectorisers, coef, intercept, None)
        probe = TextClassifier.__new__(TextClassifier)
        probe._fast = fast
        expected = pipeline.predict_proba(_CHECK_TEXTS)
        if not np.allclose(probe._probabilities(_CHECK_TEXTS), expected, atol=1e-9):
            return None
        if one_text is not None and all(np.allclose(one_text(text), row, atol=1e-9)
                                        for text, row in zip(_CHECK_TEXTS, expected, strict=True)):
            fast = (vectorisers, coef, intercept, one_text)
        return fast
    except (AttributeError, KeyError, TypeError, ValueError):
        return None

def save(pipeline: Pipeline, path: Path | str, meta: dict | None = None) -> Path:
    """Write atomically (temporary file then rename), so a running server never reads half a model."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": MODEL_FORMAT,
        "sklearn_version": sklearn.__version__,
        "classes": [str(c) for c in pipeline.classes_],
        "meta": dict(meta or {}),
        "pipeline": slim(pipeline),
    }
    fd, tmp = tempfile.mkstemp(prefix=".model-", suffix=".joblib", dir=path.parent)
    os.close(fd)
    try:
        joblib.dump(payload, tmp, compress=3)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load(path: Path | str) -> TextClassifier:
    path = Path(path)
    with warnings.catch_warnings():
        # A different scikit-learn version is reported once below, not on every load.
        warnings.simplefilter("ignore", category=UserWarning)
        payload = joblib.load(path)
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT or "pipeline" not in payload:
        raise ValueError(f"{path} is not a Bawaba routing model (format {MODEL_FORMAT})")
    meta = dict(payload.get("meta") or {})
    meta["sklearn_version"] = payload.get("sklearn_version")
    if meta["sklearn_version"] != sklearn.__version__:
        log.warning(
            "routing model %s was trained with scikit-learn %s, running %s: retrain it (bawaba routing ensure-model)",
            path, meta["sklearn_version"], sklearn.__version__,
        )
    classifier = TextClassifier(payload["pipeline"], meta, path)
    classifier.predict_one("test")  # fail now, not on a citizen's request
    return classifier


def model_paths() -> list[Path]:
    """Where models are looked for, in order: the retrained one, then the shipped one."""
    return [Path(settings.ROUTING_MODEL_PATH), SHIPPED_MODEL_PATH]


_lock = threading.Lock()
_cache: tuple[tuple, TextClassifier] | None = None
_broken: set[tuple] = set()  # (path, mtime, size) of files that failed to load: not retried until they change


def _file_key(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path), st.st_mtime_ns, st.st_size)


def get_classifier() -> TextClassifier:
    global _cache
    for path in model_paths():
        key = _file_key(path)
        if key is None or key in _broken:
            continue
        cached = _cache
        if cached is not None and cached[0] == key:
            return cached[1]
        with _lock:
            if _cache is not None and _cache[0] == key:
                return _cache[1]
            try:
                classifier = load(path)
            except Exception:
                log.exception("routing model %s could not be loaded; trying the next one", path)
                _broken.add(key)
                continue
            _cache = (key, classifier)
            log.info("routing model loaded from %s", path)
            return classifier
    raise ModelUnavailable(
        "no routing model could be loaded from " + ", ".join(str(p) for p in model_paths())
        + ": run `bawaba routing ensure-model`"
    )


def reset_cache() -> None:
    global _cache
    with _lock:
        _cache = None
        _broken.clear()
