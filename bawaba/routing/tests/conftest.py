import pytest

from bawaba.routing import classifier


@pytest.fixture(autouse=True)
def _shipped_model_only(settings, tmp_path):
    """Every routing test starts from the shipped model: a model a developer retrained in var/ must not
    change the results, and a test's retrained model must not leak into the next test."""
    settings.ROUTING_MODEL_PATH = tmp_path / "retrained" / "model.joblib"
    settings.ROUTING_CONFIDENCE_THRESHOLD = 0.45
    classifier.reset_cache()
    yield
    classifier.reset_cache()
