"""This module's entries in the register of processing (bawaba.privacy.register)."""

from django.utils.translation import gettext_lazy as _

from bawaba.privacy.register import LegalBasis, Processing

PROCESSING = (
    Processing(
        code="lifeproof.pensioners", module="lifeproof", name=_("Pensioners of a fund"),
        purpose=_("Know which pensioners must prove they are alive in each payment period, and invite them."),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        data_categories=(_("names"), _("national ID number"), _("pension number"), _("birth date"),
                         _("phone number"), _("language")),
        data_subjects=(_("pensioners"),),
        retention=_("While the pension is paid; the biometric reference is deleted when the pensioner leaves."),
        recipients=(_("the fund's managers and reviewers"), _("post-office clerks at the counter")),
        security=(_("access by fund and role"), _("change log")),
    ),
    Processing(
        code="lifeproof.biometrics", module="lifeproof", name=_("Biometric proof of life"),
        purpose=_("Check with a face comparison and a liveness challenge that the pensioner is alive."),
        legal_basis=LegalBasis.CONSENT,
        data_categories=(_("reference photo and face template (biometric data)"),
                         _("frames captured during the proof")),
        data_subjects=(_("pensioners"),),
        retention=_("Frames deleted a set number of days after the decision; reference and template deleted "
                    "when the pensioner leaves."),
        retention_setting="LIFEPROOF_FRAME_RETENTION_DAYS",
        recipients=(_("the fund's reviewers, for attempts sent to review"),),
        security=(_("photo, template and frames encrypted at rest"), _("every access to biometric data logged"),
                  _("consent recorded with each challenge")),
    ),
)

PERSONAL_DATA_VIEWS = {
    "lifeproof:attempt": "lifeproof.attempt",
    "lifeproof:review": "lifeproof.attempt",
}
