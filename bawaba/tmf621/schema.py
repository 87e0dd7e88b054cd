"""The published TMF621 v4 document (spec/, unmodified) and validators of its definitions."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import jsonschema_rs

SPEC_PATH = Path(__file__).parent / "spec" / "TMF621-TroubleTicket-v4.0.0.swagger.json"


@functools.cache
def spec() -> dict:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


@functools.cache
def validator(definition: str):
    """A JSON Schema (draft 4, as Swagger 2.0 uses) validator of one of the document's definitions."""
    definitions = spec()["definitions"]
    if definition not in definitions:
        raise KeyError(definition)
    return jsonschema_rs.Draft4Validator({"$ref": f"#/definitions/{definition}", "definitions": definitions},
                                         validate_formats=True)


def problems(definition: str, instance, limit: int = 10) -> list[tuple[str, str]]:
    """(path, message) of what in `instance` breaks the definition, at most `limit` of them."""
    found = []
    for error in validator(definition).iter_errors(instance):
        path = ".".join(str(part) for part in error.instance_path)
        found.append((path, error.message))
        if len(found) >= limit:
            break
    return found
