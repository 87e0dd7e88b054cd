"""This module's entries in the register of processing (bawaba.privacy.register)."""

from django.utils.translation import gettext_lazy as _

from bawaba.privacy.register import LegalBasis, Processing

PROCESSING = (
    Processing(
        code="deployments.field", module="deployments", name=_("Fibre works: field reports and billing"),
        purpose=_("Follow the contractors' work, accept it on field evidence and pay it."),
        legal_basis=LegalBasis.CONTRACT,
        data_categories=(_("contractors' staff names and accounts"), _("field photos with their position and time"),
                         _("legal identification of the contracting companies")),
        data_subjects=(_("contractors' technicians and managers"), _("the operator's inspectors")),
        retention=_("Statements and their documents: as long as accounting records must be kept; photos with "
                    "the work they prove."),
        recipients=(_("the operator's inspectors and billing staff"), _("the contracting company")),
        security=(_("access by organisation and role"), _("issued documents frozen with their SHA-256")),
    ),
)
