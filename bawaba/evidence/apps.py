from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    """Sealed, time-stamped, hash-chained evidence records that other modules write through services.py
    (docs/evidence.md). No menu of its own: the proofs are downloaded from the modules' pages and verified
    on a public page."""

    name = "bawaba.evidence"
    label = "evidence"
    verbose_name = _("Evidence")
