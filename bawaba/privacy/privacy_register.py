"""This app's own entries in the register of processing."""

from django.utils.translation import gettext_lazy as _

from .register import LegalBasis, Processing

PROCESSING = (
    Processing(
        code="privacy.staff_access_log", module="privacy", name=_("Log of staff access to personal data"),
        purpose=_("Let the organisation's admin review which member of staff opened which citizen's record."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        data_categories=(_("staff member"), _("time"), _("page and record reference")),
        data_subjects=(_("staff"),),
        retention=_("Kept with the platform's audit records."),
        recipients=(_("the organisation's admins"),),
        security=(_("readable by admins only"), _("holds no citizen data, only record references")),
    ),
    Processing(
        code="privacy.subject_requests", module="privacy", name=_("Citizens' requests about their data"),
        purpose=_("Answer requests of access, rectification and erasure, after an identity check."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        data_categories=(_("keyed hash and last digits of the identifier"), _("document type and last digits"),
                         _("staff member who checked"), _("what was done")),
        data_subjects=(_("citizens who make a request"),),
        retention=_("Kept with the platform's audit records."),
        recipients=(_("the organisation's admins"),),
        security=(_("identifier not stored in clear"),),
    ),
)

PERSONAL_DATA_VIEWS = {
    "privacy:subject": "privacy.subject_request",
    "privacy:subject_export": "privacy.subject_request",
}
