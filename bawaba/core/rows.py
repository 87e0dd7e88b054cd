"""Model objects from rows read with plain SQL, for the few hot reads where building the ORM's query costs more
than running it (docs/desk.md, "CPU per operation"): the desk's request looked up by its reference on every page
and action, the knowledge base's suggested articles.

`columns(model, alias)` names a model's concrete columns in a SELECT; `instance(model, values)` makes the object
from those columns' values, converted as the ORM converts them (SQLite's dates are text, JSON is decoded...), so
the object is the one `Model.objects.get(...)` would have given. Everything else stays with the ORM.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import connection


@lru_cache(maxsize=64)
def _fields(model, exclude: tuple[str, ...]) -> tuple:
    return tuple(field for field in model._meta.concrete_fields if field.name not in exclude)


def columns(model, alias: str, *, exclude: tuple[str, ...] = ()) -> str:
    """`alias.col1, alias.col2, ...` of the model's concrete fields (less `exclude`), in `instance`'s order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in _fields(model, exclude))


def width(model, *, exclude: tuple[str, ...] = ()) -> int:
    return len(_fields(model, exclude))


def _converters(model, exclude: tuple[str, ...]) -> list:
    """(index, converter functions, column) for the columns the ORM would convert on this connection."""
    found = []
    for index, field in enumerate(_fields(model, exclude)):
        col = field.get_col(model._meta.db_table)
        functions = [*connection.ops.get_db_converters(col), *field.get_db_converters(connection)]
        if functions:
            found.append((index, functions, col))
    return found


_CONVERTERS: dict = {}


def instance(model, values, *, exclude: tuple[str, ...] = ()):
    """The model object of `values` (the columns of `columns(model, ..., exclude=exclude)`, in order); the
    excluded fields are deferred (read from the database if ever used)."""
    key = (model, exclude, connection.vendor)
    converters = _CONVERTERS.get(key)
    if converters is None:
        converters = _CONVERTERS[key] = _converters(model, exclude)
    values = list(values)
    for index, functions, col in converters:
        for convert in functions:
            values[index] = convert(values[index], col, connection)
    return model.from_db(connection.alias, [field.attname for field in _fields(model, exclude)], values)
