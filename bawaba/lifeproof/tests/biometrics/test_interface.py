"""The package's public interface: every name resolves to what it says, and light imports stay light."""

import importlib
import subprocess
import sys
import types
from pathlib import Path

import bawaba.lifeproof.biometrics as biometrics


def test_every_export_is_the_object_not_a_submodule():
    for module in ("assessment", "challenge", "errors", "face", "fingerprint", "images", "policy", "values"):
        importlib.import_module(f"bawaba.lifeproof.biometrics.{module}")
    for name in biometrics.__all__:
        assert not isinstance(getattr(biometrics, name), types.ModuleType), name
    assert callable(biometrics.assess) and callable(biometrics.decide)


def test_importing_the_light_parts_does_not_load_dlib_or_opencv():
    code = (
        "import sys\n"
        "from bawaba.lifeproof.biometrics import FaceError, FaceTemplate, Frame, POLICY_VERSION, decide\n"
        "from bawaba.lifeproof.biometrics import new_challenge\n"
        "print('dlib' in sys.modules, 'cv2' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[4]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout
    assert out.split() == ["False", "False"]
