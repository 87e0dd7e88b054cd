"""The fibre app's code layout (docs/deployments.md, "Code layout"): sub-packages along the flow users see, each
importing only the ones below it, and no module long enough to hide a second one.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
# Lower layers first: a module may import its own layer and the ones before it, never one after.
LAYERS = ("common", "work", "field", "billing")
# Modules of the package that are no layer but that a layer may import: the app's configuration (roles).
OUTSIDE_ALLOWED = {"apps"}
MAX_LINES = 650


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "migrations" in parts or "tests" in parts:
            continue
        yield path, parts


def _imported(path: Path, parts: tuple[str, ...]):
    """(line, dotted name below bawaba.deployments) of every import in the module, at any depth (functions too)."""
    package = ["bawaba", "deployments", *parts[:-1]]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                if node.module:
                    names = [".".join([*base, node.module])]
                else:
                    names = [".".join([*base, alias.name]) for alias in node.names]
            else:
                names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith("bawaba.deployments."):
                yield node.lineno, name.removeprefix("bawaba.deployments.")


def layering_violations() -> list[str]:
    found = []
    for path, parts in _modules():
        if parts[0] not in LAYERS:
            continue  # the composition root: models (re-exports), api, urls, admin, apps, management commands
        rank = LAYERS.index(parts[0])
        for line, name in _imported(path, parts):
            target = name.split(".")[0]
            if target in LAYERS:
                if LAYERS.index(target) > rank:
                    found.append(f"{'/'.join(parts)}:{line} imports {name} (a layer above {parts[0]})")
            elif target not in OUTSIDE_ALLOWED:
                found.append(f"{'/'.join(parts)}:{line} imports {name} (outside the layers)")
    return found


def test_no_layer_imports_a_layer_above_it():
    assert layering_violations() == []


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    """The rule above cannot pass by seeing nothing: an upward import written in a layer is reported."""
    fake = tmp_path / "work"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "upward.py").write_text("def f():\n    from ..billing import statements\n    return statements\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", tmp_path)
    assert layering_violations() == ["work/upward.py:2 imports billing (a layer above work)"]


def test_no_module_is_longer_than_the_limit():
    too_long = {}
    for path, parts in _modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long["/".join(parts)] = lines
    assert too_long == {}


def test_every_layer_has_its_tests():
    for layer in ("work", "field", "billing"):
        assert list((PACKAGE / layer / "tests").glob("test_*.py")), layer
