import shutil

import pytest
from django.utils import timezone, translation

from bawaba.evidence import tsa

from .tsa_server import LoopbackTSA


@pytest.fixture(autouse=True)
def _evidence_settings(settings, tmp_path):
    """Each test has its own seal key and local authority (under tmp_path) and stamps when it says so."""
    settings.EVIDENCE_STAMP_AT_ONCE = False
    settings.EVIDENCE_TSA_URL = ""
    settings.EVIDENCE_TSA_TRUST_ROOTS = []
    settings.EVIDENCE_SEAL_KEY = ""
    settings.EVIDENCE_SEAL_KEY_PATH = tmp_path / "evidence" / "seal-key.pem"
    settings.EVIDENCE_LOCAL_TSA_DIR = tmp_path / "evidence" / "tsa"
    settings.EVIDENCE_BATCH_WINDOW_MS = 0
    settings.EVIDENCE_STAMPER_LINGER_SECONDS = 0
    tsa.clear_caches()
    with translation.override("en"):  # the tests read the reports' messages in English
        yield
    tsa.clear_caches()


@pytest.fixture(scope="session")
def _loopback_tsa():
    if shutil.which("openssl") is None:
        pytest.fail("openssl is not installed: scripts/install installs it (the loopback TSA is `openssl ts`)")
    authority = LoopbackTSA()
    authority.start()
    yield authority
    authority.close()


@pytest.fixture
def loopback_tsa(_loopback_tsa, settings):
    """The platform configured to time-stamp with the loopback authority and to trust its test CA."""
    if _loopback_tsa.server is None:
        _loopback_tsa.start()
    settings.EVIDENCE_TSA_URL = _loopback_tsa.url
    settings.EVIDENCE_TSA_TIMEOUT = 5
    settings.EVIDENCE_TSA_TRUST_ROOTS = [str(_loopback_tsa.ca_path)]
    tsa.clear_caches()
    # openssl runs on the machine's clock, which BAWABA_TEST_CLOCK does not move: events are dated on the
    # authority's clock, or their time would rightly be found later than their time stamp.
    token = tsa.HttpTimestamper(_loopback_tsa.url, timeout=5).stamp(b"\x00" * 32)
    _loopback_tsa.skew = timezone.now() - tsa.token_gen_time(token)
    yield _loopback_tsa
    if _loopback_tsa.server is None:
        _loopback_tsa.start()
