"""The register of processing: what each module does with personal data, declared by the module itself.

A module declares its entries in a `privacy_register.py` of its own, as a tuple `PROCESSING` of `Processing`,
and the staff pages that show a citizen's personal data as `PERSONAL_DATA_VIEWS` (URL name -> the kind of
record its URL names). The register finds them through Django's app registry, as the shell finds modules
(bawaba.core.modules): this app imports no module, and a new module is registered by declaring itself.

The fields follow what Algeria's Law 18-07 asks a controller to tell the ANPDP and the persons concerned
(purpose, categories of data, recipients, transfers abroad, retention, security), and what Congo's Law
29-2019 asks in its article 46 (purposes, categories, recipients). See docs/privacy.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.utils.translation import gettext_lazy as _


class LegalBasis:
    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    PUBLIC_INTEREST = "public_interest"
    LEGITIMATE_INTEREST = "legitimate_interest"

    LABELS = {
        CONSENT: _("Consent of the person"),
        CONTRACT: _("Performance of a contract with the person"),
        LEGAL_OBLIGATION: _("Legal obligation of the controller"),
        PUBLIC_INTEREST: _("Task in the public interest"),
        LEGITIMATE_INTEREST: _("Legitimate interest of the controller"),
    }


@dataclass(frozen=True)
class Processing:
    code: str  # unique, e.g. "servicedesk.requests"
    module: str  # the app label that declares it
    name: object
    purpose: object
    legal_basis: str  # one of LegalBasis
    data_categories: tuple = ()
    data_subjects: tuple = ()
    retention: object = ""
    recipients: tuple = ()
    transfers: object = _("None outside the country")
    security: tuple = ()
    retention_setting: str = ""  # the setting that fixes the delay, when there is one

    def as_row(self) -> dict:
        """Plain strings, for the page, CSV and JSON."""
        row = asdict(self)
        row["legal_basis_label"] = str(LegalBasis.LABELS.get(self.legal_basis, self.legal_basis))
        for key, value in row.items():
            if isinstance(value, tuple | list):
                row[key] = [str(item) for item in value]
            elif value is not None and not isinstance(value, str):
                row[key] = str(value)
        return row


def _declarations():
    for config in apps.get_app_configs():
        name = f"{config.name}.privacy_register"
        if find_spec(name) is None:
            continue
        yield config, import_module(name)


@lru_cache(maxsize=1)
def entries() -> tuple[Processing, ...]:
    found = [entry for _config, module in _declarations() for entry in getattr(module, "PROCESSING", ())]
    codes = [entry.code for entry in found]
    if len(codes) != len(set(codes)):
        raise ValueError(f"Two processing entries share a code: {codes}")
    return tuple(sorted(found, key=lambda entry: entry.code))


@lru_cache(maxsize=1)
def personal_data_views() -> dict[str, str]:
    """URL name ("desk:request") -> kind of record ("servicedesk.request") for every declared staff page that
    shows a citizen's personal data: the access log records who opened them."""
    views = {}
    for _config, module in _declarations():
        views.update(getattr(module, "PERSONAL_DATA_VIEWS", {}))
    return views


def rows() -> list[dict]:
    return [entry.as_row() for entry in entries()]


CSV_COLUMNS = ("code", "module", "name", "purpose", "legal_basis_label", "data_categories", "data_subjects",
               "retention", "retention_setting", "recipients", "transfers", "security")
