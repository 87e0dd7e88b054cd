"""This module's entries in the register of processing (bawaba.privacy.register)."""

from django.utils.translation import gettext_lazy as _

from bawaba.privacy.register import LegalBasis, Processing

PROCESSING = (
    Processing(
        code="evidence.records", module="evidence", name=_("Evidence records"),
        purpose=_("Prove what happened to a letter, an item or a proof of life (who, what, when), sealed and "
                  "time-stamped so that it verifies without the platform."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        data_categories=(_("identifiers of the record concerned"), _("actor"), _("content hash"),
                         _("event details")),
        data_subjects=(_("citizens concerned by the recorded events"), _("staff who acted")),
        retention=_("Kept unchanged for the evidence retention period; never changed by the retention job or "
                    "an erasure request."),
        retention_setting="EVIDENCE_RETENTION_DAYS",
        recipients=(_("the parties to the recorded event"), _("courts and the regulator, on request")),
        security=(_("append-only"), _("Merkle chain and RFC 3161 time stamps")),
    ),
)
