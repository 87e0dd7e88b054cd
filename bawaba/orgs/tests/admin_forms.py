"""Build the POST an admin page would send, from the page's own forms, so a test changes only what it names."""

import datetime as dt


def _encode(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [getattr(item, "pk", item) for item in value]
    return getattr(value, "pk", value)


def _form_fields(form, data):
    for name in form.fields:
        if form.fields[name].disabled:
            continue
        value = _encode(form[name].value())
        if value is not None:
            data[form.add_prefix(name)] = value


def page_data(response, **overrides):
    """The data of a change or add page's main form and inline formsets; `overrides` win (None removes)."""
    data = {}
    _form_fields(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            value = management[name].value()
            data[management.add_prefix(name)] = "" if value is None else value
        for form in formset.forms:
            _form_fields(form, data)
    data["_save"] = "Enregistrer"
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def inline_rows(response, prefix):
    """The forms of one inline formset, by prefix (`services`, `business_hours`...)."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.prefix == prefix:
            return inline.formset.forms
    raise KeyError(prefix)


def add_rows(data, prefix, *rows):
    """Append new rows to an inline formset in `data` (a dict from `page_data`)."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for offset, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{total + offset}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(total + len(rows))
    return data
