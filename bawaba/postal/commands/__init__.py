"""Subcommands of ``bawaba postal``: each module here defines ``NAME``, ``HELP``, ``add_arguments(parser)``
and ``run(options, stdin, stdout)``; the management command finds them, so a new one is a new file."""

import importlib
import pkgutil


def subcommands() -> dict:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            found[module.NAME] = module
    return dict(sorted(found.items()))
